// locscope.v1.Tensor ↔ typed arrays: raw little-endian bytes, a shape and a dtype.
import { DType, type Tensor } from './gen/locscope/v1/tensor.js';

export type TypedArray = Float32Array | Int32Array | BigInt64Array | Uint8Array;

export interface DecodedTensor<A extends TypedArray = TypedArray> {
  data: A;
  shape: number[];
}

/** Thrown when a tensor's bytes do not match its dtype and shape. */
export class TensorDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TensorDecodeError';
  }
}

const BYTES: Partial<Record<DType, number>> = {
  [DType.D_TYPE_FLOAT32]: 4,
  [DType.D_TYPE_FLOAT16]: 2,
  [DType.D_TYPE_BFLOAT16]: 2,
  [DType.D_TYPE_INT64]: 8,
  [DType.D_TYPE_INT32]: 4,
  [DType.D_TYPE_UINT8]: 1,
  [DType.D_TYPE_BOOL]: 1,
};

/**
 * The tensor's values: float32 (float16 and bfloat16 widen to it exactly), int32, int64 (as
 * BigInt64Array) or uint8 (bool as 0/1).
 */
export function decodeTensor(tensor: Tensor): DecodedTensor {
  const size = BYTES[tensor.dtype];
  if (size === undefined) throw new TensorDecodeError(`tensor has no usable dtype (${tensor.dtype})`);
  const count = tensor.shape.reduce((a, b) => a * b, 1);
  if (tensor.data.byteLength !== count * size) {
    throw new TensorDecodeError(`tensor of shape [${tensor.shape.join(', ')}] needs ${count * size} bytes, has ${tensor.data.byteLength}`);
  }
  const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  const shape = [...tensor.shape];
  switch (tensor.dtype) {
    case DType.D_TYPE_FLOAT32:
      return { data: Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true)), shape };
    case DType.D_TYPE_FLOAT16:
      return { data: Float32Array.from({ length: count }, (_, i) => halfToFloat(view.getUint16(2 * i, true))), shape };
    case DType.D_TYPE_BFLOAT16: {
      // bfloat16 is the top half of a float32.
      const widened = new DataView(new ArrayBuffer(4));
      return {
        data: Float32Array.from({ length: count }, (_, i) => (widened.setUint32(0, view.getUint16(2 * i, true) << 16), widened.getFloat32(0))),
        shape,
      };
    }
    case DType.D_TYPE_INT64:
      return { data: BigInt64Array.from({ length: count }, (_, i) => view.getBigInt64(8 * i, true)), shape };
    case DType.D_TYPE_INT32:
      return { data: Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true)), shape };
    default:
      return { data: new Uint8Array(tensor.data), shape };
  }
}

/** A FLOAT32 tensor of `values` (row-major) with `shape`. */
export function float32Tensor(values: ArrayLike<number>, shape: number[]): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new TensorDecodeError(`${values.length} values do not fill shape [${shape.join(', ')}]`);
  const data = Buffer.alloc(4 * count);
  for (let i = 0; i < count; i++) data.writeFloatLE(values[i], 4 * i);
  return { dtype: DType.D_TYPE_FLOAT32, shape, data };
}

/** IEEE 754 half → number (subnormals, infinities and NaN included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
