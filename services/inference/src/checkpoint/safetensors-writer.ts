// Writer for the safetensors format (for generated checkpoints: bench models, demo models,
// test fixtures). Tensors are written in the order given, densely; the JSON header is padded
// with spaces to a multiple of 8 bytes so the data buffer starts 8-aligned, as the reference
// implementation does. Data is written tensor by tensor, so peak memory is one tensor — or one
// chunk, for tensors given as a chunk source (multi-GB generated checkpoints never sit in memory).
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SAFETENSORS_DTYPE_BYTES } from './safetensors.ts';

export interface TensorToWrite {
  name: string;
  /** A safetensors dtype name (F32, F16, BF16, I64, ...). */
  dtype: string;
  shape: readonly number[];
  /** Raw little-endian element bytes (a Float32Array works for F32), or a source that yields them in chunks. */
  data: ArrayBufferView | TensorChunks;
}

/** Tensor bytes produced on demand: `chunks()` must yield exactly `byteLength` bytes in total. */
export interface TensorChunks {
  byteLength: number;
  chunks(): Iterable<Uint8Array>;
}

export class SafetensorsWriteError extends Error {
  constructor(file: string, message: string, options: { tensor?: string; cause?: unknown } = {}) {
    super(`${file}: ${options.tensor === undefined ? '' : `tensor '${options.tensor}': `}${message}`, { cause: options.cause });
    this.name = 'SafetensorsWriteError';
  }
}

/** Writes `tensors` (+ optional `__metadata__`) to `file` via a temporary file and an atomic rename. */
export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata?: Record<string, string>): void {
  // Null prototype: a tensor named "__proto__" must become a key, not replace the prototype.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const elementBytes = SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (elementBytes === undefined) throw new SafetensorsWriteError(file, `unknown dtype '${t.dtype}'`, { tensor: t.name });
    if (Object.hasOwn(header, t.name)) throw new SafetensorsWriteError(file, 'written twice', { tensor: t.name });
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.byteLength !== numel * elementBytes) {
      throw new SafetensorsWriteError(file, `${t.data.byteLength} data bytes, but shape [${t.shape.join(', ')}] × ${t.dtype} needs ${numel * elementBytes}`, { tensor: t.name });
    }
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = JSON.stringify(header);
  const jsonBytes = new TextEncoder().encode(json + ' '.repeat((8 - (new TextEncoder().encode(json).byteLength % 8)) % 8));
  const lengthBytes = new Uint8Array(8);
  new DataView(lengthBytes.buffer).setBigUint64(0, BigInt(jsonBytes.byteLength), true);

  const temporary = `${file}.tmp-${process.pid}`;
  const fd = openSync(temporary, 'w');
  try {
    writeAll(fd, lengthBytes);
    writeAll(fd, jsonBytes);
    for (const t of tensors) writeTensorData(file, fd, t);
  } catch (error) {
    // A failed multi-GB shard must not stay behind as a temporary file filling the disk.
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, file);
}

function writeTensorData(file: string, fd: number, t: TensorToWrite): void {
  const data = t.data;
  if (ArrayBuffer.isView(data)) {
    writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  let written = 0;
  for (const chunk of data.chunks()) {
    // Checked before writing: a source yielding too much would shift every later tensor's offset.
    if (written + chunk.byteLength > data.byteLength) {
      throw new SafetensorsWriteError(file, `its chunk source yielded more than the ${data.byteLength} bytes it declared`, { tensor: t.name });
    }
    writeAll(fd, chunk);
    written += chunk.byteLength;
  }
  if (written !== data.byteLength) throw new SafetensorsWriteError(file, `its chunk source yielded ${written} of the ${data.byteLength} bytes it declared`, { tensor: t.name });
}

/** write(2) may write less than asked (Linux caps one call at ~2 GB); loop until all bytes are out. */
export function writeAll(fd: number, bytes: Uint8Array, position?: number): void {
  let done = 0;
  while (done < bytes.byteLength) {
    done += writeSync(fd, bytes, done, bytes.byteLength - done, position === undefined ? null : position + done);
  }
}
