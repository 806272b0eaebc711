// Test-only access to the shared parity data (read in place from ../shared, never copied).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const shared = (relative: string): string => fileURLToPath(new URL(`../../../../../../shared/${relative}`, import.meta.url));

export const HF_PREPROCESS_DIR = shared('fixtures/hf-parity/preprocess');
export const HF_PARITY_DIR = shared('fixtures/hf-parity');
export const COCO_IMAGE_DIR = shared('data/coco/val2017');
export const TESTDATA_DIR = fileURLToPath(new URL('.', import.meta.url));

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function sha256(bytes: Uint8Array | Float32Array): string {
  return createHash('sha256').update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).digest('hex');
}

/**
 * Raw little-endian bytes of one tensor of a safetensors file (u64-LE header length, JSON
 * header with data_offsets relative to the end of the header). Enough for comparing a
 * reference tensor's bytes; the product's reader lives in @locscope/inference.
 */
export function safetensorsBytes(file: string, name: string): { shape: number[]; dtype: string; bytes: Uint8Array } {
  const buffer = readFileSync(file);
  const headerLength = Number(buffer.readBigUInt64LE(0));
  const header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const entry = header[name];
  if (!entry) throw new Error(`${file} has no tensor ${name}`);
  const start = 8 + headerLength;
  return { shape: entry.shape, dtype: entry.dtype, bytes: buffer.subarray(start + entry.data_offsets[0], start + entry.data_offsets[1]) };
}

/** Shape of pil-reference.json (see make_pil_reference.py). */
export interface PilReference {
  decode: Record<string, { width: number; height: number; sha256: string }>;
  resize: { image: string; width: number; height: number; sha256: string }[];
  llava_pad: Record<string, Record<string, string>>;
  internvl: Record<string, Record<string, { grid_cols_rows: [number, number]; views_sha256: string[] }>>;
}

export const pilReference = (): PilReference => readJson<PilReference>(`${TESTDATA_DIR}pil-reference.json`);

/** A reference image's path: COCO JPEGs from ../shared, generated PNGs from testdata/. */
export function referenceImagePath(name: string): string {
  return name.endsWith('.jpg') ? `${COCO_IMAGE_DIR}/${name}` : `${TESTDATA_DIR}${name}`;
}
