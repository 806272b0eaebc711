// The float16 converter against an implementation we did not write (@petamoriken/float16, which
// rounds through float64 arithmetic rather than bit operations): every bf16 pattern, every float32
// exponent/mantissa-top pattern at the rounding boundaries, and random float32 bit patterns.
import { Float16Array } from '@petamoriken/float16';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float16RangeError } from './errors.ts';
import { float32BitsToFloat16Bits, toFloat16Bits } from './float16-bits.ts';

/** The library's float16 bits for the float32 with bit pattern `word`. */
function reference(word: number): number {
  const value = new Float32Array(new Uint32Array([word]).buffer)[0]!;
  return new Uint16Array(new Float16Array([value]).buffer)[0]!;
}

const isF16NaN = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;

/** Same float16 value: equal bits, or both NaN (NaN payloads are not specified by the reference). */
function expectSameHalf(actual: number, expected: number, word: number): void {
  if (isF16NaN(expected)) expect(isF16NaN(actual), `0x${word.toString(16)}`).toBe(true);
  else expect(actual, `0x${word.toString(16)}`).toBe(expected);
}

const entry = (dtype: 'F32' | 'F16' | 'BF16') => ({ dtype, file: '/ckpt/model.safetensors', name: 'model.w' });

describe('float32BitsToFloat16Bits', () => {
  it('matches the library at every sign/exponent/top-mantissa pattern with the low bits below, at and above a tie', () => {
    // Low 16 bits: exact, just below half, half (a tie when the kept part ends there), just above, odd tie, all ones.
    for (const low of [0x0000, 0x0fff, 0x1000, 0x1001, 0x3000, 0xffff]) {
      for (let high = 0; high < 65536; high++) {
        const word = ((high << 16) | low) >>> 0;
        expectSameHalf(float32BitsToFloat16Bits(word), reference(word), word);
      }
    }
  });

  it('matches the library on random float32 bit patterns', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (word) => expectSameHalf(float32BitsToFloat16Bits(word), reference(word), word)), { numRuns: 50_000 });
  });

  it('rounds the edge values as IEEE 754 does', () => {
    const bits = (value: number) => float32BitsToFloat16Bits(new Uint32Array(new Float32Array([value]).buffer)[0]!);
    expect(bits(65504)).toBe(0x7bff);
    expect(bits(65519.996)).toBe(0x7bff);
    expect(bits(65520)).toBe(0x7c00); // the tie between 65504 and 65536 goes to even: infinity
    expect(bits(-Infinity)).toBe(0xfc00);
    expect(bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(bits(2 ** -25)).toBe(0x0000); // half of it: a tie, to even zero
    expect(bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 ulp: a tie, to even 2
    expect(bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // rounds up into the smallest normal
    expect(bits(1 + 2 ** -11)).toBe(0x3c00); // tie, even is 1
    expect(bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, even is 1 + 2^-9
    expect(bits(-0)).toBe(0x8000);
    expect(isF16NaN(bits(NaN))).toBe(true);
  });
});

describe('toFloat16Bits', () => {
  it('converts every bf16 pattern as the library does, and rejects each finite one beyond float16 naming tensor and file', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const overflows = (bits: number) => (bits & 0x7f80) !== 0x7f80 && (bits & 0x7fff) >= 0x4780;
    const overflowing = all.filter(overflows);
    const fitting = all.filter((bits) => !overflows(bits));
    const converted = toFloat16Bits(new Uint8Array(fitting.buffer), entry('BF16'));
    fitting.forEach((bits, i) => expectSameHalf(converted[i]!, reference(bits << 16), bits << 16));
    // 0x477f is 65280 (fits); 0x4780 is 65536 (does not): every bf16 from 65536 up overflows.
    expect(overflowing.length).toBe(2 * (0x7f80 - 0x4780));
    for (const bits of overflowing) {
      const value = new Float32Array(new Uint32Array([bits << 16]).buffer)[0]!;
      expect(() => toFloat16Bits(new Uint8Array(new Uint16Array([0, bits]).buffer), entry('BF16'))).toThrow(
        expect.objectContaining({ constructor: Float16RangeError, tensor: 'model.w', message: expect.stringContaining(String(value)) }),
      );
    }
  });

  it('copies F16 values unchanged, NaN payloads included', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }).map((b) => b.subarray(0, b.length & ~1)), (bytes) => {
      expect(new Uint8Array(toFloat16Bits(bytes, entry('F16')).buffer)).toEqual(bytes);
    }));
  });

  it('rounds F32 values, keeps infinities and rejects finite values ≥ 65520 naming tensor and file', () => {
    const bytes = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
    expect(Array.from(toFloat16Bits(bytes([1, -2, Infinity, 65519]), entry('F32')))).toEqual([0x3c00, 0xc000, 0x7c00, 0x7bff]);
    expect(() => toFloat16Bits(bytes([0, -65520]), entry('F32'))).toThrow(Float16RangeError);
    expect(() => toFloat16Bits(bytes([0, -65520]), entry('F32'))).toThrow(/'model\.w' holds -65520/);
  });
});
