// An aligned copy of a checkpoint's weights, written once into a cache folder: every tensor starts
// at a multiple of WEIGHT_ALIGNMENT in one `weights.bin`. Execution providers that upload or map
// external data page-wise (CUDA; onnxruntime's CPU memory-mapping) need this; safetensors offsets
// are only 8-byte aligned. The folder name is a hash of the source files' paths, sizes and mtimes,
// so a changed checkpoint gets a fresh copy; `manifest.json` is written last as the completion mark.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readByteRange } from '../checkpoint/index.ts';
import type { TensorEntry, WeightStore } from '../checkpoint/index.ts';

export const WEIGHT_ALIGNMENT = 4096;
export const ALIGNED_WEIGHTS_FILE = 'weights.bin';
const MANIFEST_FILE = 'manifest.json';

interface Manifest {
  alignment: number;
  /** Source `${file}:${offset}` → offset in weights.bin (tied tensors share one copy). */
  offsets: Record<string, number>;
}

export interface AlignedWeights {
  /** The folder that holds weights.bin: the external-data folder for sessions. */
  dir: string;
  store: WeightStore;
}

/** Returns the aligned copy of `store` under `cacheDir`, writing it first if absent. */
export function alignedWeights(store: WeightStore, cacheDir: string): AlignedWeights {
  const entries = [...store.entries.values()];
  const dir = join(cacheDir, cacheKey(entries));
  const manifestFile = join(dir, MANIFEST_FILE);
  const manifest: Manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest) : writeAligned(entries, dir);
  const file = join(dir, ALIGNED_WEIGHTS_FILE);
  const remapped = new Map<string, TensorEntry>(entries.map((e) => [e.name, { ...e, file, offset: manifest.offsets[sourceKey(e)] }]));
  return {
    dir,
    store: {
      entries: remapped,
      has: (name) => remapped.has(name),
      // Missing names keep the original store's error (it names the checkpoint files).
      get: (name) => remapped.get(name) ?? store.get(name),
      readFloat32: (name, shape) => store.readFloat32(name, shape),
    },
  };
}

function sourceKey(e: TensorEntry): string {
  return `${e.file}:${e.offset}`;
}

function cacheKey(entries: TensorEntry[]): string {
  const files = [...new Set(entries.map((e) => e.file))].sort().map((f) => {
    const s = statSync(f);
    return [f, s.size, s.mtimeMs];
  });
  return createHash('sha256').update(JSON.stringify({ alignment: WEIGHT_ALIGNMENT, files })).digest('hex').slice(0, 24);
}

function writeAligned(entries: TensorEntry[], dir: string): Manifest {
  // Written beside the final folder and renamed into place, so readers never see a partial copy.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const offsets: Record<string, number> = {};
  const fd = openSync(join(partial, ALIGNED_WEIGHTS_FILE), 'w');
  try {
    let end = 0;
    for (const e of entries) {
      const key = sourceKey(e);
      if (offsets[key] !== undefined) continue;
      const offset = Math.ceil(end / WEIGHT_ALIGNMENT) * WEIGHT_ALIGNMENT;
      // One tensor at a time: multi-GB checkpoints never sit in memory whole.
      const bytes = readByteRange(e.file, e.offset, e.byteLength);
      writeSync(fd, bytes, 0, bytes.length, offset);
      offsets[key] = offset;
      end = offset + e.byteLength;
    }
  } finally {
    closeSync(fd);
  }
  const manifest: Manifest = { alignment: WEIGHT_ALIGNMENT, offsets };
  writeFileSync(join(partial, MANIFEST_FILE), JSON.stringify(manifest));
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process finished the same copy first: use theirs.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, MANIFEST_FILE))) throw error;
    return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  }
  return manifest;
}
