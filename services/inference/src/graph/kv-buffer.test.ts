// The KV-buffer variant of the decoder graph against the growing (Concat) one on the shared fixture
// models (LLaVA: MHA; InternVL: GQA): after a prompt run, decode steps over fixed-capacity buffers
// give the same logits, and their present outputs are exactly the step's keys and values (the
// growing cache's new slots), also when a knockout blocks every key of a query (HF's uniform
// softmax over the cached keys, which must ignore the buffer's unfilled slots).
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { createSession } from '../runtime/session.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';
import { GraphError } from '../onnx/graph-core.ts';
import { buildDecoderGraph } from './decoder-graph.ts';
import * as io from './decoder-io.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const checkpoint = loadCheckpoint(join(FIXTURES, fixture));
  const text = checkpoint.config.text;
  const { numHiddenLayers: L, numKeyValueHeads: KVH, headDim: D, hiddenSize: C } = text;
  const weights = PreparedWeights.open(checkpoint.weights);
  const build = (variant: Partial<io.DecoderVariant>) =>
    buildDecoderGraph(text, weights, { hooks: io.NO_HOOKS, captures: io.NO_CAPTURES, kvCache: true, logits: 'last', ...variant });
  const session = async (kvBuffer: boolean, knockout: boolean) => {
    const bytes = build({ hooks: { ...io.NO_HOOKS, knockout }, kvBuffer }).bytes;
    await weights.flush();
    return createSession(fixture, bytes, weights.dir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
  };
  const embeds = (T: number, seed: number) => new ort.Tensor('float32', Float32Array.from({ length: T * C }, (_, i) => Math.sin(seed + i * 0.37) * 0.5), [1, T, C]);
  const names = Array.from({ length: L }, (_, l) => [io.pastKey(l), io.pastValue(l), io.presentKey(l), io.presentValue(l)] as const);

  /** Knockout factors (one term): in layer 0, all T queries blocked from keys 0 .. blocked-1 of `keys`. */
  const knockoutFeeds = (T: number, keys: number, blocked: number) => {
    const queries = new Float32Array(L * T).fill(1, 0, T);
    const keyMask = new Float32Array(L * keys).fill(1, 0, blocked);
    return { [io.KNOCKOUT_QUERIES]: new ort.Tensor('float32', queries, [L, 1, T, 1]), [io.KNOCKOUT_KEYS]: new ort.Tensor('float32', keyMask, [L, 1, 1, keys]) };
  };

  test.each([
    ['without hooks', false],
    ['with every key knocked out for the decoded queries', true],
  ])('decode steps over KV buffers match the growing cache and return only the step keys/values (%s)', async (_, knockout) => {
    const T = 7;
    const capacity = T + 3;
    const [grow, buffered] = await Promise.all([session(false, knockout), session(true, knockout)]);
    try {
      const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, KVH, 0, D]);
      let growPast: Record<string, ort.OnnxValue> = Object.fromEntries(names.flatMap(([k, v]) => [[k, empty()], [v, empty()]]));
      const buffers = Object.fromEntries(names.flatMap(([k, v]) => [k, v].map((n) => [n, new ort.Tensor('float32', new Float32Array(KVH * capacity * D), [1, KVH, capacity, D])])));
      /** Writes a growing cache's slots [from, to) into the buffers, as the runtime does. */
      const fill = (cache: ort.InferenceSession.OnnxValueMapType, from: number, to: number) => {
        for (const [k, v, pk, pv] of names) {
          for (const [past, present] of [[k, pk], [v, pv]]) {
            const all = cache[present].data as Float32Array;
            const buffer = buffers[past].data as Float32Array;
            for (let h = 0; h < KVH; h++) buffer.set(all.subarray((h * to + from) * D, (h + 1) * to * D), (h * capacity + from) * D);
          }
        }
      };
      const hooks = (T: number, keys: number, blocked: number): Record<string, ort.Tensor> => (knockout ? knockoutFeeds(T, keys, blocked) : {});
      const prompt = await grow.run({ [io.INPUTS_EMBEDS]: embeds(T, 1), ...hooks(T, T, 0), ...growPast });
      fill(prompt, 0, T);
      growPast = Object.fromEntries(names.flatMap(([k, v, pk, pv]) => [[k, prompt[pk]], [v, prompt[pv]]]));

      for (const [length, step] of [[T, embeds(1, 2)], [T + 1, embeds(1, 3)]] as const) {
        const total = length + 1;
        const expected = await grow.run({ [io.INPUTS_EMBEDS]: step, ...hooks(1, total, total), ...growPast });
        const got = await buffered.run({ [io.INPUTS_EMBEDS]: step, [io.PAST_LENGTH]: new ort.Tensor('int64', BigInt64Array.from([BigInt(length)]), []), ...hooks(1, capacity, total), ...buffers });
        expect(maxAbsDiff(got[io.LOGITS].data as Float32Array, expected[io.LOGITS].data as Float32Array)).toBeLessThanOrEqual(1e-5);
        for (const [, , pk, pv] of names) {
          for (const present of [pk, pv]) {
            expect(got[present].dims).toEqual([1, KVH, 1, D]);
            const all = expected[present].data as Float32Array;
            const newest = Float32Array.from({ length: KVH * D }, (_, i) => all[(Math.floor(i / D) * total + length) * D + (i % D)]);
            // Deeper layers' keys carry the earlier layers' attention, summed in another order here.
            expect(maxAbsDiff(got[present].data as Float32Array, newest)).toBeLessThanOrEqual(1e-5);
          }
        }
        fill(expected, length, total);
        growPast = Object.fromEntries(names.flatMap(([k, v, pk, pv]) => [[k, expected[pk]], [v, expected[pv]]]));
      }
    } finally {
      await Promise.all([grow.release(), buffered.release()]);
    }
  });

  test('a KV buffer without present outputs, or with attention probabilities captured, is refused', () => {
    expect(() => build({ kvBuffer: true, presentOutputs: false })).toThrow(GraphError);
    expect(() => build({ kvBuffer: true, captures: { ...io.NO_CAPTURES, attnProbs: true } })).toThrow(/attention probabilities/);
  });
});
