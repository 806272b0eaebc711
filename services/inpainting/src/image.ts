// Pixel buffers passed between decoding, dilation, the inpainting backends and PNG encoding.
import { InvalidArgumentError } from '@locscope/server-kit';

/** 8-bit RGB image, row-major, channels interleaved (length = width·height·3). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One byte per pixel, row-major; non-zero marks the object (length = width·height). */
export interface BinaryMask {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Number of non-zero pixels. */
export function countMaskPixels(mask: BinaryMask): number {
  let count = 0;
  for (const value of mask.data) if (value !== 0) count++;
  return count;
}

/** Rejects a mask whose size differs from the image's, naming `field`. */
export function assertMaskFitsImage(image: RgbImage, mask: BinaryMask, field: string): void {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new InvalidArgumentError(
      `mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height} (width×height)`,
      { field },
    );
  }
}
