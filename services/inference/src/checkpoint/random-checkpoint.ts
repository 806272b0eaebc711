// A random-weight checkpoint for any supported config.json, laid out as transformers'
// save_pretrained writes it: tensors under the names it stores (legacy prefixes), in the config's
// dtype, split greedily in order into shards of at most `maxShardBytes` (model-0000i-of-0000n +
// model.safetensors.index.json; a single model.safetensors when one shard holds everything).
// Built for multi-GB real-size benches: tensors are generated while they are written, so memory
// stays at one chunk whatever the model size. The tensor list is expectedWeights(config), the
// same list the loader validates against, so a written checkpoint always loads.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xorshift128plus } from 'pure-rand/generator/xorshift128plus';
import { DTYPE_BYTES, fromFloat32 } from './dtype.ts';
import { expectedWeights } from './expected-weights.ts';
import { CONFIG_FILE } from './load-checkpoint.ts';
import { parseModelConfig } from './model-config.ts';
import { writeSafetensors, type TensorChunks, type TensorToWrite } from './safetensors-writer.ts';
import { SHARD_INDEX_FILE, SINGLE_FILE } from './checkpoint-files.ts';
import { legacyTensorName } from './tensor-names.ts';
import type { WeightDType } from './types.ts';

/** transformers' `initializer_range` default: the std of every initialized matrix and embedding. */
export const INIT_STD = 0.02;
/** save_pretrained's default `max_shard_size` ("5GB" = 5·10⁹ bytes). */
export const SAVE_PRETRAINED_MAX_SHARD_BYTES = 5e9;
/** Written last: a folder without it is a partial write and is redone. */
export const COMPLETE_MARKER = '.locscope-complete';

/**
 * Values are drawn from a pool of this many N(0, INIT_STD) samples, copied from a random offset
 * per chunk: generating and rounding 8·10⁹ normals one by one would take longer than the disk
 * writes. A bench measures speed and memory, for which windows of one pool are as good as
 * independent draws, and activations keep an initialized model's scale.
 */
const POOL_ELEMENTS = 1 << 21;
const CHUNK_ELEMENTS = 1 << 16;

export interface RandomCheckpointOptions {
  seed?: number;
  maxShardBytes?: number;
  /** Further JSON files of the checkpoint (tokenizer.json, generation_config.json, …) by file name. */
  files?: Record<string, unknown>;
  /** Called after each shard is written (progress of multi-GB writes). */
  onShard?: (file: string, index: number, count: number) => void;
}

export interface RandomCheckpointResult {
  dir: string;
  /** False when a complete checkpoint was already there. */
  written: boolean;
  parameters: number;
  bytes: number;
}

/** Writes a random checkpoint of `config` into `dir` unless a complete one is there. */
export function ensureRandomCheckpoint(dir: string, config: Record<string, unknown>, options: RandomCheckpointOptions = {}): RandomCheckpointResult {
  const parsed = parseModelConfig(config, join(dir, CONFIG_FILE));
  const tensors = [...expectedWeights(parsed)].map(([name, shape]) => ({ name, shape, numel: shape.reduce((a, b) => a * b, 1) }));
  const parameters = tensors.reduce((n, t) => n + t.numel, 0);
  const elementBytes = DTYPE_BYTES[parsed.dtype];
  const result = { dir, parameters, bytes: parameters * elementBytes };
  if (existsSync(join(dir, COMPLETE_MARKER))) return { ...result, written: false };

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const layerScale = parsed.family === 'internvl' ? parsed.vision.layerScaleInitValue : 0;
  const pool = new NormalPool(options.seed ?? 0, parsed.dtype);
  const toWrite: TensorToWrite[] = tensors.map(({ name, shape, numel }) => {
    const init = initialValue(name, shape, layerScale);
    return { name: legacyTensorName(name), dtype: parsed.dtype, shape, data: init === 'normal' ? pool.tensor(numel) : constant(numel, init, parsed.dtype) };
  });
  writeShards(dir, toWrite, options.maxShardBytes ?? SAVE_PRETRAINED_MAX_SHARD_BYTES, result.bytes, options.onShard);
  writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2));
  for (const [file, json] of Object.entries(options.files ?? {})) writeFileSync(join(dir, file), JSON.stringify(json, null, 2));
  writeFileSync(join(dir, COMPLETE_MARKER), '');
  return { ...result, written: true };
}

