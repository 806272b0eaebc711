// float16 bit patterns from the checkpoint dtypes: the one converter behind generated fp16
// checkpoints (fromFloat32) and float16 prepared weights. A real-size model has billions of
// values, so each path is a few integer operations per value on one JS thread instead of a round
// trip through a float32 value and a library call: F16 values are copied unchanged, BF16 values go
// through a 65,536-entry table, F32 values through a round-to-nearest-even bit routine. Rounding
// matches IEEE 754 (and torch's `.half()`): ties to even, values below half the smallest
// subnormal (2^-25) become zero, finite values ≥ 65520 in magnitude become infinity.
import { Float16RangeError } from './errors.ts';
import type { TensorEntry, WeightDType } from './types.ts';

/** float16 infinity (sign bit clear). */
const F16_INFINITY = 0x7c00;
/** f32 bits of 65520 = 65504 + half its last step: the smallest magnitude that rounds to infinity. */
const F32_BITS_F16_OVERFLOW = 0x477ff000;
/** f32 bits of 2^-14, float16's smallest normal. */
const F32_BITS_F16_MIN_NORMAL = 0x38800000;
/** (127 − 15) << 10: the exponent rebias from float32 to float16, in float16 bit positions. */
const REBIAS = 112 << 10;
/** Marks a bf16 pattern whose finite value overflows float16 in BF16_TABLE (no 16-bit pattern equals it). */
const OVERFLOW = 0x10000;

/** The float16 bit pattern nearest (ties to even) to the float32 with bit pattern `word` (unsigned). */
export function float32BitsToFloat16Bits(word: number): number {
  const sign = (word >>> 16) & 0x8000;
  const magnitude = word & 0x7fffffff;
  if (magnitude >= 0x7f800000) {
    // Infinity stays infinity; a NaN stays a NaN (quiet bit set, its payload's top bits kept).
    return magnitude === 0x7f800000 ? sign | F16_INFINITY : sign | F16_INFINITY | 0x200 | ((magnitude >>> 13) & 0x3ff);
  }
  if (magnitude >= F32_BITS_F16_OVERFLOW) return sign | F16_INFINITY;
  if (magnitude >= F32_BITS_F16_MIN_NORMAL) {
    // Add just under half an ulp of the kept part, plus one when the kept part is odd: ties go to even.
    // A carry out of the mantissa correctly bumps the exponent (up to 65504 → never past it here).
    return sign | (((magnitude + 0xfff + ((magnitude >>> 13) & 1)) >>> 13) - REBIAS);
  }
  // Subnormal in float16: the value in units of 2^-24 is mantissa·2^(exponent − 126), rounded to even.
  const exponent = magnitude >>> 23;
  const shift = 126 - exponent;
  if (shift > 24) return sign;
  const mantissa = (magnitude & 0x7fffff) | 0x800000;
  const kept = mantissa >>> shift;
  const rest = mantissa & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  // kept + 1 may reach 0x400, which is exactly the bit pattern of the smallest normal.
  return sign | (rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept);
}

let bf16Table: Uint32Array | undefined;
/** bf16 bits → float16 bits for all 65,536 patterns (OVERFLOW for finite values float16 cannot hold). */
function bf16ToFloat16Table(): Uint32Array {
  if (!bf16Table) {
    bf16Table = new Uint32Array(65536);
    for (let bits = 0; bits < 65536; bits++) {
      const word = bits << 16;
      const finite = (bits & 0x7f80) !== 0x7f80;
      bf16Table[bits] = finite && (word & 0x7fffffff) >>> 0 >= F32_BITS_F16_OVERFLOW ? OVERFLOW : float32BitsToFloat16Bits(word >>> 0);
    }
  }
  return bf16Table;
}

/** float32 values → float16 bit patterns; values beyond float16's range become ±infinity. */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < words.length; i++) out[i] = float32BitsToFloat16Bits(words[i]!);
  return out;
}

/**
 * Raw little-endian `entry.dtype` bytes of `entry` → a fresh array of float16 bit patterns.
 * Throws Float16RangeError naming the tensor and its file at the first finite value that would
 * become infinite, rather than silently change the model.
 */
export function toFloat16Bits(bytes: Uint8Array, entry: Pick<TensorEntry, 'dtype' | 'file' | 'name'>): Uint16Array {
  if (entry.dtype === 'F16') {
    const out = new Uint16Array(bytes.byteLength / 2);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  if (entry.dtype === 'BF16') {
    const halves = new Uint16Array(bytes.byteLength / 2);
    new Uint8Array(halves.buffer).set(bytes);
    const table = bf16ToFloat16Table();
    for (let i = 0; i < halves.length; i++) {
      const bits = table[halves[i]!]!;
      if (bits === OVERFLOW) throw new Float16RangeError(entry.file, entry.name, new Float32Array(new Uint32Array([halves[i]! << 16]).buffer)[0]!);
      halves[i] = bits;
    }
    return halves;
  }
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  const out = float32ToFloat16Bits(values);
  for (let i = 0; i < out.length; i++) {
    // Infinity out of a finite value is an overflow.
    if ((out[i]! & 0x7fff) === F16_INFINITY && Number.isFinite(values[i]!)) throw new Float16RangeError(entry.file, entry.name, values[i]!);
  }
  return out;
}
