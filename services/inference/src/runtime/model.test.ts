// The in-process API on the shared fixture models: KV-cache generation with interventions active
// while decoding must agree with uncached full-sequence runs, scoring must agree with forward
// logits, batching must not change any row, and bad requests fail naming the field.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@locscope/server-kit';
import { loadModel, type Model } from './model.ts';
import type { Intervention } from '../interventions/intervention.ts';
import { tokenLogProb } from './log-probs.ts';
import { integratedGradients } from './attribution.ts';
import { Reference } from '../parity/reference.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');
const ATOL = 1e-4;

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const dir = join(FIXTURES, fixture);
  let model: Model;
  let ids: number[];
  let embeds: Float32Array;
  let variants: Intervention[];
  /** The same interventions restricted to prompt positions (for runs without generation). */
  let promptVariants: Intervention[];

  beforeAll(async () => {
    model = await loadModel(dir, { intraOpNumThreads: 1 });
    const ref = Reference.open(dir);
    ids = ref.ids('input_ids');
    const image = await model.encodeImage(ref.floats('pixel_values'));
    embeds = await model.embedWithImage(ids, image.features);
    const [s0, s1] = ref.json.image_span!;
    const D = model.info.headDim;
    variants = [
      {},
      // Knockout from the first text token after the image onwards, generated tokens included.
      { knockouts: [{ layers: [0, model.info.layers - 1], keyPositions: [s0, s0 + 1, s0 + 2, s1 - 1], queriesFrom: s1 }] },
      { ablations: [{ layer: 1, head: model.info.heads - 1 }, { layer: 0, head: 0, scale: 0.5 }] },
      // Patch a head at the last prompt position and at the first two generated positions.
      { patches: [{ layer: model.info.layers - 1, head: 1, positions: [ids.length - 1, ids.length, ids.length + 1], values: Float32Array.from({ length: 3 * D }, (_, i) => Math.sin(i)) }] },
    ];
    promptVariants = [...variants.slice(0, 3), { patches: [{ layer: model.info.layers - 1, head: 1, positions: [ids.length - 1], values: Float32Array.from({ length: D }, (_, i) => Math.sin(i)) }] }];
  });
  afterAll(() => model?.dispose());

  test('greedy generation with a KV cache matches full-sequence runs under every intervention', async () => {
    const steps = 5;
    const result = await model.generate({ inputsEmbeds: embeds, seqLen: ids.length, variants, maxNewTokens: steps, eosTokenIds: [] });
    expect(result.tokens.map((t) => t.length)).toEqual(variants.map(() => steps));
    for (const [b, variant] of variants.entries()) {
      const generated = result.tokens[b];
      const full = [...ids, ...generated.slice(0, -1)];
      const fullEmbeds = new Float32Array(full.length * model.info.hidden);
      fullEmbeds.set(embeds);
      fullEmbeds.set(await model.embed(generated.slice(0, -1)), embeds.length);
      const out = await model.forward({ inputsEmbeds: fullEmbeds, seqLen: full.length, variants: [variant] });
      const V = model.info.vocab;
      generated.forEach((token, i) => {
        const row = (ids.length - 1 + i) * V;
        const expected = tokenLogProb(out.logits.data, row, V, token);
        expect(Math.abs(result.logProbs[b][i] - expected)).toBeLessThanOrEqual(ATOL);
        // Greedy: the generated token is the full run's argmax at that position.
        const rowLogits = out.logits.data.subarray(row, row + V);
        expect(rowLogits[token]).toBe(Math.max(...rowLogits));
      });
    }
    // Interventions changed the continuation's probabilities (they are not no-ops while decoding).
    for (let b = 1; b < variants.length; b++) expect(result.logProbs[b]).not.toEqual(result.logProbs[0]);
  });

  test('score equals the log-softmax of forward logits, for every variant of a batch', async () => {
    const positions = [ids.length - 3, ids.length - 2, ids.length - 1];
    const tokenIds = [5, 7, 11];
    const scores = await model.score({ inputsEmbeds: embeds, seqLen: ids.length, variants: promptVariants, targets: { positions, tokenIds } });
    const V = model.info.vocab;
    for (const [b, variant] of promptVariants.entries()) {
      const single = await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [variant] });
      positions.forEach((p, k) => {
        expect(Math.abs(scores[b][k] - tokenLogProb(single.logits.data, (p - 1) * V, V, tokenIds[k]))).toBeLessThanOrEqual(ATOL);
      });
    }
  });

  test('a batch of variants gives each row what a single run gives', async () => {
    const batched = await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: promptVariants });
    const n = ids.length * model.info.vocab;
    for (const [b, variant] of promptVariants.entries()) {
      const single = await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [variant] });
      expect(maxAbsDiff(single.logits.data, batched.logits.data.subarray(b * n, (b + 1) * n))).toBeLessThanOrEqual(ATOL);
    }
  });

  test('variants that start intervening at later layers share the layers before (forward and score equal single runs)', async () => {
    const L = model.info.layers;
    const T = ids.length;
    const D = model.info.headDim;
    const late: Intervention[] = [
      { ablations: [{ layer: L - 1, head: 0 }] },
      {},
      { knockouts: [{ layers: [L - 1], keyPositions: [1, 2], queriesFrom: T - 2 }] },
      { patches: [{ layer: 1, head: 1, positions: [T - 1], values: Float32Array.from({ length: D }, (_, i) => Math.cos(i)) }] },
      { ablations: [{ layer: 1, head: model.info.heads - 1, scale: 0.25 }] },
      { ablations: [{ layer: 0, head: 0 }] },
    ];
    const positions = [T - 2, T - 1];
    const tokenIds = [3, 9];
    for (const logits of ['all', 'last'] as const) {
      const batched = await model.forward({ inputsEmbeds: embeds, seqLen: T, variants: late, logits });
      const n = batched.logits.data.length / late.length;
      for (const [b, variant] of late.entries()) {
        const single = await model.forward({ inputsEmbeds: embeds, seqLen: T, variants: [variant], logits });
        expect(maxAbsDiff(single.logits.data, batched.logits.data.subarray(b * n, (b + 1) * n))).toBeLessThanOrEqual(1e-5);
      }
    }
    const scores = await model.score({ inputsEmbeds: embeds, seqLen: T, variants: late, targets: { positions, tokenIds } });
    for (const [b, variant] of late.entries()) {
      const [single] = await model.score({ inputsEmbeds: embeds, seqLen: T, variants: [variant], targets: { positions, tokenIds } });
      expect(maxAbsDiff(single, scores[b])).toBeLessThanOrEqual(1e-5);
    }
  });

  test('last-position logits equal the last row of all logits, whatever the last layer does at other positions', async () => {
    const T = ids.length;
    const L = model.info.layers;
    const D = model.info.headDim;
    // The last layer computes only the last query row here; these hooks touch its other rows too.
    const lastLayer: Intervention[] = [
      ...promptVariants,
      { patches: [{ layer: L - 1, head: 0, positions: [T - 2, T - 1], values: Float32Array.from({ length: 2 * D }, (_, i) => Math.cos(i)) }] },
      { knockouts: [{ layers: [L - 1], keyPositions: [0, 1, T - 2], queriesFrom: 1 }], ablations: [{ layer: L - 1, head: 1 }] },
    ];
    const all = await model.forward({ inputsEmbeds: embeds, seqLen: T, variants: lastLayer, logits: 'all' });
    const last = await model.forward({ inputsEmbeds: embeds, seqLen: T, variants: lastLayer, logits: 'last' });
    const V = model.info.vocab;
    lastLayer.forEach((_, b) => {
      const row = all.logits.data.subarray((b * T + T - 1) * V, (b * T + T) * V);
      expect(maxAbsDiff(row, last.logits.data.subarray(b * V, (b + 1) * V))).toBeLessThanOrEqual(1e-5);
    });
  });

  test('a query whose every key is knocked out attends uniformly to the whole row, as HF eager computes it; overlapping knockouts block once', async () => {
    const T = ids.length;
    const every = Array.from({ length: T }, (_, k) => k);
    const q = T - 3;
    const out = await model.forward({
      inputsEmbeds: embeds,
      seqLen: T,
      variants: [
        // Every key of query q in layer 0 (HF: float32 min on the whole row, future keys included → softmax 1/T).
        { knockouts: [{ layers: [0], keyPositions: every, queryPositions: [q] }] },
        // Two overlapping knockouts of the same pairs: the same as one.
        { knockouts: [{ layers: [1], keyPositions: [0, 1, 2], queriesFrom: q }, { layers: [1, 0], keyPositions: [1, 2], queriesFrom: q - 1 }] },
        { knockouts: [{ layers: [1], keyPositions: [0, 1, 2], queriesFrom: q }, { layers: [0], keyPositions: [1, 2], queriesFrom: q - 1 }, { layers: [1], keyPositions: [1, 2], queriesFrom: q - 1 }] },
      ],
      captures: { attnProbs: true },
    });
    const probs = out.captures['attn_probs.0'];
    const [, H] = probs.dims;
    for (let h = 0; h < H; h++) {
      const row = probs.data.subarray((h * T + q) * T, (h * T + q + 1) * T);
      expect(maxAbsDiff(row, new Float32Array(T).fill(1 / T))).toBeLessThanOrEqual(1e-7);
    }
    const n = T * model.info.vocab;
    expect(maxAbsDiff(out.logits.data.subarray(n, 2 * n), out.logits.data.subarray(2 * n, 3 * n))).toBe(0);
  });

  test('repacked weights (prepackWeights) change the speed, not the results', async () => {
    const prepacked = await loadModel(dir, { intraOpNumThreads: 1, prepackWeights: true });
    try {
      const request = { inputsEmbeds: embeds, seqLen: ids.length, variants: promptVariants };
      const [shared, repacked] = [await model.forward(request), await prepacked.forward(request)];
      expect(maxAbsDiff(shared.logits.data, repacked.logits.data)).toBeLessThanOrEqual(1e-5);
    } finally {
      await prepacked.dispose();
    }
  });

  test('a positional ablation zeroes the head only there: equal to a zero patch, unlike an all-position ablation', async () => {
    const T = ids.length;
    const D = model.info.headDim;
    const out = await model.forward({
      inputsEmbeds: embeds,
      seqLen: T,
      variants: [
        { ablations: [{ layer: 1, head: 0, positions: [T - 2, T - 1] }] },
        { patches: [{ layer: 1, head: 0, positions: [T - 2, T - 1], values: new Float32Array(2 * D) }] },
        { ablations: [{ layer: 1, head: 0 }] },
      ],
      captures: { attnPreOProj: true },
    });
    const n = T * model.info.vocab;
    const rows = [0, 1, 2].map((b) => out.logits.data.subarray(b * n, (b + 1) * n));
    expect(maxAbsDiff(rows[0], rows[1])).toBe(0);
    expect(maxAbsDiff(rows[0], rows[2])).toBeGreaterThan(ATOL);
    const HD = model.info.heads * D;
    const pre = out.captures['attn_pre_o_proj.1'].data;
    expect(Array.from(pre.subarray((T - 1) * HD, (T - 1) * HD + D)).every((v) => v === 0)).toBe(true);
    expect(Array.from(pre.subarray(0, D)).some((v) => v !== 0)).toBe(true);
  });

  test('graph variants are built once and reused', async () => {
    const before = model.loadedGraphs;
    await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [{}], logits: 'last' });
    const afterFirst = model.loadedGraphs;
    await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [{}, {}], logits: 'last' });
    expect(model.loadedGraphs).toBe(afterFirst);
    expect(afterFirst).toBeLessThanOrEqual(before + 1);
  });

  test('one session holds the decoder weights whatever the requests; the Integrated-Gradients graph a second', async () => {
    const fresh = await loadModel(dir, { intraOpNumThreads: 1 });
    try {
      const T = ids.length;
      const L = fresh.info.layers;
      const base = { inputsEmbeds: embeds, seqLen: T };
      const targets = { positions: [T - 1], tokenIds: [5] };
      await fresh.score({ ...base, variants: promptVariants, targets });
      await fresh.scoreSuffix({ ...base, inputsEmbeds: embeds.subarray((T - 2) * fresh.info.hidden), seqLen: 2, variants: [{}, { ablations: [{ layer: 0, head: 0 }] }], targets, prefix: await fresh.prefill(embeds.subarray(0, (T - 2) * fresh.info.hidden), T - 2) });
      await fresh.generate({ ...base, variants, maxNewTokens: 3, eosTokenIds: [] });
      await fresh.forward({ ...base, variants: [{}], captures: { hiddenStates: true, attnPreOProj: true, attnProbs: true, rope: true } });
      // A head sweep: late-layer patches share the layers before them.
      const sweep = Array.from({ length: fresh.info.heads }, (_, head) => ({ ablations: [{ layer: L - 1, head }] }));
      await fresh.forward({ ...base, variants: [{}, ...sweep], logits: 'last' });
      expect(fresh.weightCopies).toBe(1);
      await integratedGradients(fresh, { ...base, visualPositions: [1, 2], targets, baseline: { kind: 'zero' }, steps: 1 });
      expect(fresh.weightCopies).toBe(2);
    } finally {
      await fresh.dispose();
    }
  });

  test('warmUp loads the graphs a plain encode + forward needs', async () => {
    const fresh = await loadModel(dir, { intraOpNumThreads: 1, cacheDir: mkdtempSync(join(tmpdir(), 'locscope-warm-')) });
    try {
      await fresh.warmUp();
      expect(fresh.loadedGraphs).toBe(3);
      const image = await fresh.encodeImage(Reference.open(dir).floats('pixel_values'));
      await fresh.forward({ inputsEmbeds: await fresh.embedWithImage(ids, image.features), seqLen: ids.length, variants: [{}], logits: 'last' });
      expect(fresh.loadedGraphs).toBe(3);
    } finally {
      await fresh.dispose();
    }
  });

  test('encodeImage reports the view layout and token norms', async () => {
    const ref = Reference.open(dir);
    const image = await model.encodeImage(ref.floats('real.pixel_values'));
    const [rows, cols] = image.grid;
    expect(rows * cols).toBe(image.tokensPerView);
    expect(image.features.length).toBe(image.views * image.tokensPerView * model.info.hidden);
    expect(image.norms.length).toBe(image.views * image.tokensPerView);
    const first = image.features.subarray(0, model.info.hidden);
    expect(image.norms[0]).toBeCloseTo(Math.hypot(...first), 4);
  });

  test.each([
    ['variants[0].ablations[0].head', { ablations: [{ layer: 0, head: 99 }] }],
    ['variants[0].ablations[0].layer', { ablations: [{ layer: -1, head: 0 }] }],
    ['variants[0].knockouts[0].key_positions[0]', { knockouts: [{ layers: [0], keyPositions: [10_000], queriesFrom: 0 }] }],
    ['variants[0].patches[0].values', { patches: [{ layer: 0, head: 0, positions: [1], values: new Float32Array(3) }] }],
  ] as [string, Intervention][])('an invalid intervention is rejected naming %s', async (field, variant) => {
    const run = model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [variant] });
    await expect(run).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(run).rejects.toMatchObject({ field });
  });

  test('mis-sized inputs are rejected naming the input', async () => {
    await expect(model.forward({ inputsEmbeds: embeds.subarray(1), seqLen: ids.length, variants: [{}] })).rejects.toMatchObject({ field: 'inputs_embeds' });
    await expect(model.encodeImage(new Float32Array(5))).rejects.toMatchObject({ field: 'pixel_values' });
    await expect(model.embedWithImage(ids, new Float32Array(model.info.hidden))).rejects.toMatchObject({ field: 'image_features' });
  });
});
