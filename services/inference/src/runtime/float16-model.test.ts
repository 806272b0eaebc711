// A float32 checkpoint loaded with precision 'float16': float16 prepared weights and KV cache, the
// generate / prefill paths over float16 KV buffers agreeing with full-sequence runs within the
// derived float16 tolerance, auto precision, and Integrated Gradients' float32 gradient graph over
// float16 weights.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type Model } from './model.ts';
import { targetGradients } from './attribution.ts';
import { tokenLogProb } from './log-probs.ts';
import { Reference } from '../parity/reference.ts';
import { float16Tolerance } from '../parity/float16-tolerance.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';
import { rewriteCheckpoint } from '../checkpoint/test-support.ts';
import { float32ToFloat16Bits } from '../checkpoint/float16-bits.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity/llava-tiny');

describe('llava-tiny in float16', () => {
  let model: Model;
  let ids: number[];
  let embeds: Float32Array;
  /** The derived float16 tolerance of the logits at their scale in this prompt. */
  let logitsTolerance: number;
  const cacheDir = mkdtempSync(join(tmpdir(), 'locscope-f16-'));

  beforeAll(async () => {
    model = await loadModel(DIR, { precision: 'float16', intraOpNumThreads: 1, cacheDir });
    const ref = Reference.open(DIR);
    ids = ref.ids('input_ids');
    embeds = await model.embedWithImage(ids, (await model.encodeImage(ref.floats('pixel_values'))).features);
    logitsTolerance = float16Tolerance('logits', ref.floats('logits'), model.checkpoint.config);
  });
  afterAll(() => model?.dispose());

  test('a float32 checkpoint is float32 unless asked; asked, its prepared weights are float16 files', async () => {
    const auto = await loadModel(DIR, { intraOpNumThreads: 1 });
    expect(auto.precision).toBe('float32');
    await auto.dispose();
    expect(model.precision).toBe('float16');
    const [folder, ...others] = readdirSync(cacheDir);
    expect(others).toEqual([]);
    expect(folder).toMatch(/-float16$/);
    const files = readdirSync(join(cacheDir, folder));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((f) => f.endsWith('.f16'))).toBe(true);
  });

  test('greedy generation over float16 KV buffers matches full-sequence runs', async () => {
    const variants = [{}, { ablations: [{ layer: 1, head: 0 }] }];
    const steps = 4;
    const result = await model.generate({ inputsEmbeds: embeds, seqLen: ids.length, variants, maxNewTokens: steps, eosTokenIds: [] });
    const V = model.info.vocab;
    for (const [b, variant] of variants.entries()) {
      const generated = result.tokens[b];
      expect(generated).toHaveLength(steps);
      const full = [...ids, ...generated.slice(0, -1)];
      const fullEmbeds = new Float32Array(full.length * model.info.hidden);
      fullEmbeds.set(embeds);
      fullEmbeds.set(await model.embed(generated.slice(0, -1)), embeds.length);
      const out = await model.forward({ inputsEmbeds: fullEmbeds, seqLen: full.length, variants: [variant] });
      generated.forEach((token, i) => {
        const row = out.logits.data.subarray((ids.length - 1 + i) * V, (ids.length + i) * V);
        // The two paths order float16 sums differently: the same token, or a tie within the tolerance.
        expect(row[token]).toBeGreaterThanOrEqual(Math.max(...row) - 2 * logitsTolerance);
        expect(Math.abs(result.logProbs[b][i] - tokenLogProb(out.logits.data, (ids.length - 1 + i) * V, V, token))).toBeLessThanOrEqual(2 * logitsTolerance);
      });
    }
  });

  test('scoring on top of a float16 prefix cache equals scoring the whole sequence', async () => {
    const T = ids.length;
    const start = T - 3;
    const prefix = await model.prefill(embeds.subarray(0, start * model.info.hidden), start);
    expect(prefix.layers[0].key).toBeInstanceOf(Uint16Array);
    const targets = { positions: [T - 2, T - 1], tokenIds: [4, 9] };
    const variants = [{}, { ablations: [{ layer: 2, head: 1, positions: [T - 2] }] }];
    const suffix = await model.scoreSuffix({ inputsEmbeds: embeds.subarray(start * model.info.hidden), seqLen: T - start, variants, targets, prefix });
    const whole = await model.score({ inputsEmbeds: embeds, seqLen: T, variants, targets });
    whole.forEach((row, b) => row.forEach((v, k) => expect(Math.abs(suffix[b][k] - v)).toBeLessThanOrEqual(2 * logitsTolerance)));
  });

  test('Integrated Gradients of a float16 model: float32 gradients over its float16 weights, equal to a float32 model of the same weights', async () => {
    // The checkpoint's weights stored as F16 (config still float32): loaded in float32 they widen
    // exactly, so both models hold the same weight values and only the weights' file dtype differs.
    const halfDir = mkdtempSync(join(tmpdir(), 'locscope-f16-ckpt-'));
    rewriteCheckpoint(DIR, halfDir, {
      tensor: (t) => (t.dtype === 'F32' ? { ...t, dtype: 'F16', data: float32ToFloat16Bits(new Float32Array(t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength))) } : t),
    });
    const [half, single] = await Promise.all([
      loadModel(halfDir, { precision: 'float16', intraOpNumThreads: 1, cacheDir }),
      loadModel(halfDir, { precision: 'float32', intraOpNumThreads: 1, cacheDir }),
    ]);
    try {
      const T = ids.length;
      const request = { inputsEmbeds: embeds, batch: 1, seqLen: T, targets: { positions: [T - 2, T - 1], tokenIds: [3, 7] } };
      const [a, b] = [await targetGradients(half, request), await targetGradients(single, request)];
      expect(Math.abs(a.scores[0] - b.scores[0])).toBeLessThanOrEqual(1e-5 * Math.abs(b.scores[0]));
      let scale = 0;
      for (const v of b.grads) scale = Math.max(scale, Math.abs(v));
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDiff(a.grads, b.grads)).toBeLessThanOrEqual(1e-5 * scale);
    } finally {
      await Promise.all([half.dispose(), single.dispose()]);
    }
  });
});
