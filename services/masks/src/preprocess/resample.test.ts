import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode.ts';
import { rgbImage, solidImage, type RgbImage } from './image.ts';
import { resizeBicubic } from './resample.ts';
import { pilReference, referenceImagePath, sha256 } from './testdata/fixtures.ts';

const reference = pilReference();
const sources = new Map<string, RgbImage>();

beforeAll(async () => {
  for (const name of new Set(reference.resize.map((c) => c.image))) {
    sources.set(name, await decodeImage(readFileSync(referenceImagePath(name))));
  }
});

describe('resizeBicubic', () => {
  // Strong and odd down-scales (640→7, →1×1), up-scales, one axis at a time, grey input:
  // every byte must equal Pillow's Image.resize(size, BICUBIC).
  it.each(reference.resize.map((c) => [`${c.image} → ${c.width}x${c.height}`, c] as const))(
    'equals Pillow BICUBIC for %s',
    (_name, c) => {
      const out = resizeBicubic(sources.get(c.image)!, c.width, c.height);
      expect([out.width, out.height]).toEqual([c.width, c.height]);
      expect(sha256(out.data)).toBe(c.sha256);
    },
  );

  it('returns the input unchanged when the size does not change (Pillow copies)', () => {
    const image = sources.get('noise_41x37.png')!;
    expect(resizeBicubic(image, image.width, image.height)).toBe(image);
  });

  it('keeps a constant image constant at any moderate scale (weights sum to one)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 0, max: 255 }),
        (w, h, ow, oh, v) => {
          const out = resizeBicubic(solidImage(w, h, [v, 255 - v, v >> 1]), ow, oh);
          for (let i = 0; i < out.data.length; i += 3) {
            if (out.data[i] !== v || out.data[i + 1] !== 255 - v || out.data[i + 2] !== v >> 1) return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('clamps the bicubic over/undershoot of a black→white step instead of wrapping', () => {
    // Undershoot before the edge is negative and overshoot after it exceeds 255; clamped, the
    // row rises monotonically from exactly 0 to exactly 255 (wrapping would break both).
    const data = new Uint8Array(40 * 4 * 3);
    for (let y = 0; y < 4; y++) data.fill(255, (y * 40 + 20) * 3, (y * 40 + 40) * 3);
    const out = resizeBicubic(rgbImage(40, 4, data), 97, 4);
    const row = Array.from({ length: 97 }, (_, x) => out.data[x * 3]);
    expect(row[0]).toBe(0);
    expect(row[96]).toBe(255);
    for (let x = 1; x < 97; x++) expect(row[x]).toBeGreaterThanOrEqual(row[x - 1]);
  });

  it('rejects non-integer or empty targets', () => {
    const image = solidImage(4, 4, [1, 2, 3]);
    expect(() => resizeBicubic(image, 0, 4)).toThrow(RangeError);
    expect(() => resizeBicubic(image, 2.5, 4)).toThrow(RangeError);
  });
});
