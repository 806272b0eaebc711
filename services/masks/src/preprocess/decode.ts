// Image bytes → RgbImage with sharp (libvips): JPEG, PNG, WebP, GIF, TIFF, AVIF, ….
// The pixels are meant to equal what `PIL.Image.open(f).convert('RGB')` gives the reference
// pipelines: no ICC colour transform (Pillow applies none), alpha dropped rather than
// composited (convert('RGB') discards it), grey replicated into three channels, 8 bits
// (16-bit RGB keeps the high byte, as Pillow). Known, deliberate differences: 16-bit grey
// PNGs (Pillow's mode-I conversion saturates them to 255; here the high byte is kept) and
// CMYK JPEGs (libvips converts colour-managed; Pillow uses a naive formula).
import sharp, { type OutputInfo } from 'sharp';
import { InvalidArgumentError } from '@locscope/server-kit';
import { RGB_CHANNELS, rgbImage, type RgbImage } from './image.ts';

export interface DecodeOptions {
  /** Request field named in errors about these bytes. */
  field?: string;
  /**
   * Apply the EXIF Orientation tag (what a viewer shows, and the frame COCO's width/height
   * describe for rotated photos). Pillow does not, so a reference fed `Image.open` output
   * of a rotated JPEG sees the stored, unrotated pixels: pass false to match it.
   */
  autoOrient?: boolean;
  /** Refuse images with more pixels than this (decompression bombs). */
  maxPixels?: number;
}

export const DEFAULT_DECODE_FIELD = 'image';
/** 64 Mpx: far above COCO/ImageNet sizes, far below what would exhaust memory. */
export const DEFAULT_MAX_PIXELS = 64 * 1024 * 1024;

export async function decodeImage(bytes: Uint8Array, options: DecodeOptions = {}): Promise<RgbImage> {
  const field = options.field ?? DEFAULT_DECODE_FIELD;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new InvalidArgumentError('image bytes are empty', { field });
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(bytes, {
      autoOrient: options.autoOrient ?? true,
      ignoreIcc: true,
      failOn: 'error',
      limitInputPixels: maxPixels,
    })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidArgumentError(`cannot decode image (${bytes.length} bytes): ${reason}`, { field, cause: error });
  }
  const { data, info } = decoded;
  if (info.channels !== RGB_CHANNELS) {
    throw new InvalidArgumentError(`decoded image has ${info.channels} channels, expected RGB`, { field });
  }
  return rgbImage(info.width, info.height, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), field);
}
