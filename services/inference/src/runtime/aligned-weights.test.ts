// The aligned weight cache: every tensor page-aligned in one file, byte-identical to the source
// range, written once and reused, and a model loaded through it computes the same as without.
import { afterAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openWeightStore, readByteRange } from '../checkpoint/index.ts';
import { ALIGNED_WEIGHTS_FILE, WEIGHT_ALIGNMENT, alignedWeights } from './aligned-weights.ts';
import { loadModel, type Model } from './model.ts';
import { Reference } from '../parity/reference.ts';
import { maxAbsDiff } from '../parity/run-parity.ts';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity/llava-tiny');

describe('alignedWeights', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'locscope-aligned-'));
  const models: Model[] = [];
  afterAll(() => Promise.all(models.map((m) => m.dispose())));

  test('puts every tensor at an aligned offset with its original bytes, once', () => {
    const store = openWeightStore(FIXTURE);
    const aligned = alignedWeights(store, cacheDir);
    for (const entry of store.entries.values()) {
      const copy = aligned.store.get(entry.name);
      expect(copy.file).toBe(join(aligned.dir, ALIGNED_WEIGHTS_FILE));
      expect(copy.offset % WEIGHT_ALIGNMENT).toBe(0);
      const same = Buffer.from(readByteRange(copy.file, copy.offset, copy.byteLength)).equals(Buffer.from(readByteRange(entry.file, entry.offset, entry.byteLength)));
      expect(same, entry.name).toBe(true);
    }
    const written = statSync(join(aligned.dir, ALIGNED_WEIGHTS_FILE)).mtimeMs;
    const again = alignedWeights(openWeightStore(FIXTURE), cacheDir);
    expect(again.dir).toBe(aligned.dir);
    expect(statSync(join(again.dir, ALIGNED_WEIGHTS_FILE)).mtimeMs).toBe(written);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  test('a model loaded with a cacheDir computes what the direct one computes', async () => {
    const ref = Reference.open(FIXTURE);
    const direct = await loadModel(FIXTURE, { intraOpNumThreads: 1 });
    const viaCache = await loadModel(FIXTURE, { intraOpNumThreads: 1, cacheDir });
    models.push(direct, viaCache);
    const ids = ref.ids('input_ids');
    const run = async (m: Model) => {
      const embeds = await m.embedWithImage(ids, (await m.encodeImage(ref.floats('pixel_values'))).features);
      return (await m.forward({ inputsEmbeds: embeds, seqLen: ids.length, variants: [{}] })).logits.data;
    };
    expect(maxAbsDiff(await run(direct), await run(viaCache))).toBe(0);
  });
});
