import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, truncateSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { ALIGNED_DATA_FILE, ensureAlignedDataFile } from './aligned-data-file.ts';
import { inPlaceExternalData, type ExternalDataSource } from './external-data.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { readByteRange, readSafetensorsHeader } from './safetensors.ts';
import { writeAll } from './safetensors-writer.ts';
import { INTERNVL_TINY, LLAVA_TINY, rewriteCheckpoint, scratchDir } from './test-support.ts';

const scratch = scratchDir('external');
afterAll(scratch.cleanup);

const NAMES = ['model.language_model.layers.0.self_attn.q_norm.weight', 'model.vision_tower.embeddings.cls_token', 'lm_head.weight'];

/** Runs onnxruntime on a graph whose outputs are the named initializers, loaded as external data from `source`. */
async function runThroughOnnxruntime(source: ExternalDataSource, names: readonly string[]): Promise<Float32Array[]> {
  const g = new GraphBuilder('external-data-check');
  names.forEach((name, i) => {
    const where = source.locate(name);
    const value = g.externalTensor(name, 'float32', where.entry.shape, where);
    g.output(g.identity(value), `out${i}`, 'float32', where.entry.shape);
  });
  const session = await ort.InferenceSession.create(g.toBytes(), { extra: { session: { model_external_initializers_file_folder_path: source.folder } } });
  try {
    const result = await session.run({});
    return names.map((_, i) => result[`out${i}`]!.data as Float32Array);
  } finally {
    await session.release();
  }
}

describe('in-place external data', () => {
  it('points into the safetensors files, and onnxruntime reads the same values as the WeightStore', async () => {
    const c = loadCheckpoint(INTERNVL_TINY);
    const source = inPlaceExternalData(c.weights);
    expect(source.folder).toBe(INTERNVL_TINY.replace(/\/$/, ''));
    expect(source.locate('lm_head.weight')).toMatchObject({ location: 'model.safetensors', offset: c.weights.get('lm_head.weight').offset, length: 640 * 64 * 4 });
    const values = await runThroughOnnxruntime(source, NAMES);
    NAMES.forEach((name, i) => expect(Array.from(values[i]!)).toEqual(Array.from(c.weights.readFloat32(name))));
  });
});

describe('aligned data file', () => {
  it('places every tensor at a 4096-aligned offset with identical bytes, and onnxruntime reads it', async () => {
    const c = loadCheckpoint(INTERNVL_TINY);
    const aligned = ensureAlignedDataFile(c.weights, { cacheRoot: join(scratch.dir, 'cache-a') });
    expect(aligned.written).toBe(true);
    expect(aligned.file).toBe(join(aligned.folder, ALIGNED_DATA_FILE));
    for (const name of c.weights.entries.keys()) {
      const where = aligned.locate(name);
      expect(where.offset % 4096, name).toBe(0);
      const original = c.weights.get(name);
      expect(Buffer.from(readByteRange(aligned.file, where.offset, where.length)).equals(Buffer.from(readByteRange(original.file, original.offset, original.byteLength))), name).toBe(true);
    }
    const values = await runThroughOnnxruntime(aligned, NAMES);
    NAMES.forEach((name, i) => expect(Array.from(values[i]!)).toEqual(Array.from(c.weights.readFloat32(name))));
  });

  it('is reused on later loads, rewritten when a weight file changes, and leaves no staging directories', () => {
    const dir = join(scratch.dir, 'llava-copy');
    rewriteCheckpoint(LLAVA_TINY, dir, { shards: 2 });
    const cacheRoot = join(scratch.dir, 'cache-b');
    const first = ensureAlignedDataFile(loadCheckpoint(dir).weights, { cacheRoot });
    const second = ensureAlignedDataFile(loadCheckpoint(dir).weights, { cacheRoot });
    expect([first.written, second.written]).toEqual([true, false]);
    expect(second.fingerprint).toBe(first.fingerprint);

    const shard = join(dir, 'model-00002-of-00002.safetensors');
    utimesSync(shard, new Date(), new Date(Date.now() + 60_000));
    const third = ensureAlignedDataFile(loadCheckpoint(dir).weights, { cacheRoot });
    expect(third.written).toBe(true);
    expect(third.fingerprint).not.toBe(first.fingerprint);
    expect(readdirSync(cacheRoot).sort()).toEqual([first.fingerprint, third.fingerprint].sort());
  });

  it('a tied lm_head shares the embedding bytes instead of a second copy', () => {
    const dir = join(scratch.dir, 'tied');
    rewriteCheckpoint(INTERNVL_TINY, dir, { tensor: (t) => (t.name.endsWith('lm_head.weight') ? undefined : t), config: (cfg) => (cfg.text_config.tie_word_embeddings = true) });
    const aligned = ensureAlignedDataFile(loadCheckpoint(dir).weights, { cacheRoot: join(scratch.dir, 'cache-c') });
    expect(aligned.locate('lm_head.weight').offset).toBe(aligned.locate('model.language_model.embed_tokens.weight').offset);
    expect(existsSync(aligned.file)).toBe(true);
  });

  it('rejects an alignment that is not a power of two', () => {
    expect(() => ensureAlignedDataFile(loadCheckpoint(LLAVA_TINY).weights, { cacheRoot: scratch.dir, alignment: 3000 })).toThrow(/alignment 3000 is not a power of two/);
  });
});

describe('a checkpoint larger than 4 GB', () => {
  it('loads, reads and feeds onnxruntime tensors stored beyond 2^32 (sparse file, nothing large is written)', async () => {
    // internvl-tiny's tensors behind a 4.5 GB U8 padding tensor that is never written.
    const dir = join(scratch.dir, 'huge');
    mkdirSync(dir);
    for (const f of ['config.json', 'preprocessor_config.json', 'generation_config.json']) copyFileSync(join(INTERNVL_TINY, f), join(dir, f));
    const source = readSafetensorsHeader(join(INTERNVL_TINY, 'model.safetensors'));
    const pad = 4.5 * 2 ** 30;
    const header: Record<string, unknown> = { pad: { dtype: 'U8', shape: [pad], data_offsets: [0, pad] } };
    let offset = pad;
    for (const t of source.tensors.values()) {
      header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.byteLength] };
      offset += t.byteLength;
    }
    const json = Buffer.from(JSON.stringify(header));
    const file = join(dir, 'model.safetensors');
    const fd = openSync(file, 'w');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.byteLength));
    writeAll(fd, length, 0);
    writeAll(fd, json, 8);
    let at = 8 + json.byteLength + pad;
    for (const t of source.tensors.values()) {
      writeAll(fd, readByteRange(source.file, t.offset, t.byteLength), at);
      at += t.byteLength;
    }
    closeSync(fd);

    const big = loadCheckpoint(dir);
    const small = loadCheckpoint(INTERNVL_TINY);
    expect(big.weights.get('lm_head.weight').offset).toBeGreaterThan(2 ** 32);
    for (const name of small.weights.entries.keys()) {
      expect(Buffer.from(big.weights.readFloat32(name).buffer).equals(Buffer.from(small.weights.readFloat32(name).buffer)), name).toBe(true);
    }
    const values = await runThroughOnnxruntime(inPlaceExternalData(big.weights), NAMES);
    NAMES.forEach((name, i) => expect(Array.from(values[i]!)).toEqual(Array.from(small.weights.readFloat32(name))));
    truncateSync(file, 0);
  });
});
