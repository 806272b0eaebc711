// The real-size bench presets, scaled down: the writer that produces the 7B/8B checkpoints
// (same code path, tiny dimensions) must give save_pretrained's sharded layout, the published
// config except the sizes, initialized-model statistics, and a checkpoint our loader accepts.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS, PRESET_NAMES, SIZE_FIELDS, scaledDownPreset } from '../../bench/real-size/presets.ts';
import { cleanPresetCheckpoint, ensurePresetCheckpoint } from '../../bench/real-size/preset-checkpoint.ts';
import { QUESTION } from '../../bench/service-bench.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { SHARD_INDEX_FILE, openWeightStore } from './checkpoint-files.ts';
import { loadCheckpoint } from './load-checkpoint.ts';
import { COMPLETE_MARKER, INIT_STD } from './random-checkpoint.ts';
import { scratchDir } from './test-support.ts';

const scratch = scratchDir('random-checkpoint');
afterAll(scratch.cleanup);

/** Shards of a few MB, so even the tiny models split into several files. */
const SHARD_BYTES = 8 * 1024 * 1024;

/** Every leaf of `published` whose key is not a size field, with its path. */
function nonSizeLeaves(published: unknown, path = ''): [string, unknown][] {
  if (published === null || typeof published !== 'object' || Array.isArray(published)) return [[path, published]];
  return Object.entries(published).flatMap(([key, value]) => ((SIZE_FIELDS as readonly string[]).includes(key) ? [] : nonSizeLeaves(value, path ? `${path}.${key}` : key)));
}

function leaf(json: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], json);
}

function shardHashes(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((f) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex'));
}

describe.each(PRESET_NAMES)('preset %s scaled down', (name) => {
  const preset = scaledDownPreset(PRESETS[name]);
  const dir = join(scratch.dir, name);
  const written = ensurePresetCheckpoint(preset, dir, { maxShardBytes: SHARD_BYTES, seed: 7 });

  it('is sharded as save_pretrained writes it, under the names it stores', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort();
    expect(files.length).toBeGreaterThan(1);
    files.forEach((f, i) => expect(f).toBe(`model-${String(i + 1).padStart(5, '0')}-of-${String(files.length).padStart(5, '0')}.safetensors`));
    const index = JSON.parse(readFileSync(join(dir, SHARD_INDEX_FILE), 'utf8'));
    expect(index.metadata.total_size).toBe(written.bytes);
    expect(Object.keys(index.weight_map)).toContain('language_model.model.embed_tokens.weight');
    expect(Object.keys(index.weight_map)).toContain('language_model.lm_head.weight');
    expect(Object.keys(index.weight_map).some((n) => n.startsWith('model.'))).toBe(false);
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(files));
  });

  it("keeps every published config field except the sizes", () => {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const leaves = nonSizeLeaves(PRESETS[name].config);
    expect(leaves.length).toBeGreaterThan(10);
    for (const [path, value] of leaves) expect(leaf(config, path), path).toEqual(value);
  });

  it('loads with our loader, in the published dtype, and its prompt tokenizes', () => {
    const checkpoint = loadCheckpoint(dir);
    expect(checkpoint.config.dtype).toBe(name === 'llava-1.5-7b' ? 'F16' : 'BF16');
    expect(written.parameters).toBe([...checkpoint.weights.entries.values()].reduce((n, e) => n + e.shape.reduce((a, b) => a * b, 1), 0));
    const prompt = checkpoint.prompt.encode(QUESTION, { views: name === 'llava-1.5-7b' ? 1 : 7 });
    expect(prompt.image.end - prompt.image.start).toBe(checkpoint.config.imageSeqLength * (name === 'llava-1.5-7b' ? 1 : 7));
    // Words are single tokens (InternVL's Qwen-style spaces are tokens of their own), not characters.
    expect(prompt.afterImage.end - prompt.afterImage.start).toBeLessThan(QUESTION.length / 2);
  });

  it('has the statistics of an initialized model: matrices N(0, 0.02), norms 1, biases 0', () => {
    const { weights } = loadCheckpoint(dir);
    const matrix = weights.readFloat32('model.language_model.layers.0.mlp.up_proj.weight');
    const mean = matrix.reduce((a, b) => a + b, 0) / matrix.length;
    const std = Math.sqrt(matrix.reduce((a, b) => a + (b - mean) ** 2, 0) / matrix.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(std).toBeGreaterThan(INIT_STD * 0.9);
    expect(std).toBeLessThan(INIT_STD * 1.1);
    expect(new Set(weights.readFloat32('model.language_model.layers.1.input_layernorm.weight'))).toEqual(new Set([1]));
    const bias = name === 'llava-1.5-7b' ? 'model.multi_modal_projector.linear_1.bias' : 'model.vision_tower.encoder.layer.0.mlp.fc1.bias';
    expect(new Set(weights.readFloat32(bias))).toEqual(new Set([0]));
  });

  it('is written once, identically from the same seed, and redone when the marker is missing', () => {
    expect(ensurePresetCheckpoint(preset, dir, { maxShardBytes: SHARD_BYTES, seed: 7 }).written).toBe(false);
    const again = join(scratch.dir, `${name}-again`);
    ensurePresetCheckpoint(preset, again, { maxShardBytes: SHARD_BYTES, seed: 7 });
    expect(shardHashes(again)).toEqual(shardHashes(dir));
    rmSync(join(again, COMPLETE_MARKER));
    expect(ensurePresetCheckpoint(preset, again, { maxShardBytes: SHARD_BYTES, seed: 8 }).written).toBe(true);
    expect(shardHashes(again)).not.toEqual(shardHashes(dir));
  });

  it('--clean removes the checkpoint and its prepared weights', async () => {
    const victim = join(scratch.dir, `${name}-clean`);
    const weightsRoot = join(scratch.dir, `${name}-weights`);
    ensurePresetCheckpoint(preset, victim, { maxShardBytes: SHARD_BYTES });
    const prepared = PreparedWeights.open(openWeightStore(victim), weightsRoot);
    prepared.tensor('model.language_model.norm.weight');
    await prepared.flush();
    expect(cleanPresetCheckpoint(victim, weightsRoot)).toEqual([prepared.dir, victim]);
    expect(readdirSync(weightsRoot)).toEqual([]);
    expect(() => readdirSync(victim)).toThrow();
  });
});
