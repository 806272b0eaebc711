// Dilation by a (2·px+1)² square: every pixel within Chebyshev distance px of an object pixel.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dilateMask } from './dilate.ts';
import type { BinaryMask } from './image.ts';
import { MASK_ON } from './opencv/convert.ts';
import { loadOpenCv } from './opencv/runtime.ts';

/** Brute-force definition, independent of OpenCV. */
function chebyshevDilation(mask: BinaryMask, px: number): Uint8Array {
  const { width, height, data } = mask;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] === 0) continue;
      for (let yy = Math.max(0, y - px); yy <= Math.min(height - 1, y + px); yy++) {
        for (let xx = Math.max(0, x - px); xx <= Math.min(width - 1, x + px); xx++) out[yy * width + xx] = MASK_ON;
      }
    }
  }
  return out;
}

const maskArbitrary = fc
  .record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) })
  .chain(({ width, height }) =>
    fc
      .uint8Array({ minLength: width * height, maxLength: width * height })
      // Sparse masks with arbitrary non-zero values: any non-zero byte is "object".
      .map((bytes) => ({ width, height, data: bytes.map((b) => (b < 230 ? 0 : b)) })),
  );

describe('dilateMask', () => {
  it('equals the brute-force square dilation for any mask and margin', async () => {
    const cv = await loadOpenCv();
    fc.assert(
      fc.property(maskArbitrary, fc.integer({ min: 0, max: 6 }), (mask, px) => {
        const dilated = dilateMask(cv, mask, px);
        expect([dilated.width, dilated.height]).toEqual([mask.width, mask.height]);
        expect(Array.from(dilated.data)).toEqual(Array.from(chebyshevDilation(mask, px)));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects negative, fractional and huge margins naming the field', async () => {
    const cv = await loadOpenCv();
    const mask = { width: 2, height: 2, data: new Uint8Array([1, 0, 0, 0]) };
    for (const px of [-1, 1.5, 10_000, Number.NaN]) {
      expect(() => dilateMask(cv, mask, px, 'dilate_px')).toThrow(/^dilate_px: /);
    }
  });
});
