import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import { cocoSubset } from '../test-data.ts';
import { DEFAULT_MAX_AREA_FRACTION, DEFAULT_MIN_AREA_FRACTION, DEFAULT_MIN_SHORT_SIDE, filterDataset } from './filter.ts';
import { maskIou } from './iou.ts';
import { decodeRle, encodeMask, rleArea, type BinaryMask } from './rle.ts';
import { rleFromString, rleToString } from './rle-string.ts';
import { segmentationToRle } from './segmentation.ts';

function rect(height: number, width: number, x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const data = new Uint8Array(height * width);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * width + x] = 1;
  return { height, width, data };
}

describe('RLE codecs', () => {
  it('round-trip random masks through runs and strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.infiniteStream(fc.boolean()), (h, w, bits) => {
        const data = new Uint8Array(h * w);
        const it = bits[Symbol.iterator]();
        for (let i = 0; i < data.length; i++) data[i] = it.next().value ? 1 : 0;
        const rle = encodeMask({ height: h, width: w, data });
        expect(decodeRle(rle).data).toEqual(data);
        expect(rleFromString(rleToString(rle), h, w, 'counts')).toEqual(rle);
        expect(rleArea(rle)).toBe(data.reduce((a, b) => a + b, 0));
      }),
    );
  });

  it('reject strings with foreign characters, truncation or the wrong pixel count, naming the field', () => {
    expect(() => rleFromString('0~', 2, 2, 'segmentation.counts')).toThrow(InvalidArgumentError);
    expect(() => rleFromString('P', 2, 2, 'segmentation.counts')).toThrow(/^segmentation\.counts: truncated/);
    expect(() => rleFromString('3', 2, 2, 'segmentation.counts')).toThrow(/runs cover 3 pixels/);
  });

  it('reject a polygon with too few coordinates and an RLE of another size', () => {
    expect(() => segmentationToRle([[1, 2, 3, 4]], 10, 10, 'seg')).toThrow(/^seg\[0\]:/);
    expect(() => segmentationToRle({ size: [5, 5], counts: [25] }, 10, 10, 'seg')).toThrow(/^seg\.size:/);
  });
});

describe('mask IoU with iscrowd', () => {
  it('divides by the detection area for a crowd ground truth', () => {
    const a = encodeMask(rect(20, 20, 0, 0, 10, 10)); // 100 px
    const b = encodeMask(rect(20, 20, 5, 0, 20, 20)); // 300 px, overlap 50
    expect(maskIou([a], [b], [false])[0][0]).toBeCloseTo(50 / 350, 15);
    expect(maskIou([a], [b], [true])[0][0]).toBeCloseTo(50 / 100, 15);
    expect(maskIou([b], [a], [true])[0][0]).toBeCloseTo(50 / 300, 15);
    expect(maskIou([a], [encodeMask(rect(20, 20, 12, 12, 14, 14))], [true])[0][0]).toBe(0);
  });
});

describe('probing-set filter on the COCO subset', () => {
  it('keeps only single-instance, non-crowd targets within the area and resolution bounds', async () => {
    const dataset = await cocoSubset();
    const images = new Map(dataset.images.map((i) => [i.id, i]));
    const { kept, dropped } = filterDataset(dataset);
    expect(kept.length + dropped.length).toBe(dataset.annotations.length);
    expect(kept.length).toBeGreaterThan(0);
    for (const a of kept) {
      const image = images.get(a.image_id)!;
      const fraction = a.area / (image.width * image.height);
      expect(a.iscrowd).toBe(0);
      expect(dataset.annotations.filter((b) => b.image_id === a.image_id && b.category_id === a.category_id)).toHaveLength(1);
      expect(fraction).toBeGreaterThanOrEqual(DEFAULT_MIN_AREA_FRACTION);
      expect(fraction).toBeLessThanOrEqual(DEFAULT_MAX_AREA_FRACTION);
      expect(Math.min(image.width, image.height)).toBeGreaterThanOrEqual(DEFAULT_MIN_SHORT_SIDE);
    }
    const reasons = new Set(dropped.map((d) => d.reason));
    expect(reasons).toContain('crowd');
    expect(reasons).toContain('repeated_category');
    expect(reasons).toContain('too_small');
    // Every crowd annotation is dropped (as crowd or, counted first, nothing else).
    expect(dropped.filter((d) => d.annotation.iscrowd === 1).every((d) => d.reason === 'crowd')).toBe(true);
    expect(filterDataset(dataset, { dropCrowd: false, dropRepeatedCategories: false, minAreaFraction: 0, maxAreaFraction: 1, minShortSide: 0 }).kept).toHaveLength(dataset.annotations.length);
  });

  it('rejects inconsistent bounds, naming the option', async () => {
    const dataset = await cocoSubset();
    expect(() => filterDataset(dataset, { minAreaFraction: 0.5, maxAreaFraction: 0.1 })).toThrow(/^minAreaFraction:/);
  });
});
