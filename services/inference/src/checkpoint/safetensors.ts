// Reader for the safetensors format: u64-LE header length N, N bytes of JSON header
// ({ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: { string: string } }),
// then the data buffer; offsets are relative to the buffer start (8 + N). Only the header is
// read eagerly; tensor data is read by byte range (positioned reads), so multi-GB files never
// sit in memory and positions beyond 2^31 work (JS numbers are exact up to 2^53).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CheckpointNotFoundError, SafetensorsFormatError } from './errors.ts';

/** Bytes per element of every dtype the safetensors format defines (not only those we compute with). */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate GBs). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorInfo {
  name: string;
  /** A safetensors dtype name (a key of SAFETENSORS_DTYPE_BYTES). */
  dtype: string;
  shape: number[];
  /** Absolute byte offset inside the file. */
  offset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  /** Path as given. */
  file: string;
  fileSize: number;
  headerLength: number;
  /** Absolute offset of the data buffer (8 + headerLength). */
  dataStart: number;
  metadata: Record<string, string>;
  /** In header order. */
  tensors: Map<string, SafetensorsTensorInfo>;
}

function openForRead(file: string): number {
  try {
    return openSync(file, 'r');
  } catch (error) {
    throw new CheckpointNotFoundError(file, 'safetensors file', { cause: error });
  }
}

/** Exactly `length` bytes at `position` of an open file; a short read means the file is truncated. */
function readExactly(fd: number, file: string, position: number, length: number, what: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, out, done, length - done, position + done);
    if (n === 0) {
      throw new SafetensorsFormatError(file, `truncated: ${what} needs bytes [${position}, ${position + length}), file ends at ${position + done}`);
    }
    done += n;
  }
  return out;
}

/** Reads and validates the header of one .safetensors file (data bytes are not touched). */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  const fd = openForRead(file);
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) throw new SafetensorsFormatError(file, `truncated: ${fileSize} bytes, shorter than the 8-byte header length`);
    const lengthBytes = readExactly(fd, file, 0, 8, 'header length');
    const headerLength64 = new DataView(lengthBytes.buffer).getBigUint64(0, true);
    if (headerLength64 > BigInt(fileSize - 8)) {
      throw new SafetensorsFormatError(file, `header length ${headerLength64} runs beyond the end of the file (${fileSize} bytes)`);
    }
    const headerLength = Number(headerLength64);
    if (headerLength > MAX_HEADER_BYTES) {
      throw new SafetensorsFormatError(file, `header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
    }
    const headerText = new TextDecoder().decode(readExactly(fd, file, 8, headerLength, 'header'));
    return parseHeader(file, fileSize, headerLength, headerText);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(file: string, fileSize: number, headerLength: number, text: string): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsFormatError(file, 'header is not valid JSON', { cause: error });
  }
  if (!isPlainObject(json)) throw new SafetensorsFormatError(file, 'header is not a JSON object');

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const metadata = parseMetadata(file, json['__metadata__']);
  const tensors = new Map<string, SafetensorsTensorInfo>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    const info = parseTensor(file, name, raw, dataStart, dataLength);
    tensors.set(name, info);
    ranges.push({ name, begin: info.offset - dataStart, end: info.offset - dataStart + info.byteLength });
  }
  checkNoOverlap(file, ranges);
  return { file, fileSize, headerLength, dataStart, metadata, tensors };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (!isPlainObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    throw new SafetensorsFormatError(file, '__metadata__ must be an object of string values');
  }
  return raw as Record<string, string>;
}

function parseTensor(file: string, name: string, raw: unknown, dataStart: number, dataLength: number): SafetensorsTensorInfo {
  const fail = (message: string): never => {
    throw new SafetensorsFormatError(file, message, { tensor: name });
  };
  if (!isPlainObject(raw)) return fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') return fail('dtype is missing');
  const elementBytes = SAFETENSORS_DTYPE_BYTES[dtype];
  if (elementBytes === undefined) return fail(`unknown dtype '${dtype}'`);
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) return fail('shape must be an array of non-negative integers');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger)) {
    return fail('data_offsets must be [begin, end] with non-negative integers');
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) return fail(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    return fail(`data_offsets [${begin}, ${end}] run beyond the data buffer of ${dataLength} bytes (file truncated?)`);
  }
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  const byteLength = end - begin;
  if (byteLength !== numel * elementBytes) {
    return fail(`byte length ${byteLength} ≠ ${numel} elements × ${elementBytes} bytes (${dtype}, shape [${shape.join(', ')}])`);
  }
  return { name, dtype, shape: shape as number[], offset: dataStart + begin, byteLength };
}

function checkNoOverlap(file: string, ranges: { name: string; begin: number; end: number }[]): void {
  // Empty tensors occupy no bytes and may sit anywhere.
  const sorted = ranges.filter((r) => r.end > r.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.begin < previous.end) {
      throw new SafetensorsFormatError(
        file,
        `data_offsets [${current.begin}, ${current.end}] overlap those of '${previous.name}' [${previous.begin}, ${previous.end}]`,
        { tensor: current.name },
      );
    }
  }
}

/** `length` bytes at absolute `offset` of `file` — one positioned read, nothing else of the file is loaded. */
export function readByteRange(file: string, offset: number, length: number): Uint8Array {
  const fd = openForRead(file);
  try {
    return readExactly(fd, file, offset, length, 'tensor data');
  } finally {
    closeSync(fd);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
