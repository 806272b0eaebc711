// Grows the object mask by a margin so that inpainting also replaces the object's blurred edge
// and shadow fringe: a (2·px+1)² square structuring element, as cv2.dilate with np.ones does.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask } from './image.ts';
import { maskToMat, matToMask } from './opencv/convert.ts';
import { withMats } from './opencv/mats.ts';
import type { OpenCv } from './opencv/runtime.ts';

export const DEFAULT_DILATE_PX = 8;
/** Larger margins would erase most of any COCO-sized image; they are almost certainly typos. */
export const MAX_DILATE_PX = 512;

export function validateDilatePx(px: number, field: string): void {
  if (!Number.isInteger(px) || px < 0 || px > MAX_DILATE_PX) {
    throw new InvalidArgumentError(`dilation must be an integer number of pixels in [0, ${MAX_DILATE_PX}], got ${px}`, {
      field,
    });
  }
}

/** The dilated mask, 0 or 255 per pixel; px = 0 only binarizes. */
export function dilateMask(cv: OpenCv, mask: BinaryMask, px: number, field = 'dilate_px'): BinaryMask {
  validateDilatePx(px, field);
  return withMats((scope) => {
    const src = maskToMat(cv, scope, mask);
    const side = 2 * px + 1;
    const kernel = scope.track(cv.Mat.ones(side, side, cv.CV_8U));
    const dst = scope.track(new cv.Mat());
    cv.dilate(src, dst, kernel);
    return matToMask(dst);
  });
}
