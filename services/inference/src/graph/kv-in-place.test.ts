// The in-place KV-cache variant of the decoder graph against the growing (Concat) one on the shared
// fixture models (LLaVA: MHA; InternVL: GQA): a prefill and a decode step give the same logits, and
// the caller's preallocated buffers end up holding exactly the growing cache's keys and values,
// also when a knockout blocks every key of a query (HF's uniform softmax over the cached keys).
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { createSession } from '../runtime/session.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';
import { GraphError } from '../onnx/graph-core.ts';
import { FLOAT32_MIN, buildDecoderGraph } from './decoder-graph.ts';
import * as io from './decoder-io.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const checkpoint = loadCheckpoint(join(FIXTURES, fixture));
  const text = checkpoint.config.text;
  const { numHiddenLayers: L, numKeyValueHeads: KVH, headDim: D, hiddenSize: C } = text;
  const session = (kvInPlace: boolean, attnBias: boolean) =>
    createSession(fixture, buildDecoderGraph(text, checkpoint.weights, checkpoint.dir, { hooks: { ...io.NO_HOOKS, attnBias }, captures: io.NO_CAPTURES, kvCache: true, kvInPlace, logits: 'last' }).bytes, checkpoint.dir, {
      executionProvider: 'cpu',
      intraOpNumThreads: 1,
    });
  const embeds = (T: number, seed: number) => new ort.Tensor('float32', Float32Array.from({ length: T * C }, (_, i) => Math.sin(seed + i * 0.37) * 0.5), [1, T, C]);
  const names = Array.from({ length: L }, (_, l) => [io.pastKey(l), io.pastValue(l), io.presentKey(l), io.presentValue(l)] as const);

  /** [L, 1, 1, T, keys] attention bias: 0, or float32 min on every key of layer 0 up to `blocked`. */
  const bias = (T: number, keys: number, blocked: number) => {
    const data = new Float32Array(L * T * keys);
    for (let t = 0; t < T; t++) data.fill(FLOAT32_MIN, t * keys, t * keys + blocked);
    return new ort.Tensor('float32', data, [L, 1, 1, T, keys]);
  };

  test.each([
    ['without hooks', false],
    ['with every key knocked out for the decoded queries', true],
  ])('prefill and decode steps match the growing cache, written into the caller buffers in place (%s)', async (_, knockout) => {
    const T = 7;
    const capacity = T + 3;
    const [grow, inPlace] = await Promise.all([session(false, knockout), session(true, knockout)]);
    try {
      const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, KVH, 0, D]);
      let growPast: Record<string, ort.OnnxValue> = Object.fromEntries(names.flatMap(([k, v]) => [[k, empty()], [v, empty()]]));
      const buffers = Object.fromEntries(names.flatMap(([k, v]) => [k, v].map((n) => [n, new ort.Tensor('float32', new Float32Array(KVH * capacity * D), [1, KVH, capacity, D])])));
      const fetches: Record<string, ort.Tensor | null> = { [io.LOGITS]: null };
      for (const [k, v, pk, pv] of names) Object.assign(fetches, { [pk]: buffers[k], [pv]: buffers[v] });

      let length = 0;
      for (const step of [embeds(T, 1), embeds(1, 2), embeds(1, 3)]) {
        const total = length + step.dims[1];
        const hooks = (keys: number): Record<string, ort.Tensor> => (knockout ? { [io.ATTN_BIAS]: bias(step.dims[1], keys, length === 0 ? 0 : total) } : {});
        const expected = await grow.run({ [io.INPUTS_EMBEDS]: step, ...hooks(total), ...growPast });
        const got = await inPlace.run({ [io.INPUTS_EMBEDS]: step, [io.PAST_LENGTH]: new ort.Tensor('int64', BigInt64Array.from([BigInt(length)]), []), ...hooks(capacity), ...buffers }, fetches);
        length = total;
        expect(maxAbsDiff(got[io.LOGITS].data as Float32Array, expected[io.LOGITS].data as Float32Array)).toBeLessThanOrEqual(1e-5);
        growPast = {};
        for (const [k, v, pk, pv] of names) {
          for (const [past, present] of [[k, pk], [v, pv]]) {
            const cache = expected[present].data as Float32Array;
            const buffer = buffers[past].data as Float32Array;
            for (let h = 0; h < KVH; h++) {
              const row = buffer.subarray(h * capacity * D, (h + 1) * capacity * D);
              expect(maxAbsDiff(row.subarray(0, length * D), cache.subarray(h * length * D, (h + 1) * length * D))).toBeLessThanOrEqual(1e-6);
              expect(row.subarray(length * D).every((x) => x === 0)).toBe(true);
            }
            growPast[past] = expected[present];
          }
        }
      }
    } finally {
      await Promise.all([grow.release(), inPlace.release()]);
    }
  });

  test('an in-place cache without present outputs is refused', () => {
    const variant: io.DecoderVariant = { hooks: io.NO_HOOKS, captures: io.NO_CAPTURES, kvCache: true, kvInPlace: true, presentOutputs: false, logits: 'last' };
    expect(() => buildDecoderGraph(text, checkpoint.weights, checkpoint.dir, variant)).toThrow(GraphError);
  });
});
