// A checkpoint's weights in the form the graphs compute with, written once per checkpoint version
// and compute dtype into a cache folder: one float32 or float16 file per initializer (so every one starts page-aligned), linear
// layers' matrices already transposed to [in, out] and, where a graph stacks several projections
// of one input, side by side. The graphs then use every file as it is, so onnxruntime maps it
// (file-backed pages that every session of the model shares) instead of folding a transposed,
// widened or concatenated copy into each session's own memory (`npm run bench`'s
// graph_variant_private_mb: 281 MB per decoder graph variant before, ~30–40 MB after).
// Building a graph only names the files it needs; `flush()` then writes the missing ones
// asynchronously (minutes of disk writes for a 7B model must not stall a server's event loop), each
// to a temporary name renamed into place, so concurrent loaders never read a partial file.
// float32 and float16 preparations of one checkpoint live in different folders (the dtype is part
// of the version), so models loaded in both precisions, by one process or several, never collide.
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UnavailableError } from '@locscope/server-kit';
import type { WeightStore } from '../checkpoint/types.ts';
import { assertShape } from '../checkpoint/weight-store.ts';
import type { ComputeDType } from '@locscope/onnx-graph';
import { recordWeightPreparation } from '../telemetry.ts';

/** Bump when the file layout changes, so caches of the old layout are not reused. */
const FORMAT_VERSION = 1;
/** Longest file name built from tensor names; longer ones (long stacks) get a hash instead. */
const MAX_FILE_NAME = 200;
/** Transpose tile edge: keeps both the read and the write side of a tile in cache. */
const TILE = 32;

/** locscope's cache folder: `$LOCSCOPE_CACHE_DIR`, else `~/.cache/locscope`. */
export function locscopeCacheRoot(): string {
  return process.env['LOCSCOPE_CACHE_DIR'] ?? join(homedir(), '.cache', 'locscope');
}

/** `$LOCSCOPE_CACHE_DIR/weights`, else `~/.cache/locscope/weights`. */
function defaultWeightsCacheRoot(): string {
  return join(locscopeCacheRoot(), 'weights');
}

/** A prepared weight file could not be written (disk full, no permission): UNAVAILABLE, naming the file; a later build retries. */
export class PreparedWeightsError extends UnavailableError {}

/** One prepared initializer: a file of `PreparedWeights.dtype` values in `PreparedWeights.dir`. */
export interface PreparedTensor {
  /** File name relative to `dir` (the external-data location). */
  location: string;
  dims: number[];
  byteLength: number;
}

const BYTES: Record<ComputeDType, number> = { float32: 4, float16: 2 };
/** A file's values: float32 values, or float16 bit patterns (kept as bits: converted once, from the checkpoint's bytes). */
type Elements = Float32Array | Uint16Array;
const SUFFIX: Record<ComputeDType, string> = { float32: 'f32', float16: 'f16' };

export class PreparedWeights {
  /** Files named by a built graph and not on disk yet: location → how to compute their values. */
  private readonly pending = new Map<string, { byteLength: number; values: () => Elements }>();
  /** Flushes run one after another, so a flush also waits for files an earlier one took over. */
  private flushing: Promise<void> = Promise.resolve();
  /** The matrices behind each file `transposed` named. */
  private readonly transposedSources = new Map<string, readonly string[]>();

  /**
   * @param store the checkpoint's weights (names, shapes, values)
   * @param dir the folder of this checkpoint version's prepared files: the external-data folder
   *   every session of the model is created with
   * @param dtype the element type of every file (the graphs' compute dtype)
   */
  constructor(
    readonly store: WeightStore,
    readonly dir: string,
    readonly dtype: ComputeDType = 'float32',
  ) {}

  /** The prepared `dtype` weights of `store` under `cacheRoot`, in a folder named by the checkpoint version and dtype. */
  static open(store: WeightStore, cacheRoot: string = defaultWeightsCacheRoot(), dtype: ComputeDType = 'float32'): PreparedWeights {
    return new PreparedWeights(store, join(cacheRoot, `${checkpointVersion(store, dtype)}-${dtype}`), dtype);
  }

  /** `name` in its own layout. */
  tensor(name: string): PreparedTensor {
    const entry = this.store.get(name);
    return this.ensure(`${name}.${SUFFIX[this.dtype]}`, entry.shape, () => this.read(name));
  }

  /**
   * The matrices `names` (each [out_i, in], as nn.Linear stores them) transposed and side by side:
   * [in, Σ out_i], so that x·result = the projections' outputs concatenated along the last axis.
   */
  transposed(names: readonly string[]): PreparedTensor {
    const shapes = names.map((name) => this.store.get(name).shape);
    const inSize = shapes[0][1];
    names.forEach((name, i) => assertShape(this.store.get(name), [shapes[i][0], inSize], `a linear layer stacked with '${names[0]}'`));
    const width = shapes.reduce((sum, [out]) => sum + out, 0);
    const file = `${stackName(names)}.T.${SUFFIX[this.dtype]}`;
    this.transposedSources.set(file, names);
    return this.ensure(file, [inSize, width], () => {
      const out = this.allocate(inSize * width);
      let column = 0;
      names.forEach((name, i) => {
        transposeInto(this.read(name), shapes[i][0], inSize, out, width, column);
        column += shapes[i][0];
      });
      return out;
    });
  }

