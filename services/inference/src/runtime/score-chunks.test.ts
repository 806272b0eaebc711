// Score under an activation budget: variants run in chunks of as many rows as the budget holds,
// and every variant's log-probs are bit for bit those of the one-batch run (shared and
// per-variant inputs, whole-sequence and cached-prefix scoring) on both fixture families: each
// batch row is computed on its own, so the chunking changes no arithmetic.
import { beforeAll, describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '@locscope/server-kit';
import { loadModel, type Model } from './model.ts';
import type { Intervention } from '../interventions/intervention.ts';
import { Reference } from '../parity/reference.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const dir = join(FIXTURES, fixture);
  let whole: Model;
  let embeds: Float32Array;
  let T: number;
  let variants: Intervention[];
  let targets: { positions: number[]; tokenIds: number[] };

  beforeAll(async () => {
    whole = await loadModel(dir, { intraOpNumThreads: 1 });
    const ref = Reference.open(dir);
    const ids = ref.ids('input_ids');
    T = ids.length;
    embeds = await whole.embedWithImage(ids, (await whole.encodeImage(ref.floats('pixel_values'))).features);
    const L = whole.info.layers;
    // Five rows (an odd count: the last chunk is short), layer-sharing groups included.
    variants = [
      {},
      { ablations: [{ layer: 0, head: 0 }] },
      { ablations: [{ layer: L - 1, head: whole.info.heads - 1, scale: 0.5 }] },
      { knockouts: [{ layers: [L - 1], keyPositions: [1, 2], queriesFrom: T - 3 }] },
      { ablations: [{ layer: 1, head: 1 }] },
    ];
    targets = { positions: [T - 2, T - 1], tokenIds: [3, 9] };
  });

  /** A model of `fixture` whose budget holds `rows` rows of the full sequence. */
  const chunked = (rows: number) => loadModel(dir, { intraOpNumThreads: 1, activationBudgetBytes: rows * whole.activationBytesPerRow(T, T) });

  test('chunks of 1 and 2 rows score every variant as one batch does (shared input)', async () => {
    const batched = await whole.score({ inputsEmbeds: embeds, seqLen: T, variants, targets });
    for (const rows of [1, 2]) {
      const scores = await (await chunked(rows)).score({ inputsEmbeds: embeds, seqLen: T, variants, targets });
      expect(scores).toHaveLength(variants.length);
      scores.forEach((lp, b) => expect(lp).toEqual(batched[b]));
    }
  });

  test('the layers before each group start are computed once, not once per chunk', async () => {
    const model = await chunked(1);
    // Every run of the decoder, as the graph is fed: how many rows, and from which layer.
    const runs: { rows: number; from: number }[] = [];
    const runDecoder = (model as unknown as { runDecoder: (run: { variants: unknown[]; startLayer?: number }, fetches: unknown) => Promise<unknown> }).runDecoder.bind(model);
    (model as unknown as { runDecoder: typeof runDecoder }).runDecoder = (run, fetches) => {
      runs.push({ rows: run.variants.length, from: run.startLayer ?? 0 });
      return runDecoder(run, fetches);
    };
    const scores = await model.score({ inputsEmbeds: embeds, seqLen: T, variants, targets });
    const batched = await whole.score({ inputsEmbeds: embeds, seqLen: T, variants, targets });
    scores.forEach((lp, b) => expect(lp).toEqual(batched[b]));
    // One clean pass over every layer, then one run per hooked variant (chunks of 1 row).
    expect(runs.every((r) => r.rows === 1)).toBe(true);
    expect(runs).toHaveLength(1 + variants.filter((v) => Object.keys(v).length > 0).length);
    expect(runs.filter((r) => r.from > 0).length).toBeGreaterThan(0);
  });

  test('per-variant inputs go with their variant into each chunk', async () => {
    // Row b's embeddings scaled by 1 + b/10: a chunk given another row's input would score differently.
    const rows = new Float32Array(variants.length * embeds.length);
    variants.forEach((_, b) => rows.set(embeds.map((v) => v * (1 + b / 10)), b * embeds.length));
    const batched = await whole.score({ inputsEmbeds: rows, seqLen: T, variants, targets });
    const scores = await (await chunked(2)).score({ inputsEmbeds: rows, seqLen: T, variants, targets });
    scores.forEach((lp, b) => expect(lp).toEqual(batched[b]));
    expect(maxAbsDiff(batched[0], batched[1])).toBeGreaterThan(1e-3);
  });

  test('scoring over a cached prefix is chunked the same way', async () => {
    const late: Intervention[] = [{}, { ablations: [{ layer: 0, head: 0 }] }, { knockouts: [{ layers: [0], keyPositions: [1], queriesFrom: T - 3 }] }];
    const start = T - 4;
    const request = { inputsEmbeds: embeds.subarray(start * whole.info.hidden), seqLen: T - start, variants: late, targets };
    const batched = await whole.scoreSuffix({ ...request, prefix: await whole.prefill(embeds.subarray(0, start * whole.info.hidden), start) });
    const model = await chunked(1);
    const scores = await model.scoreSuffix({ ...request, prefix: await model.prefill(embeds.subarray(0, start * whole.info.hidden), start) });
    scores.forEach((lp, b) => expect(lp).toEqual(batched[b]));
  });

  test('a budget that is not a positive number of bytes is refused naming the option', async () => {
    for (const budget of [0, -1, Number.NaN]) {
      await expect(loadModel(dir, { activationBudgetBytes: budget })).rejects.toThrow(expect.objectContaining({ constructor: InvalidArgumentError, field: 'activation_budget_bytes' }));
    }
  });
});
