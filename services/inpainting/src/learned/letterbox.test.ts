// Letterboxing into a model's input and back: sizes, aspect ratio, and a hole that stays
// covered after scaling (the model must regenerate every pixel that is pasted back).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOpenCv } from '../opencv/runtime.ts';
import { fitInside, letterbox, unletterbox } from './letterbox.ts';

describe('fitInside', () => {
  it('fits the target, touches one side, and keeps the aspect ratio to a pixel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 8, max: 1024 }), fc.integer({ min: 8, max: 1024 }), (w, h, tw, th) => {
        const fit = fitInside(w, h, tw, th);
        expect(fit.width).toBeGreaterThanOrEqual(1);
        expect(fit.height).toBeGreaterThanOrEqual(1);
        expect(fit.width <= tw && fit.height <= th).toBe(true);
        expect(fit.width === tw || fit.height === th).toBe(true);
        // Rounding moves each side by at most half a pixel of the scaled size.
        const scale = Math.min(tw / w, th / h);
        expect(Math.abs(fit.width - w * scale)).toBeLessThanOrEqual(0.5 + 1e-9 + (fit.width === 1 ? 1 : 0));
        expect(Math.abs(fit.height - h * scale)).toBeLessThanOrEqual(0.5 + 1e-9 + (fit.height === 1 ? 1 : 0));
      }),
    );
  });
});

describe('letterbox', () => {
  it('produces the model size, covers every hole pixel, and scales back to the original size', async () => {
    const cv = await loadOpenCv();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 4, max: 90 }),
        fc.integer({ min: 4, max: 90 }),
        fc.integer({ min: 8, max: 40 }),
        fc.integer({ min: 8, max: 40 }),
        fc.nat(),
        async (width, height, targetWidth, targetHeight, seed) => {
          const image = { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 31 + seed) % 256) };
          const hole = { width, height, data: new Uint8Array(width * height) };
          hole.data[seed % hole.data.length] = 1;
          const boxed = letterbox(cv, image, hole, targetWidth, targetHeight);
          expect([boxed.image.width, boxed.image.height, boxed.hole.width, boxed.hole.height]).toEqual([targetWidth, targetHeight, targetWidth, targetHeight]);
          // The single hole pixel's footprint in the scaled content is marked.
          const p = seed % hole.data.length;
          const [x, y] = [p % width, Math.floor(p / width)];
          const sx = boxed.content.width / width;
          const sy = boxed.content.height / height;
          const cx = Math.min(boxed.content.width - 1, Math.floor((x + 0.5) * sx));
          const cy = Math.min(boxed.content.height - 1, Math.floor((y + 0.5) * sy));
          expect(boxed.hole.data[cy * targetWidth + cx]).not.toBe(0);
          const back = unletterbox(cv, boxed.image, boxed.content, width, height);
          expect([back.width, back.height, back.data.length]).toEqual([width, height, width * height * 3]);
        },
      ),
      // The example once made the hole vanish: a pixel split across four much larger outputs.
      { numRuns: 80, examples: [[90, 46, 8, 8, 1749987337]] },
    );
  });
});
