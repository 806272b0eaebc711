// locscope.v1.Tensor ↔ typed arrays. Tensors travel as raw little-endian bytes; decoding checks
// dtype and byte length against the shape so a malformed tensor is reported with its field name.
import { InvalidArgumentError } from '@locscope/server-kit';
import { DType, type Tensor } from './gen/locscope/v1/tensor.ts';

/** A Tensor that does not match what its field requires (INVALID_ARGUMENT naming the field). */
export class TensorFormatError extends InvalidArgumentError {
  constructor(field: string, message: string) {
    super(message, { field });
  }
}

// Typed arrays use host byte order; the wire format is little-endian (every supported host is).
function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function float32Tensor(values: Float32Array, shape: readonly number[]): Tensor {
  return { dtype: DType.D_TYPE_FLOAT32, shape: [...shape], data: Buffer.from(bytesOf(values)) };
}

export function int32Tensor(values: Int32Array, shape: readonly number[]): Tensor {
  return { dtype: DType.D_TYPE_INT32, shape: [...shape], data: Buffer.from(bytesOf(values)) };
}

export function uint8Tensor(values: Uint8Array, shape: readonly number[]): Tensor {
  return { dtype: DType.D_TYPE_UINT8, shape: [...shape], data: Buffer.from(values) };
}

export interface DecodeOptions {
  /** Required shape; -1 entries match any size. */
  shape?: readonly number[];
}

function checkShape(tensor: Tensor, field: string, options: DecodeOptions, elementBytes: number): number {
  if (tensor.shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TensorFormatError(field, `shape [${tensor.shape.join(', ')}] has a negative or non-integer dimension`);
  }
  if (options.shape) {
    const want = options.shape;
    const ok = want.length === tensor.shape.length && want.every((d, i) => d === -1 || d === tensor.shape[i]);
    if (!ok) {
      const show = want.map((d) => (d === -1 ? '*' : String(d))).join(', ');
      throw new TensorFormatError(field, `expected shape [${show}], got [${tensor.shape.join(', ')}]`);
    }
  }
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.data.byteLength !== count * elementBytes) {
    throw new TensorFormatError(
      field,
      `shape [${tensor.shape.join(', ')}] needs ${count * elementBytes} bytes, data has ${tensor.data.byteLength}`,
    );
  }
  return count;
}

/** A FLOAT32 tensor's values (copied into an aligned buffer). */
export function decodeFloat32(tensor: Tensor | undefined, field: string, options: DecodeOptions = {}): Float32Array {
  if (!tensor) throw new TensorFormatError(field, 'required');
  if (tensor.dtype !== DType.D_TYPE_FLOAT32) throw new TensorFormatError(field, `expected dtype FLOAT32, got ${DType[tensor.dtype] ?? tensor.dtype}`);
  const count = checkShape(tensor, field, options, 4);
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(tensor.data);
  return out;
}

/** A UINT8 or BOOL tensor's values. */
export function decodeUint8(tensor: Tensor | undefined, field: string, options: DecodeOptions = {}): Uint8Array {
  if (!tensor) throw new TensorFormatError(field, 'required');
  if (tensor.dtype !== DType.D_TYPE_UINT8 && tensor.dtype !== DType.D_TYPE_BOOL) {
    throw new TensorFormatError(field, `expected dtype UINT8 or BOOL, got ${DType[tensor.dtype] ?? tensor.dtype}`);
  }
  checkShape(tensor, field, options, 1);
  return Uint8Array.from(tensor.data);
}
