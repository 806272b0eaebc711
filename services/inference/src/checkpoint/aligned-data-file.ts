// An aligned copy of a checkpoint's weights for execution providers that need every external
// initializer at an aligned offset (safetensors packs tensors densely after a header of arbitrary
// length). Written once per checkpoint version — keyed by a fingerprint of the weight files
// (size, mtime, SHA-256 of the header) — into `<cacheRoot>/<fingerprint>/`, via a temporary
// directory renamed into place, so concurrent loaders never see a half-written file; later loads
// reuse it. Bytes are copied in chunks (dtype unchanged), so memory stays bounded for any size.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { CheckpointError } from './errors.ts';
import type { ExternalDataSource, ExternalLocation } from './external-data.ts';
import { readByteRange, readSafetensorsHeader } from './safetensors.ts';
import { writeAll } from './safetensors-writer.ts';
import type { TensorEntry, WeightStore } from './types.ts';

/** Page size of x86-64/arm64 Linux and the CUDA host-allocation granularity onnxruntime maps with. */
export const DEFAULT_ALIGNMENT = 4096;
/** Copy buffer size: large enough for sequential throughput, small enough to never matter for memory. */
export const COPY_CHUNK_BYTES = 16 * 2 ** 20;
export const ALIGNED_DATA_FILE = 'weights.bin';
export const ALIGNED_MANIFEST_FILE = 'manifest.json';
/** Bump when the file layout changes, so old caches are not reused. */
const FORMAT_VERSION = 1;

/** `$LOCSCOPE_CACHE_DIR/aligned-weights`, else `~/.cache/locscope/aligned-weights`. */
export function defaultAlignedCacheRoot(): string {
  return join(process.env['LOCSCOPE_CACHE_DIR'] ?? join(homedir(), '.cache', 'locscope'), 'aligned-weights');
}

export interface AlignedDataOptions {
  /** Directory holding one sub-directory per fingerprint. Default: defaultAlignedCacheRoot(). */
  cacheRoot?: string;
  /** Byte alignment of every tensor's offset; a power of two. Default DEFAULT_ALIGNMENT. */
  alignment?: number;
}

export interface AlignedDataFile extends ExternalDataSource {
  fingerprint: string;
  /** Absolute path of the data file. */
  file: string;
  /** True when this call wrote the file, false when an earlier one was reused. */
  written: boolean;
}

interface Manifest {
  version: number;
  fingerprint: string;
  alignment: number;
  fileSize: number;
  /** Canonical name → byte range in the data file. */
  tensors: Record<string, { offset: number; length: number }>;
}

