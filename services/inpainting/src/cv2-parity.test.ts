// Telea / Navier–Stokes through opencv-js against Debian's python3-opencv (cv2 4.6) on shared
// COCO images with masks from their annotations: bit-for-bit equality of the whole output.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '@locscope/masks';
import { maskFromAnnotation } from './coco-mask.ts';
import { countMaskPixels, type RgbImage } from './image.ts';
import { MASK_ON } from './opencv/convert.ts';
import { removeObject } from './remove.ts';
import { COCO_ANNOTATIONS, COCO_IMAGES, cv2Cases, FIXTURES_DIR, type Cv2Case } from './test-data.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Pixels of `image` inside the case's crop box that differ from cv2's crop PNG. */
async function differingCropPixels(image: RgbImage, testCase: Cv2Case): Promise<number> {
  const [x, y, w, h] = testCase.dilated_box;
  const { data } = await sharp(`${FIXTURES_DIR}${testCase.crop_png}`).raw().toBuffer({ resolveWithObject: true });
  let differing = 0;
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const ours = ((y + row) * image.width + x + col) * 3;
      const theirs = (row * w + col) * 3;
      if ([0, 1, 2].some((c) => image.data[ours + c] !== data[theirs + c])) differing++;
    }
  }
  return differing;
}

describe('classical inpainting equals cv2.inpaint', () => {
  for (const testCase of cv2Cases()) {
    it(`${testCase.name} (annotation ${testCase.annotation_id})`, async () => {
      const image = await decodeImage(await readFile(`${COCO_IMAGES}/${testCase.image}`));
      const mask = await maskFromAnnotation(COCO_ANNOTATIONS, testCase.annotation_id);
      expect([image.width, image.height]).toEqual([testCase.width, testCase.height]);
      // The mask must be pycocotools' rasterization for the comparison to mean anything.
      expect(countMaskPixels(mask)).toBe(testCase.mask_pixels);

      const result = await removeObject(image, mask, {
        method: testCase.method,
        dilatePx: testCase.dilate_px,
        radius: testCase.radius,
      });
      expect(result.maskPixels).toBe(testCase.dilated_pixels);
      expect(result.dilatedMask.data.every((v) => v === 0 || v === MASK_ON)).toBe(true);
      expect(sha256(result.dilatedMask.data)).toBe(testCase.dilated_sha256);
      expect(await differingCropPixels(result.image, testCase)).toBe(0);
      expect(sha256(result.image.data)).toBe(testCase.output_sha256);
    });
  }
});
