// The in-memory image every preprocessing step works on: 8-bit RGB, interleaved, row-major
// (HWC) — the layout of a decoded PIL "RGB" image, so each step can mirror PIL's one.
import { InvalidArgumentError } from '@locscope/server-kit';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width·height·3 bytes, pixel (x, y) channel c at (y·width + x)·3 + c. */
  readonly data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

/** Number of channels of an RgbImage. */
export const RGB_CHANNELS = 3;

/** Checks dimensions and buffer length; `field` names the offending input in the error. */
export function rgbImage(width: number, height: number, data: Uint8Array, field = 'image'): RgbImage {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new InvalidArgumentError(`image size must be positive integers, got ${width}x${height}`, { field });
  }
  if (data.length !== width * height * RGB_CHANNELS) {
    throw new InvalidArgumentError(
      `RGB buffer of a ${width}x${height} image must hold ${width * height * RGB_CHANNELS} bytes, got ${data.length}`,
      { field },
    );
  }
  return { width, height, data };
}

/** A width×height image filled with one colour. */
export function solidImage(width: number, height: number, colour: Rgb): RgbImage {
  const data = new Uint8Array(width * height * RGB_CHANNELS);
  for (let i = 0; i < data.length; i += RGB_CHANNELS) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
  }
  return rgbImage(width, height, data);
}

/** Copies `source` into `target` with its top-left corner at (left, top); the caller keeps it inside. */
function paste(target: RgbImage, source: RgbImage, left: number, top: number): void {
  const rowBytes = source.width * RGB_CHANNELS;
  for (let y = 0; y < source.height; y++) {
    const from = y * rowBytes;
    target.data.set(source.data.subarray(from, from + rowBytes), ((top + y) * target.width + left) * RGB_CHANNELS);
  }
}

/** Where an image sits inside the square canvas of padToSquare. */
export interface SquarePlacement {
  side: number;
  left: number;
  top: number;
}

/** Side max(W,H), image centred with the floor offsets ((S−W)//2, (S−H)//2) of LLaVA's expand2square. */
export function squarePlacement(width: number, height: number): SquarePlacement {
  const side = Math.max(width, height);
  return { side, left: Math.floor((side - width) / 2), top: Math.floor((side - height) / 2) };
}

/** LLaVA-1.5's expand2square: the image pasted centred on a square canvas of `background`. */
export function padToSquare(image: RgbImage, background: Rgb): RgbImage {
  const { side, left, top } = squarePlacement(image.width, image.height);
  if (side === image.width && side === image.height) return image;
  const canvas = solidImage(side, side, background);
  paste(canvas, image, left, top);
  return canvas;
}

/** The width×height window whose top-left corner is (left, top); it must lie inside the image. */
export function cropImage(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > image.width || top + height > image.height) {
    throw new RangeError(`crop ${width}x${height}+${left}+${top} leaves the ${image.width}x${image.height} image`);
  }
  const data = new Uint8Array(width * height * RGB_CHANNELS);
  const rowBytes = width * RGB_CHANNELS;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * RGB_CHANNELS;
    data.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return rgbImage(width, height, data);
}

/** Planar copy (CHW), the layout of the Hugging Face uint8 references and of pixel_values. */
export function toChw(image: RgbImage): Uint8Array {
  const plane = image.width * image.height;
  const out = new Uint8Array(plane * RGB_CHANNELS);
  for (let p = 0, i = 0; p < plane; p++, i += RGB_CHANNELS) {
    out[p] = image.data[i];
    out[plane + p] = image.data[i + 1];
    out[2 * plane + p] = image.data[i + 2];
  }
  return out;
}
