// Classical inpainting through OpenCV's photo module compiled to WASM; its output equals
// Debian's python3-opencv cv2.inpaint bit for bit (fixtures/make_cv2_reference.py checks it).
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask, RgbImage } from './image.ts';
import { maskToMat, matToRgb, rgbToMat } from './opencv/convert.ts';
import { withMats } from './opencv/mats.ts';
import type { OpenCv } from './opencv/runtime.ts';

export type ClassicalMethod = 'telea' | 'ns';

export const DEFAULT_RADIUS = 3;
/** cv2.inpaint's cost grows with radius²; beyond this it takes minutes per image for no gain. */
export const MAX_RADIUS = 64;

export function validateRadius(radius: number, field: string): void {
  if (!Number.isFinite(radius) || radius <= 0 || radius > MAX_RADIUS) {
    throw new InvalidArgumentError(`inpainting radius must be in (0, ${MAX_RADIUS}], got ${radius}`, { field });
  }
}

/**
 * Fills the non-zero pixels of `hole` (same size as `image`). Telea and Navier–Stokes treat the
 * three channels independently, so RGB order gives the same pixels as cv2 on BGR.
 */
export function inpaintClassical(
  cv: OpenCv,
  image: RgbImage,
  hole: BinaryMask,
  method: ClassicalMethod,
  radius: number,
  radiusField = 'radius',
): RgbImage {
  validateRadius(radius, radiusField);
  const flag = method === 'telea' ? cv.INPAINT_TELEA : cv.INPAINT_NS;
  return withMats((scope) => {
    const src = rgbToMat(cv, scope, image);
    const mask = maskToMat(cv, scope, hole);
    const dst = scope.track(new cv.Mat());
    cv.inpaint(src, mask, dst, radius, flag);
    return matToRgb(dst);
  });
}
