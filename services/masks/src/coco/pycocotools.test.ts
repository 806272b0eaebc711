// Exact agreement with pycocotools 2.0.11 on every annotation of the shared COCO subset.
import { describe, expect, it } from 'vitest';
import { cocoSubset, pycocotoolsReference } from '../test-data.ts';
import { boxIou, maskIou } from './iou.ts';
import { decodeRle, encodeMask, rleArea, rleToBbox, type Rle } from './rle.ts';
import { rleFromString, rleToString } from './rle-string.ts';
import { segmentationToRle } from './segmentation.ts';

const reference = pycocotoolsReference();
const dataset = await cocoSubset();
const images = new Map(dataset.images.map((image) => [image.id, image]));
const annotations = new Map(dataset.annotations.map((a) => [a.id, a]));

function annotationRle(id: number): Rle {
  const annotation = annotations.get(id)!;
  const image = images.get(annotation.image_id)!;
  return segmentationToRle(annotation.segmentation, image.height, image.width, `annotation ${id}`);
}

/** The reference rounds IoUs to 10 decimals. */
const IOU_TOLERANCE = 5.1e-11;

describe('COCO masks against pycocotools', () => {
  it('covers every annotation of the subset', () => {
    expect(reference.masks.length).toBe(dataset.annotations.length);
  });

  it('gives the same compressed RLE string, area and toBbox for every annotation', () => {
    for (const expected of reference.masks) {
      const rle = annotationRle(expected.annotation_id);
      expect([rle.height, rle.width]).toEqual(expected.size);
      expect(rleToString(rle), `annotation ${expected.annotation_id}`).toBe(expected.counts);
      expect(rleArea(rle)).toBe(expected.pixel_area);
      expect(rleToBbox(rle)).toEqual(expected.rle_bbox);
    }
  });

  it('decodes every reference string back to the same runs, and mask round trips are lossless', () => {
    for (const expected of reference.masks) {
      const [h, w] = expected.size;
      const rle = rleFromString(expected.counts, h, w, 'counts');
      expect(rleToString(rle)).toBe(expected.counts);
      expect(encodeMask(decodeRle(rle))).toEqual(rle);
    }
  });

  it('gives the same mask and box IoU matrices (iscrowd semantics) for every image', () => {
    for (const pair of reference.pairwise) {
      const rles = pair.annotation_ids.map(annotationRle);
      const crowd = pair.iscrowd.map((flag) => flag === 1);
      const masks = maskIou(rles, rles, crowd);
      const boxes = boxIou(pair.annotation_ids.map((id) => annotations.get(id)!.bbox), pair.annotation_ids.map((id) => annotations.get(id)!.bbox), crowd);
      pair.mask_iou.forEach((row, i) =>
        row.forEach((value, j) => {
          expect(Math.abs(masks[i][j] - value), `image ${pair.image_id} mask [${i},${j}]`).toBeLessThan(IOU_TOLERANCE);
          expect(Math.abs(boxes[i][j] - pair.bbox_iou[i][j]), `image ${pair.image_id} box [${i},${j}]`).toBeLessThan(IOU_TOLERANCE);
        }),
      );
    }
  });
});
