// Copies between our pixel buffers and OpenCV Mats. Results are copied out of the WASM heap
// because a view into it is invalidated when the heap grows.
import type { BinaryMask, RgbImage } from '../image.ts';
import type { MatScope } from './mats.ts';
import type { OpenCv } from './runtime.ts';

type Mat = InstanceType<OpenCv['Mat']>;

/** Mask value OpenCV's inpaint and our PNG output use for "in the mask". */
export const MASK_ON = 255;

export function rgbToMat(cv: OpenCv, scope: MatScope, image: RgbImage): Mat {
  const mat = scope.track(new cv.Mat(image.height, image.width, cv.CV_8UC3));
  mat.data.set(image.data);
  return mat;
}

/** 8-bit single-channel Mat holding 0 or MASK_ON, whatever non-zero values the mask had. */
export function maskToMat(cv: OpenCv, scope: MatScope, mask: BinaryMask): Mat {
  const mat = scope.track(new cv.Mat(mask.height, mask.width, cv.CV_8UC1));
  const binary = new Uint8Array(mask.data.length);
  for (let i = 0; i < binary.length; i++) binary[i] = mask.data[i] !== 0 ? MASK_ON : 0;
  mat.data.set(binary);
  return mat;
}

export function matToRgb(mat: Mat): RgbImage {
  return { width: mat.cols, height: mat.rows, data: Uint8Array.from(mat.data) };
}

export function matToMask(mat: Mat): BinaryMask {
  return { width: mat.cols, height: mat.rows, data: Uint8Array.from(mat.data) };
}
