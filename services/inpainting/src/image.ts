// Pixel buffers passed between decoding, dilation, the inpainting backends and PNG encoding.
import type { BinaryMask, RgbImage } from '@locscope/masks';
import { InvalidArgumentError } from '@locscope/server-kit';

// The masks service's pixel types: its decoder produces the images, its COCO decoding the masks.
export type { BinaryMask, RgbImage };

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
