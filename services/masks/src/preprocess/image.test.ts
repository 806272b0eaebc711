import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import { cropImage, padToSquare, rgbImage, squarePlacement, toChw, type Rgb } from './image.ts';

const arbImage = fc
  .record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) })
  .chain(({ width, height }) =>
    fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }).map((data) => rgbImage(width, height, data)),
  );

describe('padToSquare', () => {
  it('keeps every pixel at the LLaVA offset ((S−W)//2, (S−H)//2) and fills the rest', () => {
    const fill: Rgb = [122, 116, 104];
    fc.assert(
      fc.property(arbImage, (image) => {
        const square = padToSquare(image, fill);
        const { side, left, top } = squarePlacement(image.width, image.height);
        expect([square.width, square.height]).toEqual([side, side]);
        expect([left, top]).toEqual([Math.floor((side - image.width) / 2), Math.floor((side - image.height) / 2)]);
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) {
            const inside = x >= left && x < left + image.width && y >= top && y < top + image.height;
            for (let c = 0; c < 3; c++) {
              const got = square.data[(y * side + x) * 3 + c];
              const want = inside ? image.data[((y - top) * image.width + (x - left)) * 3 + c] : fill[c];
              if (got !== want) return false;
            }
          }
        }
        return true;
      }),
    );
  });
});

describe('cropImage / toChw', () => {
  it('crops the requested window and refuses one outside the image', () => {
    fc.assert(
      fc.property(arbImage, fc.nat(), fc.nat(), (image, a, b) => {
        const left = a % image.width;
        const top = b % image.height;
        const crop = cropImage(image, left, top, image.width - left, image.height - top);
        for (let y = 0; y < crop.height; y++) {
          for (let x = 0; x < crop.width; x++) {
            if (crop.data[(y * crop.width + x) * 3 + 1] !== image.data[((y + top) * image.width + x + left) * 3 + 1]) return false;
          }
        }
        expect(() => cropImage(image, left, top, image.width - left + 1, 1)).toThrow(RangeError);
        return true;
      }),
    );
  });

  it('plans channels (CHW) from interleaved pixels', () => {
    const chw = toChw(rgbImage(2, 1, Uint8Array.from([1, 2, 3, 4, 5, 6])));
    expect([...chw]).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('rgbImage', () => {
  it('rejects a buffer of the wrong length naming the field', () => {
    expect(() => rgbImage(2, 2, new Uint8Array(11), 'views[1]')).toThrow(InvalidArgumentError);
    expect(() => rgbImage(2, 2, new Uint8Array(11), 'views[1]')).toThrow(/^views\[1\]: /);
    expect(() => rgbImage(0, 2, new Uint8Array(0))).toThrow(/^image: /);
  });
});