/** The aligned data file for `weights`, written now unless a complete one for the same fingerprint exists. */
export function ensureAlignedDataFile(weights: WeightStore, options: AlignedDataOptions = {}): AlignedDataFile {
  const alignment = options.alignment ?? DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment < 1 || (alignment & (alignment - 1)) !== 0) {
    throw new RangeError(`alignment ${alignment} is not a power of two`);
  }
  const cacheRoot = options.cacheRoot ?? defaultAlignedCacheRoot();
  const fingerprint = checkpointFingerprint(weights, alignment);
  const folder = join(cacheRoot, fingerprint);
  let manifest = readManifest(folder, fingerprint);
  let written = false;
  if (!manifest) {
    mkdirSync(cacheRoot, { recursive: true });
    const staging = `${folder}.tmp-${process.pid}-${Date.now()}`;
    mkdirSync(staging);
    try {
      const fresh = writeAligned(weights, staging, fingerprint, alignment);
      try {
        // A leftover incomplete entry (crash before this scheme, manual edits) would block the rename.
        if (existsSync(folder) && !readManifest(folder, fingerprint)) rmSync(folder, { recursive: true, force: true });
        renameSync(staging, folder);
        manifest = fresh;
        written = true;
      } catch (error) {
        // Another loader finished first (rename onto a non-empty directory fails): use its copy.
        manifest = readManifest(folder, fingerprint);
        if (!manifest) throw new CheckpointError(folder, 'could not publish the aligned data file', { cause: error });
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  const complete = manifest;
  return {
    fingerprint,
    folder,
    file: join(folder, ALIGNED_DATA_FILE),
    written,
    locate(name): ExternalLocation & { entry: TensorEntry } {
      const entry = weights.get(name);
      const range = complete.tensors[name];
      if (!range) throw new CheckpointError(join(folder, ALIGNED_MANIFEST_FILE), `has no tensor '${name}'`);
      return { entry, location: ALIGNED_DATA_FILE, offset: range.offset, length: range.length };
    },
  };
}

/**
 * SHA-256 over, per weight file (sorted by name): its base name, size, mtime and the SHA-256 of
 * its header bytes — cheap (no data is hashed) yet changes whenever a file is replaced or edited.
 */
export function checkpointFingerprint(weights: WeightStore, alignment = DEFAULT_ALIGNMENT): string {
  const hash = createHash('sha256').update(`locscope-aligned-v${FORMAT_VERSION}:${alignment}\n`);
  const files = [...new Set([...weights.entries.values()].map((e) => e.file))].sort();
  for (const file of files) {
    const stat = statSync(file);
    const { dataStart } = readSafetensorsHeader(file);
    const headerHash = createHash('sha256').update(readByteRange(file, 0, dataStart)).digest('hex');
    hash.update(`${basename(file)}\0${stat.size}\0${stat.mtimeMs}\0${headerHash}\n`);
  }
  // Aliases (tied lm_head) change which names resolve, so they are part of the key too.
  for (const [name, entry] of [...weights.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (name !== entry.name || name !== entry.storedName) hash.update(`${name}=${entry.storedName}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

function writeAligned(weights: WeightStore, staging: string, fingerprint: string, alignment: number): Manifest {
  const tensors: Manifest['tensors'] = {};
  // One copy per distinct byte range: tied aliases share the data of the tensor they alias.
  const placed = new Map<string, { offset: number; length: number }>();
  const fd = openSync(join(staging, ALIGNED_DATA_FILE), 'w');
  let end = 0;
  try {
    for (const [name, entry] of weights.entries) {
      const key = `${entry.file}\0${entry.offset}`;
      let range = placed.get(key);
      if (!range) {
        const offset = Math.ceil(end / alignment) * alignment;
        copyRange(entry, fd, offset);
        range = { offset, length: entry.byteLength };
        placed.set(key, range);
        end = offset + entry.byteLength;
      }
      tensors[name] = range;
    }
  } finally {
    closeSync(fd);
  }
  const manifest: Manifest = { version: FORMAT_VERSION, fingerprint, alignment, fileSize: end, tensors };
  writeFileSync(join(staging, ALIGNED_MANIFEST_FILE), JSON.stringify(manifest));
  return manifest;
}

function copyRange(entry: TensorEntry, fd: number, at: number): void {
  for (let done = 0; done < entry.byteLength; done += COPY_CHUNK_BYTES) {
    const length = Math.min(COPY_CHUNK_BYTES, entry.byteLength - done);
    writeAll(fd, readByteRange(entry.file, entry.offset + done, length), at + done);
  }
}

/** The manifest of a complete cache entry, or undefined when absent or inconsistent (then it is rewritten). */
function readManifest(folder: string, fingerprint: string): Manifest | undefined {
  const manifestFile = join(folder, ALIGNED_MANIFEST_FILE);
  const dataFile = join(folder, ALIGNED_DATA_FILE);
  if (!existsSync(manifestFile) || !existsSync(dataFile)) return undefined;
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (manifest.version !== FORMAT_VERSION || manifest.fingerprint !== fingerprint || statSync(dataFile).size !== manifest.fileSize) return undefined;
    return manifest;
  } catch {
    return undefined;
  }
}
