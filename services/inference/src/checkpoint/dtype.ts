// Weight element types and their widening to float32. Checkpoints are little-endian by the
// safetensors spec; we assume a little-endian host (x86-64/arm64) so F32 bytes are used as-is.
import { getFloat16 } from '@petamoriken/float16';
import { float32ToFloat16Bits } from './float16-bits.ts';
import type { WeightDType } from './types.ts';

/** Bytes per element of each supported weight dtype. */
export const DTYPE_BYTES: Readonly<Record<WeightDType, number>> = { F32: 4, F16: 2, BF16: 2 };

export function isWeightDType(value: string): value is WeightDType {
  return Object.hasOwn(DTYPE_BYTES, value);
}

/** `torch_dtype` of config.json → our dtype name (undefined for anything else, e.g. int8). */
export function weightDTypeOfTorch(torchDtype: string): WeightDType | undefined {
  const map: Record<string, WeightDType> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' };
  return map[torchDtype];
}

// All 65536 half values, decoded once by the library: widening a multi-million-element tensor
// is then one table lookup per element instead of a bit-twiddling call.
let f16Table: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!f16Table) {
    const view = new DataView(new ArrayBuffer(2));
    f16Table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      view.setUint16(0, bits, true);
      f16Table[bits] = getFloat16(view, 0, true);
    }
  }
  return f16Table;
}

/** Raw little-endian bytes of `dtype` → a fresh Float32Array (bf16 is the top half of an f32). */
export function toFloat32(bytes: Uint8Array, dtype: WeightDType): Float32Array {
  const count = bytes.byteLength / DTYPE_BYTES[dtype];
  if (dtype === 'F32') {
    // Copy so the result is aligned and owns its memory regardless of the source buffer.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const halves = new Uint16Array(count);
  new Uint8Array(halves.buffer).set(bytes);
  const out = new Float32Array(count);
  if (dtype === 'F16') {
    const table = halfTable();
    for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!;
  } else {
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) words[i] = halves[i]! << 16;
  }
  return out;
}

/**
 * Float32 values → raw little-endian bytes of `dtype`, rounded to nearest even (the inverse of
 * toFloat32; used to write generated checkpoints). Values beyond fp16's range become ±Infinity.
 */
export function fromFloat32(values: Float32Array, dtype: WeightDType): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  if (dtype === 'F16') {
    const halves = float32ToFloat16Bits(values);
    return new Uint8Array(halves.buffer);
  }
  // bf16 is the top half of an f32: add half an ulp of the kept part (ties to even), then truncate.
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const isNaN = (w & 0x7f800000) === 0x7f800000 && (w & 0x007fffff) !== 0;
    out[i] = isNaN ? (w >>> 16) | 0x0040 : (w + 0x7fff + ((w >>> 16) & 1)) >>> 16;
  }
  return new Uint8Array(out.buffer);
}
