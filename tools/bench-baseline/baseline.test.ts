// The PyTorch hook baseline of `npm run bench` computes what our runtime computes: on the llava-tiny
// HF parity fixture, its head-patched forward, knockout forward and knockout generation (the very
// hook code the benchmark times) equal our ONNX runtime's. Needs Debian's python3 with torch; the
// torch-dependent tests skip only when /usr/bin/python3 cannot import torch (CI machines have none).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, Reference, type Model } from '@locscope/inference';
import { BaselineRunError, BaselineUnavailableError, DEFAULT_PYTHON, runBaseline, torchAvailable, writeBaselineCheck } from '../../services/inference/bench/baseline.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures/hf-parity/llava-tiny');
const ATOL = 1e-4;
const hasTorch = torchAvailable(DEFAULT_PYTHON);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe.skipIf(!hasTorch)('baseline hooks equal our runtime on llava-tiny', () => {
  let out: string;
  let ref: Reference;
  let model: Model;
  let ids: number[];
  let embedsA: Float32Array;
  let embedsB: Float32Array;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'locscope-baseline-check-'));
    await writeBaselineCheck(FIXTURE, out);
    ref = Reference.open(out);
    model = await loadModel(FIXTURE);
    ids = ref.ids('input_ids');
    embedsA = await model.embedWithImage(ids, (await model.encodeImage(ref.floats('pixel_values'))).features);
    embedsB = await model.embedWithImage(ids, (await model.encodeImage(ref.floats('pixel_values_b'))).features);
  });

  afterAll(async () => {
    await model?.dispose();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const json = () => ref.json as unknown as {
    patch: { layer: number; head: number; positions: number[] };
    knockout: { layers: number[]; key_positions: number[]; queries_from: number };
  };

  test('clean forward on image B', async () => {
    const { logits } = await model.forward({ inputsEmbeds: embedsB, seqLen: ids.length, variants: [{}], logits: 'all' });
    expect(maxAbsDiff(logits.data, ref.floats('logits_b'))).toBeLessThanOrEqual(ATOL);
  });

  test('head patched from the source run (image A) at every position after the image', async () => {
    const { layer, head, positions } = json().patch;
    const source = await model.forward({ inputsEmbeds: embedsA, seqLen: ids.length, variants: [{}], logits: 'last', captures: { attnPreOProj: true } });
    const captured = source.captures[`attn_pre_o_proj.${layer}`].data;
    const { headDim, heads } = model.info;
    const values = new Float32Array(positions.length * headDim);
    positions.forEach((p, j) => values.set(captured.subarray((p * heads + head) * headDim, (p * heads + head + 1) * headDim), j * headDim));
    const { logits } = await model.forward({ inputsEmbeds: embedsB, seqLen: ids.length, variants: [{ patches: [{ layer, head, positions, values }] }], logits: 'all' });
    expect(maxAbsDiff(logits.data, ref.floats('patch.logits'))).toBeLessThanOrEqual(ATOL);
    // The patch must matter, or equality would prove nothing about the hook.
    expect(maxAbsDiff(ref.floats('patch.logits'), ref.floats('logits_b'))).toBeGreaterThan(1e-2);
  });

  test('attention knockout: forward, and 16 greedy tokens with the knockout active while decoding', async () => {
    const { layers, key_positions: keyPositions, queries_from: queriesFrom } = json().knockout;
    const variants = [{ knockouts: [{ layers, keyPositions, queriesFrom }] }];
    const { logits } = await model.forward({ inputsEmbeds: embedsA, seqLen: ids.length, variants, logits: 'all' });
    expect(maxAbsDiff(logits.data, ref.floats('knockout.logits'))).toBeLessThanOrEqual(ATOL);
    const clean = await model.forward({ inputsEmbeds: embedsA, seqLen: ids.length, variants: [{}], logits: 'all' });
    expect(maxAbsDiff(logits.data, clean.logits.data)).toBeGreaterThan(1e-3);

    const tokens = ref.ids('knockout.tokens');
    const generated = await model.generate({ inputsEmbeds: embedsA, seqLen: ids.length, variants, maxNewTokens: tokens.length, eosTokenIds: [] });
    expect(generated.tokens[0]).toEqual(tokens);
    expect(maxAbsDiff(Float32Array.from(generated.logProbs[0]), ref.floats('knockout.log_probs'))).toBeLessThanOrEqual(ATOL);
  });

  test('an unloadable checkpoint fails with the script stderr naming the file', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'locscope-baseline-empty-'));
    try {
      const run = runBaseline(empty);
      await expect(run).rejects.toBeInstanceOf(BaselineRunError);
      await expect(run).rejects.toThrow(/config\.json/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('baseline availability', () => {
  test('a python that cannot be started is a BaselineUnavailableError, not a crash', async () => {
    const run = runBaseline(FIXTURE, { python: join(tmpdir(), 'no-such-python') });
    await expect(run).rejects.toBeInstanceOf(BaselineUnavailableError);
    await expect(run).rejects.toMatchObject({ reason: 'python-missing' });
  });

  // The pyenv python3 on PATH here runs but has no torch; where no such python exists, this case cannot be staged.
  const pathPythonLacksTorch = spawnSync('python3', ['-c', '0']).status === 0 && !torchAvailable('python3');
  test.skipIf(!pathPythonLacksTorch)('a python without torch is reported as torch-missing', async () => {
    await expect(runBaseline(FIXTURE, { python: 'python3' })).rejects.toMatchObject({ reason: 'torch-missing' });
  });
});