/**
 * How transformers initializes a tensor: biases 0; layer-scale vectors (InternViT lambda_1/2) at
 * layer_scale_init_value; every 1-D `.weight` of both architectures is a norm's (1); all other
 * tensors — matrices, embeddings, CLIP's class embedding — N(0, INIT_STD).
 */
function initialValue(name: string, shape: readonly number[], layerScale: number): number | 'normal' {
  if (name.endsWith('.bias')) return 0;
  if (/\.lambda_[12]$/.test(name)) return layerScale;
  if (shape.length === 1 && name.endsWith('.weight')) return 1;
  return 'normal';
}

function constant(numel: number, value: number, dtype: WeightDType): Uint8Array {
  return fromFloat32(new Float32Array(numel).fill(value), dtype);
}

/** Seeded N(0, INIT_STD) samples in the checkpoint's dtype, handed out as pool windows. */
class NormalPool {
  private readonly bytes: Uint8Array;
  private readonly elementBytes: number;
  private rng;

  constructor(seed: number, dtype: WeightDType) {
    this.rng = xorshift128plus(seed);
    const values = new Float32Array(POOL_ELEMENTS);
    // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
    for (let i = 0; i < values.length; i++) values[i] = INIT_STD * Math.sqrt(-2 * Math.log(1 - uniformFloat64(this.rng))) * Math.cos(2 * Math.PI * uniformFloat64(this.rng));
    this.bytes = fromFloat32(values, dtype);
    this.elementBytes = DTYPE_BYTES[dtype];
  }

  tensor(numel: number): TensorChunks {
    const byteLength = numel * this.elementBytes;
    // Offsets are drawn when the tensor is written, in file order: the same seed gives the same bytes.
    const next = (elements: number) => Math.floor(uniformFloat64(this.rng) * (POOL_ELEMENTS - elements + 1)) * this.elementBytes;
    const bytes = this.bytes;
    const elementBytes = this.elementBytes;
    return {
      byteLength,
      *chunks() {
        for (let done = 0; done < numel; done += CHUNK_ELEMENTS) {
          const elements = Math.min(CHUNK_ELEMENTS, numel - done);
          const start = next(elements);
          yield bytes.subarray(start, start + elements * elementBytes);
        }
      },
    };
  }
}

/** save_pretrained's split: tensors in order, a new shard whenever the next would overflow this one. */
function writeShards(dir: string, tensors: TensorToWrite[], maxShardBytes: number, totalBytes: number, onShard: RandomCheckpointOptions['onShard']): void {
  const shards: TensorToWrite[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    if (size > 0 && size + t.data.byteLength > maxShardBytes) {
      shards.push([]);
      size = 0;
    }
    shards.at(-1)!.push(t);
    size += t.data.byteLength;
  }
  const metadata = { format: 'pt' };
  if (shards.length === 1) {
    writeSafetensors(join(dir, SINGLE_FILE), tensors, metadata);
    onShard?.(SINGLE_FILE, 0, 1);
    return;
  }
  const weightMap: Record<string, string> = {};
  const count = String(shards.length).padStart(5, '0');
  shards.forEach((shard, i) => {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${count}.safetensors`;
    writeSafetensors(join(dir, file), shard, metadata);
    for (const t of shard) weightMap[t.name] = file;
    onShard?.(file, i, shards.length);
  });
  const sorted = Object.fromEntries(Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(join(dir, SHARD_INDEX_FILE), JSON.stringify({ metadata: { total_size: totalBytes }, weight_map: sorted }, null, 2));
}
