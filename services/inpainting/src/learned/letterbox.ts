// Fitting an arbitrary image into a learned model's fixed input (e.g. LaMa at 512×512) and
// back: scale to fit keeping the aspect ratio, pad bottom/right by mirroring, and undo both.
import type { BinaryMask, RgbImage } from '../image.ts';
import { maskToMat, matToMask, matToRgb, rgbToMat, MASK_ON } from '../opencv/convert.ts';
import { withMats } from '../opencv/mats.ts';
import type { OpenCv } from '../opencv/runtime.ts';

/** Size of the scaled image inside the padded model input (its top-left corner is at 0,0). */
export interface Content {
  width: number;
  height: number;
}

export interface Letterboxed {
  image: RgbImage;
  hole: BinaryMask;
  content: Content;
}

/** Largest size with the image's aspect ratio that fits targetWidth×targetHeight. */
export function fitInside(width: number, height: number, targetWidth: number, targetHeight: number): Content {
  const scale = Math.min(targetWidth / width, targetHeight / height);
  return {
    width: Math.min(targetWidth, Math.max(1, Math.round(width * scale))),
    height: Math.min(targetHeight, Math.max(1, Math.round(height * scale))),
  };
}

/** Area averaging when shrinking (no aliasing), bicubic when enlarging. */
function interpolation(cv: OpenCv, fromWidth: number, toWidth: number): number {
  return toWidth < fromWidth ? cv.INTER_AREA : cv.INTER_CUBIC;
}

/**
 * The image and hole at the model's input size. The hole is resized by area and every pixel
 * it touches kept, so the model regenerates at least what will be pasted back; the padding
 * mirrors image and hole alike, so a mirrored object is masked too and gives no context.
 */
export function letterbox(cv: OpenCv, image: RgbImage, hole: BinaryMask, targetWidth: number, targetHeight: number): Letterboxed {
  const content = fitInside(image.width, image.height, targetWidth, targetHeight);
  return withMats((scope) => {
    const size = new cv.Size(content.width, content.height);
    const how = interpolation(cv, image.width, content.width);
    const scaledImage = scope.track(new cv.Mat());
    cv.resize(rgbToMat(cv, scope, image), scaledImage, size, 0, 0, how);
    // Area-resized in float: in 8 bits a hole pixel's share of a much larger output pixel
    // rounds to 0 and the hole vanishes (90×46 → 8×4 loses a single pixel).
    const holeFloat = scope.track(new cv.Mat());
    maskToMat(cv, scope, hole).convertTo(holeFloat, cv.CV_32F);
    const scaledHoleFloat = scope.track(new cv.Mat());
    cv.resize(holeFloat, scaledHoleFloat, size, 0, 0, cv.INTER_AREA);
    cv.threshold(scaledHoleFloat, scaledHoleFloat, 0, MASK_ON, cv.THRESH_BINARY);
    const scaledHole = scope.track(new cv.Mat());
    scaledHoleFloat.convertTo(scaledHole, cv.CV_8U);
    const bottom = targetHeight - content.height;
    const right = targetWidth - content.width;
    const paddedImage = scope.track(new cv.Mat());
    cv.copyMakeBorder(scaledImage, paddedImage, 0, bottom, 0, right, cv.BORDER_REFLECT);
    const paddedHole = scope.track(new cv.Mat());
    cv.copyMakeBorder(scaledHole, paddedHole, 0, bottom, 0, right, cv.BORDER_REFLECT);
    return { image: matToRgb(paddedImage), hole: matToMask(paddedHole), content };
  });
}

/** Crops the content out of a model output and scales it back to width×height. */
export function unletterbox(cv: OpenCv, output: RgbImage, content: Content, width: number, height: number): RgbImage {
  return withMats((scope) => {
    const cropped = scope.track(rgbToMat(cv, scope, output).roi(new cv.Rect(0, 0, content.width, content.height)));
    const restored = scope.track(new cv.Mat());
    cv.resize(cropped, restored, new cv.Size(width, height), 0, 0, interpolation(cv, content.width, width));
    return matToRgb(restored);
  });
}
