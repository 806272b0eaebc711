// Weight values in float16, the storage and compute dtype of float16 graphs. float32 and bf16
// checkpoints' values are rounded to nearest (ties to even) by the float16 library; F16 ones come
// back unchanged. bf16 has float32's exponent range, so a finite bf16 (or float32) weight may not
// fit: such a value fails the preparation rather than silently become infinity. Values below
// float16's smallest subnormal (2^-24) round to zero, as torch's `.half()` does.
import { Float16Array } from '@petamoriken/float16';
import { Float16RangeError } from '../checkpoint/errors.ts';
import type { TensorEntry } from '../checkpoint/types.ts';

/** Smallest magnitude that rounds to infinity in float16 (65504 + half its last step). */
const FLOAT16_OVERFLOW = 65520;

/** Throws Float16RangeError naming `entry` when a finite value of `values` would become infinite in float16. */
export function assertFloat16Range(values: Float32Array, entry: TensorEntry): void {
  for (const value of values) {
    if (Math.abs(value) >= FLOAT16_OVERFLOW && Number.isFinite(value)) throw new Float16RangeError(entry.file, entry.name, value);
  }
}

/** The float16 bit patterns of `values` (rounded to nearest). */
export function toFloat16Bits(values: Float32Array): Uint16Array {
  return new Uint16Array(new Float16Array(values).buffer);
}
