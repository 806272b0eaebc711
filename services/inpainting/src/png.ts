// PNG encoding of results: lossless, so a caller comparing with cv2 sees the exact pixels.
import sharp from 'sharp';
import type { BinaryMask, RgbImage } from './image.ts';
import { MASK_ON } from './opencv/convert.ts';

export async function encodeRgbPng(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
}

/** Grayscale PNG, 0 outside and 255 inside the mask. */
export async function encodeMaskPng(mask: BinaryMask): Promise<Buffer> {
  const gray = new Uint8Array(mask.data.length);
  for (let i = 0; i < gray.length; i++) gray[i] = mask.data[i] !== 0 ? MASK_ON : 0;
  // Without the explicit colourspace sharp widens single-channel input to an RGB PNG.
  return sharp(gray, { raw: { width: mask.width, height: mask.height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}
