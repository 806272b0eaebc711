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

  it('shares fairly between callers: one with many queued requests does not hold back another', async () => {
    const admission = new Admission(1, 8);
    const signal = new AbortController().signal;
    const gate = deferred();
    const order: string[] = [];
    const job = (name: string, wait?: Promise<void>) => async () => {
      await wait;
      order.push(name);
    };
    const all = [admission.run(job('a1', gate.promise), signal, 'team-a')];
    for (const name of ['a2', 'a3', 'a4']) all.push(admission.run(job(name), signal, 'team-a'));
    all.push(admission.run(job('b1'), signal, 'team-b'), admission.run(job('b2'), signal, 'team-b'));
    gate.resolve();
    await Promise.all(all);
    // FIFO would run a1 a2 a3 a4 b1 b2.
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'a4']);
  });

  it('admits a caller with nothing outstanding even when another has filled the queue', async () => {
    const admission = new Admission(1, 2);
    const signal = new AbortController().signal;
    const gate = deferred();
    const filled = [admission.run(() => gate.promise, signal, 'team-a'), admission.run(async () => undefined, signal, 'team-a'), admission.run(async () => undefined, signal, 'team-a')];
    await expect(admission.run(async () => undefined, signal, 'team-a')).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    const other = admission.run(async () => 'b', signal, 'team-b');
    await expect(admission.run(async () => undefined, signal, 'team-b')).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
    gate.resolve();
    expect(await other).toBe('b');
    await Promise.all(filled);
  });
});
