// Gradients of the emitted backward graph against central finite differences of the forward
// runtime (Model.score, a different graph with the log-softmax done in JS), and Integrated
// Gradients completeness, on both parity fixture models.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@locscope/server-kit';
import { loadModel, type Model } from './model.ts';
import { integratedGradients, targetGradients, type Targets } from './attribution.ts';
import { Reference } from '../parity/reference.ts';
import { ModelProto } from '@locscope/onnx-graph/onnx';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { buildTargetGradientGraph } from '../graph/backward/target-gradient-graph.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');
/**
 * 8th-order central differences: the model runs in float32, so f carries ~1e-6 of rounding noise
 * and a small h amplifies it; a high-order stencil allows a larger h (measured on both fixtures:
 * worst relative error 5.9e-4 with h = 2⁻⁵ over 30 coordinates, vs 1.8e-3 for the 4th-order
 * stencil at its best h). h is a power of two so every x + k·h is exact in float32 (checked).
 */
const H = 2 ** -5;
const STENCIL = [-4, -3, -2, -1, 1, 2, 3, 4];
const WEIGHTS = [3, -32, 168, -672, 672, -168, 32, -3].map((w) => w / 840);
const MAX_RELATIVE_ERROR = 1e-3;

/** Completeness tolerance for m midpoint steps: the rule's error is O(1/m²) on a smooth path. */
const completenessTolerance = (steps: number) => 4 / steps ** 2;

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  let model: Model;
  let embeds: Float32Array;
  let T: number;
  let C: number;
  let visual: number[];
  let targets: Targets;
  let meanEmbedding: Float32Array;

  beforeAll(async () => {
    const dir = join(FIXTURES, fixture);
    model = await loadModel(dir, { intraOpNumThreads: 1 });
    const ref = Reference.open(dir);
    const ids = ref.ids('input_ids');
    const image = await model.encodeImage(ref.floats('pixel_values'));
    embeds = await model.embedWithImage(ids, image.features);
    T = ids.length;
    C = model.info.hidden;
    visual = ids.flatMap((id, p) => (id === model.info.imageTokenId ? [p] : []));
    // The prompt's last two tokens, teacher-forced: f sums two log-probs.
    targets = { positions: [T - 2, T - 1], tokenIds: [ids[T - 2], ids[T - 1]] };
    meanEmbedding = new Float32Array(C);
    image.features.forEach((v, i) => (meanEmbedding[i % C] += v / visual.length));
  });
  afterAll(() => model?.dispose());

  const score = async (rows: Float32Array[]): Promise<number[]> => {
    const batch = new Float32Array(rows.length * T * C);
    rows.forEach((r, b) => batch.set(r, b * T * C));
    const out = await model.score({ inputsEmbeds: batch, seqLen: T, variants: rows.map(() => ({})), targets });
    return out.map((terms) => terms.reduce((a, b) => a + b, 0));
  };

  test('the gradient graph computes the same objective as Model.score', async () => {
    const { scores } = await targetGradients(model, { inputsEmbeds: embeds, batch: 1, seqLen: T, targets });
    const [expected] = await score([embeds]);
    expect(Math.abs(scores[0] - expected)).toBeLessThan(1e-4);
  });

  test('gradients match 8th-order central finite differences (relative error ≤ 1e-3)', async () => {
    const { grads } = await targetGradients(model, { inputsEmbeds: embeds, batch: 1, seqLen: T, targets });
    const exact = (i: number) => STENCIL.every((k) => Math.fround(embeds[i] + k * H) - embeds[i] === k * H);
    const isVisual = (i: number) => visual.includes(Math.floor(i / C));
    const byMagnitude = Array.from(grads.keys()).filter(exact).sort((a, b) => Math.abs(grads[b]) - Math.abs(grads[a]));
    const visualCoords = byMagnitude.filter(isVisual);
    const large = visualCoords.filter((i) => Math.abs(grads[i]) >= 0.25 * Math.abs(grads[visualCoords[0]]));
    // The largest visual and text coordinates, and a spread over the rest of the large visual ones
    // (FD in float32 cannot resolve tiny gradients to 1e-3 relative).
    const spread = Array.from({ length: 6 }, (_, k) => large[Math.floor(((k + 1) * (large.length - 1)) / 6)]);
    const coords = [...new Set([...visualCoords.slice(0, 6), ...spread, ...byMagnitude.filter((i) => !isVisual(i)).slice(0, 4)])];
    expect(coords.length).toBeGreaterThanOrEqual(12);

    const rows = coords.flatMap((i) => STENCIL.map((k) => { const r = embeds.slice(); r[i] += k * H; return r; }));
    const f = await score(rows);
    coords.forEach((i, n) => {
      const fd = WEIGHTS.reduce((acc, w, k) => acc + w * f[n * STENCIL.length + k], 0) / H;
      expect(Math.abs(fd - grads[i]) / Math.abs(grads[i]), `coordinate ${i} (row ${Math.floor(i / C)}): graph ${grads[i]}, FD ${fd}`).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    });
  });

  test('positions after the last predicting position get exactly zero gradient (causal attention)', async () => {
    const { grads } = await targetGradients(model, { inputsEmbeds: embeds, batch: 1, seqLen: T, targets });
    expect(grads.subarray((T - 1) * C).every((v) => v === 0)).toBe(true);
    expect(grads.subarray(0, (T - 1) * C).some((v) => v !== 0)).toBe(true);
  });

  test.each([64, 256])('IG with a mean-embedding baseline is complete within 4/m² at m = %i', async (steps) => {
    const r = await integratedGradients(model, { inputsEmbeds: embeds, seqLen: T, visualPositions: visual, targets, baseline: { kind: 'embedding', embedding: meanEmbedding }, steps, batchSize: 16 });
    const baselineRows = embeds.slice();
    for (const p of visual) baselineRows.set(meanEmbedding, p * C);
    const [fx, fBaseline] = await score([embeds, baselineRows]);
    expect(r.score).toBeCloseTo(fx, 5);
    expect(r.baselineScore).toBeCloseTo(fBaseline, 5);
    expect(r.attributions).toHaveLength(visual.length);
    const total = r.attributions.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - (fx - fBaseline))).toBeLessThanOrEqual(completenessTolerance(steps));
  });

  test('batching the α steps does not change the attributions; a zero baseline zeroes the visual rows', async () => {
    const request = { inputsEmbeds: embeds, seqLen: T, visualPositions: visual, targets, baseline: { kind: 'zero' as const }, steps: 6 };
    const one = await integratedGradients(model, { ...request, batchSize: 1 });
    const all = await integratedGradients(model, { ...request, batchSize: 6 });
    one.attributions.forEach((a, i) => expect(Math.abs(a - all.attributions[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(a))));
    const zeroed = embeds.slice();
    for (const p of visual) zeroed.fill(0, p * C, (p + 1) * C);
    const [fZero] = await score([zeroed]);
    expect(one.baselineScore).toBeCloseTo(fZero, 5);
  });

  test('the backward pass multiplies by stored weights: no transposed constant for onnxruntime to copy', () => {
    const graph = ModelProto.decode(buildTargetGradientGraph(model.checkpoint.config.text, PreparedWeights.open(model.checkpoint.weights)).bytes).graph!;
    const constants = new Set(graph.initializer.map((t) => t.name));
    const transposedConstants = graph.node.filter((n) => n.opType === 'Transpose' && constants.has(n.input[0])).map((n) => n.input[0]);
    expect(transposedConstants).toEqual([]);
    // Each layer's stacked q/k/v weight is used as stored, both ways round.
    const qkv = [...constants].filter((name) => name.includes('layers.0.self_attn.q_proj.weight'));
    expect(qkv.sort()).toEqual([expect.stringMatching(/\^T$/), expect.stringMatching(/\^T\^T$/)]);
  });

  test('bad requests fail naming the field', async () => {
    const base = { inputsEmbeds: embeds, seqLen: T, visualPositions: visual, targets, baseline: { kind: 'zero' as const } };
    await expect(integratedGradients(model, { ...base, steps: 0 })).rejects.toThrow(/steps/);
    await expect(integratedGradients(model, { ...base, visualPositions: [T] })).rejects.toThrow(InvalidArgumentError);
    await expect(integratedGradients(model, { ...base, baseline: { kind: 'embedding', embedding: new Float32Array(C + 1) } })).rejects.toThrow(/baseline/);
    await expect(integratedGradients(model, { ...base, targets: { positions: [T], tokenIds: [0] } })).rejects.toThrow(/targets.positions/);
  });
});
