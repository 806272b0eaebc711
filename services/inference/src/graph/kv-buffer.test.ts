// Decode steps over KV buffers on the shared fixture models (LLaVA: MHA; InternVL: GQA): after a
// prompt run, a step at position p over fixed-capacity buffers gives the logits of a step over a
// buffer of exactly p filled slots (a growing cache) — also when a knockout blocks every key of the
// decoded queries (HF's uniform softmax over the cached keys, which must ignore the buffer's
// unfilled slots) — and the first step equals a run without a past over positions 0..p, whose
// keys and values at p are exactly the step's present outputs.
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { createSession } from '../runtime/session.ts';
import { decoderFeeds, upTo, type DecoderRun } from '../runtime/decoder-run.ts';
import type { Intervention } from '../interventions/intervention.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';
import { buildDecoderGraph } from './decoder-graph.ts';
import * as io from './decoder-io.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const checkpoint = loadCheckpoint(join(FIXTURES, fixture));
  const text = checkpoint.config.text;
  const { numHiddenLayers: L, numKeyValueHeads: KVH, headDim: D, hiddenSize: C } = text;
  const shape = { layers: L, heads: text.numAttentionHeads, headDim: D, kvHeads: KVH, hidden: C, kvDtype: 'float32' as const };
  const weights = PreparedWeights.open(checkpoint.weights);
  const T = 7;
  const embeds = Float32Array.from({ length: (T + 2) * C }, (_, i) => Math.sin(1 + i * 0.37) * 0.5);
  const presents = upTo(L).flatMap((l) => [io.presentKey(l), io.presentValue(l)]);

  test.each([
    ['without hooks', {}],
    ['with every key knocked out for the decoded queries', { knockouts: [{ layers: [0, L - 1], keyPositions: upTo(T + 2), queriesFrom: T }] }],
  ] as [string, Intervention][])('decode steps over KV buffers equal a growing cache and, first, a run without a past (%s)', async (_, variant) => {
    const bytes = buildDecoderGraph(text, weights).bytes;
    await weights.flush();
    const session = await createSession(fixture, bytes, weights.dir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
    const run = (r: Omit<DecoderRun, 'variants' | 'outputPresent' | 'logitRows'>) => session.run(decoderFeeds({ ...r, variants: [variant], outputPresent: true, logitRows: [0] }, shape), [io.LOGITS, ...presents]);
    try {
      const capacity = T + 3;
      const buffers = Object.fromEntries(presents.map((_, i) => [i % 2 ? io.pastValue(i >> 1) : io.pastKey(i >> 1), new ort.Tensor('float32', new Float32Array(KVH * capacity * D), [1, KVH, capacity, D])]));
      /** Writes a run's presents [1, KVH, n, D] (slots from..from+n) into the buffers, as the runtime does. */
      const fill = (out: ort.InferenceSession.OnnxValueMapType, from: number) => {
        presents.forEach((present, i) => {
          const fresh = out[present] as ort.Tensor;
          const n = fresh.dims[2];
          const buffer = buffers[i % 2 ? io.pastValue(i >> 1) : io.pastKey(i >> 1)].data as Float32Array;
          for (let h = 0; h < KVH; h++) buffer.set((fresh.data as Float32Array).subarray(h * n * D, (h + 1) * n * D), (h * capacity + from) * D);
        });
      };
      fill(await run({ input: embeds.subarray(0, T * C), seqLen: T, lastLayerRows: [T - 1] }), 0);
      /** The buffers' first p slots as buffers of capacity p. */
      const exact = (p: number) =>
        Object.fromEntries(
          Object.entries(buffers).map(([name, t]) => {
            const data = new Float32Array(KVH * p * D);
            for (let h = 0; h < KVH; h++) data.set((t.data as Float32Array).subarray(h * capacity * D, (h * capacity + p) * D), h * p * D);
            return [name, new ort.Tensor('float32', data, [1, KVH, p, D])];
          }),
        );
      for (const p of [T, T + 1]) {
        const step = { input: embeds.subarray(p * C, (p + 1) * C), seqLen: 1, lastLayerRows: [0] };
        const got = await run({ ...step, past: { buffers, length: p } });
        const growing = await run({ ...step, past: { buffers: exact(p), length: p } });
        expect(maxAbsDiff(got[io.LOGITS].data as Float32Array, growing[io.LOGITS].data as Float32Array)).toBeLessThanOrEqual(1e-5);
        fill(got, p);
        // A knocked-out query of a run over 0..p+1 would also attend the future key p+1 (a full row of float32 min):
        // only the first step has a run without a past that computes what decoding does.
        if (p > T) continue;
        const expected = await run({ input: embeds.subarray(0, (p + 1) * C), seqLen: p + 1, lastLayerRows: [p] });
        expect(maxAbsDiff(got[io.LOGITS].data as Float32Array, expected[io.LOGITS].data as Float32Array)).toBeLessThanOrEqual(1e-5);
        for (const present of presents) {
          expect(got[present].dims).toEqual([1, KVH, 1, D]);
          const all = expected[present].data as Float32Array;
          const newest = Float32Array.from({ length: KVH * D }, (_, i) => all[(Math.floor(i / D) * (p + 1) + p) * D + (i % D)]);
          // Deeper layers' keys carry the earlier layers' attention, summed in another order here.
          expect(maxAbsDiff(got[present].data as Float32Array, newest)).toBeLessThanOrEqual(1e-5);
        }
      }
    } finally {
      await session.release();
    }
  });
});
