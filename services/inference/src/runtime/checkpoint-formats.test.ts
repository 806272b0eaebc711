// The runtime on other checkpoint layouts than the fixtures' single F32 file: the InternVL fixture
// re-saved as two shards (+ model.safetensors.index.json) must load (external data spread over
// several files). F32 shards under canonical names equal the original; BF16/F16 shards (widened
// in-graph) equal an F32 checkpoint holding the same rounded values.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFloat16 } from '@petamoriken/float16';
import { openWeightStore, writeSafetensors, type TensorToWrite } from '../checkpoint/index.ts';
import { loadModel, type Model } from './model.ts';
import { Reference } from '../parity/reference.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity/internvl-tiny');

type Encode = (v: Float32Array) => { dtype: string; data: ArrayBufferView };
const encoders: Record<string, Encode> = {
  F32: (v) => ({ dtype: 'F32', data: v }),
  BF16: (v) => ({ dtype: 'BF16', data: Uint16Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length), (u) => (u + 0x7fff + ((u >> 16) & 1)) >>> 16) }),
  F16: (v) => {
    const out = new Uint16Array(v.length);
    const view = new DataView(out.buffer);
    v.forEach((x, i) => setFloat16(view, i * 2, x, true));
    return { dtype: 'F16', data: out };
  },
};

/** Re-saves the weights of checkpoint `from` as two shards in `dtype`, optionally under canonical names. */
function resave(from: string, dtype: string, canonicalNames: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `locscope-${dtype}-`));
  for (const f of ['config.json', 'generation_config.json', 'preprocessor_config.json']) copyFileSync(join(FIXTURE, f), join(dir, f));
  const store = openWeightStore(from);
  const stored = [...store.entries.values()].map((e) => e.storedName);
  const shards: TensorToWrite[][] = [[], []];
  const weightMap: Record<string, string> = {};
  stored.forEach((storedName, i) => {
    const entry = [...store.entries.values()].find((e) => e.storedName === storedName)!;
    const name = canonicalNames ? entry.name : storedName;
    const shard = i % 2;
    shards[shard].push({ name, shape: entry.shape, ...encoders[dtype](store.readFloat32(entry.name)) });
    weightMap[name] = `model-0000${shard + 1}-of-00002.safetensors`;
  });
  shards.forEach((tensors, i) => writeSafetensors(join(dir, `model-0000${i + 1}-of-00002.safetensors`), tensors));
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return dir;
}

async function logits(model: Model, ref: Reference): Promise<Float32Array> {
  const ids = ref.ids('input_ids');
  const embeds = await model.embedWithImage(ids, (await model.encodeImage(ref.floats('pixel_values'))).features);
  return (await model.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [{}] })).logits.data;
}

describe('checkpoint layouts', () => {
  const ref = Reference.open(FIXTURE);
  let expected: Float32Array;
  const models: Model[] = [];
  beforeAll(async () => {
    const model = await loadModel(FIXTURE, { intraOpNumThreads: 1 });
    models.push(model);
    expected = await logits(model, ref);
  });
  afterAll(() => Promise.all(models.map((m) => m.dispose())));

  test('two F32 shards under canonical names equal the single legacy-named file', async () => {
    const model = await loadModel(resave(FIXTURE, 'F32', true), { intraOpNumThreads: 1 });
    models.push(model);
    expect(maxAbsDiff(expected, await logits(model, ref))).toBeLessThanOrEqual(1e-6);
  });

  test.each(['BF16', 'F16'])('%s shards compute what F32 shards of the same rounded values compute', async (dtype) => {
    const halfDir = resave(FIXTURE, dtype, false);
    const half = await loadModel(halfDir, { intraOpNumThreads: 1 });
    const widened = await loadModel(resave(halfDir, 'F32', false), { intraOpNumThreads: 1 });
    models.push(half, widened);
    const halfLogits = await logits(half, ref);
    expect(maxAbsDiff(await logits(widened, ref), halfLogits)).toBeLessThanOrEqual(1e-5);
    // Rounding the weights did change the result (the half-precision data was really used).
    expect(maxAbsDiff(expected, halfLogits)).toBeGreaterThan(1e-4);
  });
});