  /**
   * The transpose of a file `transposed` named (null for any other location): its matrices in their
   * own layout, stacked by rows, [Σ out_i, in]. A backward pass multiplies by it (dx = dy·W).
   */
  untransposed(location: string): PreparedTensor | null {
    const names = this.transposedSources.get(location);
    if (!names) return null;
    if (names.length === 1) return this.tensor(names[0]);
    const shapes = names.map((name) => this.store.get(name).shape);
    const rows = shapes.reduce((sum, [out]) => sum + out, 0);
    return this.ensure(`${stackName(names)}.${SUFFIX[this.dtype]}`, [rows, shapes[0][1]], () => {
      const out = this.allocate(rows * shapes[0][1]);
      let offset = 0;
      for (const name of names) {
        const matrix = this.read(name);
        out.set(matrix, offset);
        offset += matrix.length;
      }
      return out;
    });
  }

  /** Writes every file named since the last flush that is not on disk yet; sessions are created after it. */
  flush(): Promise<void> {
    const run = this.flushing.catch(() => {}).then(async () => {
      const named = [...this.pending];
      this.pending.clear();
      const started = performance.now();
      let written = 0;
      // One file at a time: each holds a whole tensor in memory while it is written.
      for (const [location, file] of named) written += await this.write(location, file.byteLength, file.values);
      if (written > 0) recordWeightPreparation(written, (performance.now() - started) / 1000, this.dtype);
    });
    this.flushing = run;
    return run;
  }

  /** `name`'s values in the file dtype (float16: Float16RangeError naming the tensor for a value it cannot hold). */
  private read(name: string): Elements {
    return this.dtype === 'float16' ? this.store.readFloat16Bits(name) : this.store.readFloat32(name);
  }

  private allocate(length: number): Elements {
    return this.dtype === 'float16' ? new Uint16Array(length) : new Float32Array(length);
  }

  private ensure(location: string, dims: number[], values: () => Elements): PreparedTensor {
    const byteLength = BYTES[this.dtype] * dims.reduce((a, b) => a * b, 1);
    const path = join(this.dir, location);
    if (!isWritten(path, byteLength)) this.pending.set(location, { byteLength, values });
    return { location, dims, byteLength };
  }

  /** Writes one file unless it is already there; returns the bytes written. */
  private async write(location: string, byteLength: number, values: () => Elements): Promise<number> {
    const path = join(this.dir, location);
    // Named again by a graph built before an earlier flush wrote it.
    if (isWritten(path, byteLength)) return 0;
    // Outside the try: a value float16 cannot hold is the checkpoint's defect, not the disk's.
    const data = values();
    const partial = `${path}.partial-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(this.dir, { recursive: true });
      await writeFile(partial, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      // Atomic: a concurrent writer of the same tensor renames identical bytes over it.
      await rename(partial, path);
      return byteLength;
    } catch (error) {
      // Best effort: the cause (e.g. the folder is not a directory) may prevent this too.
      await rm(partial, { force: true }).catch(() => {});
      throw new PreparedWeightsError(`could not write prepared weights ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** A file name for several tensors: their names joined, or the first one and a hash when that is too long. */
function stackName(names: readonly string[]): string {
  const joined = names.join('+');
  return joined.length <= MAX_FILE_NAME ? joined : `${names[0]}+${names.length - 1}-${hash(names.join('\n')).slice(0, 16)}`;
}

function isWritten(path: string, byteLength: number): boolean {
  return existsSync(path) && statSync(path).size === byteLength;
}

/** out[c, column + r] = matrix[r, c] for matrix [rows, cols], out [cols, width] (row-major). */
export function transposeInto<T extends Elements>(matrix: T, rows: number, cols: number, out: T, width: number, column: number): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const rEnd = Math.min(r0 + TILE, rows);
      const cEnd = Math.min(c0 + TILE, cols);
      for (let r = r0; r < rEnd; r++) {
        for (let c = c0; c < cEnd; c++) out[c * width + column + r] = matrix[r * cols + c];
      }
    }
  }
}

/** Names the checkpoint version and the prepared dtype: the weight files' paths, sizes and modification times. */
function checkpointVersion(store: WeightStore, dtype: ComputeDType): string {
  const files = [...new Set([...store.entries.values()].map((e) => e.file))].sort().map((file) => {
    const s = statSync(file);
    return [file, s.size, s.mtimeMs];
  });
  return hash(JSON.stringify({ format: FORMAT_VERSION, dtype, files })).slice(0, 24);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
