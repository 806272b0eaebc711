// Layout conversions for the learned models' signature: image [1,3,H,W] float in [0,1] (RGB),
// mask [1,1,H,W] float, 1 in the hole; output [1,3,H,W] in [0,1] or [0,255] by configuration.
import type { BinaryMask, RgbImage } from '../image.ts';

/** Value range of a model's output image: LaMa exports differ (some multiply by 255 inside). */
export type OutputRange = 'unit' | 'byte';
export const OUTPUT_RANGES: readonly OutputRange[] = ['unit', 'byte'];

export function imageToChw(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    out[p] = image.data[3 * p] / 255;
    out[plane + p] = image.data[3 * p + 1] / 255;
    out[2 * plane + p] = image.data[3 * p + 2] / 255;
  }
  return out;
}

export function maskToPlane(mask: BinaryMask): Float32Array {
  const out = new Float32Array(mask.data.length);
  for (let p = 0; p < out.length; p++) out[p] = mask.data[p] !== 0 ? 1 : 0;
  return out;
}

/** CHW floats → 8-bit RGB, rounded and clamped (models overshoot the range slightly). */
export function chwToImage(data: Float32Array, width: number, height: number, range: OutputRange): RgbImage {
  const plane = width * height;
  const scale = range === 'unit' ? 255 : 1;
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const value = Math.round(data[c * plane + p] * scale);
      out[3 * p + c] = value < 0 || Number.isNaN(value) ? 0 : value > 255 ? 255 : value;
    }
  }
  return { width, height, data: out };
}
