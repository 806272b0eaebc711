import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { Admission } from './admission.ts';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('Admission', () => {
  it('runs at most maxConcurrent at once and refuses past the queue', async () => {
    const admission = new Admission(1, 1);
    const gate = deferred();
    const signal = new AbortController().signal;
    const first = admission.run(() => gate.promise.then(() => 1), signal);
    const second = admission.run(async () => 2, signal);
    await new Promise((r) => setImmediate(r));
    expect([admission.running, admission.queued]).toEqual([1, 1]);
    await expect(admission.run(async () => 3, signal)).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
  });

  it('drops queued work whose caller aborted', async () => {
    const admission = new Admission(1, 4);
    const gate = deferred();
    const running = admission.run(() => gate.promise, new AbortController().signal);
    const abort = new AbortController();
    let ran = false;
    const queued = admission.run(async () => {
      ran = true;
    }, abort.signal);
    abort.abort();
    await expect(queued).rejects.toMatchObject({ code: status.CANCELLED });
    gate.resolve();
    await running;
    expect(ran).toBe(false);
  });
});
