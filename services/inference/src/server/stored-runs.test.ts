// Stored runs (Capture `store_as`) are owned, budgeted, expire and can be deleted (issue 13:
// every distinct name was kept forever). Unit level, then over the socket.
import { credentials, status } from '@grpc/grpc-js';
import { TextSpan, type CaptureResponse, type ImageInput, InferenceClient } from '@locscope/proto/v1/inference';
import { createLogger, NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { startInferenceServer, type StartedInference } from './inference-service.ts';
import { StoredRuns } from './stored-runs.ts';
import { unaryCaller, writeTinyLlava } from './test-support.ts';

const run = (bytes: number) => ({ length: 1, layers: [new Float32Array(bytes / 4)] });

describe('StoredRuns', () => {
  it('keeps runs per owner and deletes them, answering NOT_FOUND (or 0 with allow_missing) for missing ones', () => {
    const runs = new StoredRuns();
    runs.set('10.0.0.1', 'tiny', 'src', run(400));
    expect(runs.get('10.0.0.1', 'tiny', 'src')?.layers[0].byteLength).toBe(400);
    expect(runs.get('10.0.0.2', 'tiny', 'src')).toBeUndefined();
    expect(() => runs.delete('10.0.0.2', 'tiny', 'src', false)).toThrowError(NotFoundError);
    expect(runs.delete('10.0.0.1', 'tiny', 'src', false)).toBe(400);
    expect(runs.delete('10.0.0.1', 'tiny', 'src', true)).toBe(0);
    expect(runs.bytes).toBe(0);
  });

  it('evicts the least recently used run past the byte budget and refuses a run larger than it', () => {
    const runs = new StoredRuns({ maxBytes: 1200 });
    for (const name of ['a', 'b', 'c']) runs.set('o', 'm', name, run(400));
    runs.get('o', 'm', 'a');
    runs.set('o', 'm', 'd', run(400));
    expect(['a', 'b', 'c', 'd'].filter((name) => runs.get('o', 'm', name))).toEqual(['a', 'c', 'd']);
    expect(runs.bytes).toBeLessThanOrEqual(1200);
    expect(() => runs.checkFits(1204, 'store_as')).toThrowError(ResourceExhaustedError);
    expect(() => runs.checkFits(1200, 'store_as')).not.toThrow();
  });

  it('forgets a run unused for its TTL', async () => {
    const runs = new StoredRuns({ ttlMs: 20 });
    runs.set('o', 'm', 'a', run(4));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs.get('o', 'm', 'a')).toBeUndefined();
  });
});

const scratch = scratchDir('stored-runs');
const image: ImageInput = { source: { $case: 'encoded', value: readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png')) } };
let started: StartedInference;
let client: InferenceClient;
const unary = unaryCaller(() => client);

beforeAll(async () => {
  const modelDir = join(scratch.dir, 'llava-tiny');
  writeTinyLlava(modelDir);
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models: [{ name: 'tiny', dir: modelDir, preload: true }] },
    createLogger({ level: 'silent' }),
  );
  client = new InferenceClient(started.server.address, credentials.createInsecure());
  await started.ready;
});

afterAll(async () => {
  client?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

describe('DeleteStoredRun over the socket', () => {
  it('frees a run stored by Capture: patches from it then answer NOT_FOUND', async () => {
    const prompt = 'Where is the cat?';
    await new Promise<void>((resolve, reject) => {
      const stream = client.capture({ model: 'tiny', image, prompt, target: 'cat', variants: [], spec: { layers: [0], hiddenStates: true, headOutputs: false, attentionProbs: false, visionStates: false }, storeAs: 'src' });
      stream.on('data', (_: CaptureResponse) => undefined);
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const patched = {
      model: 'tiny',
      image,
      prompt,
      target: 'cat',
      maskMode: 0,
      mask: [],
      variants: [{ name: 'p', interventions: [{ kind: { $case: 'patch', value: { heads: [{ layer: 0, head: 1 }], positions: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, source: { $case: 'sourceRun', value: 'src' } } } }] }],
    };
    expect((await unary(client.score, patched)).scores).toHaveLength(1);
    const deleted = await unary(client.deleteStoredRun, { model: 'tiny', name: 'src', allowMissing: false });
    expect(Number(deleted.bytes)).toBeGreaterThan(0);
    await expect(unary(client.score, patched)).rejects.toMatchObject({ code: status.NOT_FOUND });
    await expect(unary(client.deleteStoredRun, { model: 'tiny', name: 'src', allowMissing: false })).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/^name: /) });
    expect(Number((await unary(client.deleteStoredRun, { model: 'tiny', name: 'src', allowMissing: true })).bytes)).toBe(0);
    await expect(unary(client.deleteStoredRun, { model: 'nope', name: 'src', allowMissing: true })).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/^model: /) });
  });
});
