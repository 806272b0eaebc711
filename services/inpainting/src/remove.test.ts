// removeObject's contract beyond the cv2 parity: untouched pixels stay, uniform images stay
// uniform, and every bad input is a typed error naming its field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailedPreconditionError, InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask, RgbImage } from './image.ts';
import { removeObject } from './remove.ts';

const scene = fc
  .record({ width: fc.integer({ min: 2, max: 20 }), height: fc.integer({ min: 2, max: 20 }) })
  .chain(({ width, height }) =>
    fc.record({
      image: fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }).map((data) => ({ width, height, data })),
      mask: fc
        .array(fc.boolean(), { minLength: width * height, maxLength: width * height })
        .filter((bits) => bits.includes(true))
        .map((bits) => ({ width, height, data: Uint8Array.from(bits, (b) => (b ? 1 : 0)) })),
    }),
  );

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rgb[i % 3];
  return { width, height, data };
}

describe('removeObject', () => {
  it('changes no pixel outside the dilated mask (Telea and NS)', async () => {
    await fc.assert(
      fc.asyncProperty(scene, fc.constantFrom('telea' as const, 'ns' as const), fc.integer({ min: 0, max: 3 }), async ({ image, mask }, method, dilatePx) => {
        const result = await removeObject(image, mask, { method, dilatePx });
        for (let p = 0; p < mask.data.length; p++) {
          if (result.dilatedMask.data[p] !== 0) continue;
          expect(Array.from(result.image.data.subarray(3 * p, 3 * p + 3))).toEqual(Array.from(image.data.subarray(3 * p, 3 * p + 3)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('removes an object from a uniform background (its colour is gone from the hole)', async () => {
    const background: [number, number, number] = [200, 17, 96];
    const object: [number, number, number] = [10, 240, 30];
    const image = solid(40, 30, background);
    const data = new Uint8Array(40 * 30);
    for (let p = 10 * 40 + 12; p < 10 * 40 + 20; p++) {
      data[p] = 1;
      image.data.set(object, 3 * p);
    }
    const distance = (pixel: Uint8Array, rgb: number[]) => Math.hypot(...rgb.map((v, c) => pixel[c] - v));
    for (const method of ['telea', 'ns'] as const) {
      const result = await removeObject(image, { width: 40, height: 30, data }, { method, dilatePx: 3 });
      expect(result.maskPixels).toBe(7 * (8 + 6));
      for (let p = 0; p < data.length; p++) {
        if (result.dilatedMask.data[p] === 0) continue;
        const pixel = result.image.data.subarray(3 * p, 3 * p + 3);
        expect(distance(pixel, background)).toBeLessThan(distance(pixel, object));
      }
    }
  });

  const image = solid(8, 6, [1, 2, 3]);
  const mask: BinaryMask = { width: 8, height: 6, data: new Uint8Array(48).fill(1, 0, 4) };

  it.each([
    ['an empty mask', image, { ...mask, data: new Uint8Array(48) }, {}, InvalidArgumentError, /^mask: .*no non-zero pixel/],
    ['a mask of the wrong size', image, { width: 6, height: 8, data: mask.data }, {}, InvalidArgumentError, /^mask: mask is 6×8 but the image is 8×6/],
    ['an unknown method', image, mask, { method: 'lama' as never }, InvalidArgumentError, /^method: unknown method "lama"/],
    ['onnx without a model', image, mask, { method: 'onnx' as const }, FailedPreconditionError, /^method: method onnx needs a learned model, and none is configured$/],
    ['a negative margin', image, mask, { dilatePx: -2 }, InvalidArgumentError, /^dilate_px: /],
    ['a zero radius', image, mask, { radius: 0 }, InvalidArgumentError, /^radius: /],
    ['an infinite radius', image, mask, { radius: Infinity }, InvalidArgumentError, /^radius: /],
  ])('rejects %s', async (_, img, msk, options, errorClass, message) => {
    const failure = removeObject(img, msk, options);
    await expect(failure).rejects.toBeInstanceOf(errorClass);
    await expect(failure).rejects.toThrow(message);
  });
});
