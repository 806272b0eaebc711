// uint8 views → float32 pixel_values, with the Hugging Face arithmetic exactly:
// x = float32(float64(u8) · (1/255)), then (x − float32(mean)) / float32(std) in float32.
// Each step is one IEEE operation on float32 inputs, so rounding the double result with
// Math.fround gives the float32 result bit for bit.
import { RGB_CHANNELS, type RgbImage } from './image.ts';

export type ChannelStats = readonly [number, number, number];

export interface NormalizeOptions {
  mean: ChannelStats;
  std: ChannelStats;
  /** HF `rescale_factor`; 1/255 for every model here. */
  rescaleFactor?: number;
}

export const DEFAULT_RESCALE_FACTOR = 1 / 255;

/** The 256 possible outputs per channel: normalization is a pure function of (channel, u8). */
function lookupTables(options: NormalizeOptions): Float32Array[] {
  const factor = options.rescaleFactor ?? DEFAULT_RESCALE_FACTOR;
  return [0, 1, 2].map((c) => {
    const mean = Math.fround(options.mean[c]);
    const std = Math.fround(options.std[c]);
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      const x = Math.fround(v * factor);
      table[v] = Math.fround(Math.fround(x - mean) / std);
    }
    return table;
  });
}

/**
 * Normalizes equally sized views into one [views, 3, H, W] float32 buffer (views in order,
 * each planar CHW).
 */
export function normalizeViews(views: readonly RgbImage[], options: NormalizeOptions): Float32Array {
  const plane = views[0].width * views[0].height;
  const out = new Float32Array(views.length * RGB_CHANNELS * plane);
  const [red, green, blue] = lookupTables(options);
  for (let v = 0; v < views.length; v++) {
    const { width, height, data } = views[v];
    if (width * height !== plane) {
      throw new RangeError(`view ${v} is ${width}x${height}, views must share one size`);
    }
    // One sequential read of the interleaved pixels, three sequential plane writes.
    const r0 = v * RGB_CHANNELS * plane;
    const g0 = r0 + plane;
    const b0 = g0 + plane;
    for (let p = 0, i = 0; p < plane; p++, i += RGB_CHANNELS) {
      out[r0 + p] = red[data[i]];
      out[g0 + p] = green[data[i + 1]];
      out[b0 + p] = blue[data[i + 2]];
    }
  }
  return out;
}
