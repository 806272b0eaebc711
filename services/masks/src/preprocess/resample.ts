// Bicubic resize that reproduces Pillow's `Image.resize(size, Image.BICUBIC)` bit for bit on
// 8-bit images (libImaging/Resample.c), which is what the Hugging Face processors and the
// original LLaVA / InternVL code run. sharp/libvips bicubic differs from it by several levels,
// so the arithmetic is mirrored here: separable convolution, horizontal pass first, each
// output's double weights normalized to sum 1 and then rounded to 22-bit fixed point, the
// intermediate image clamped to uint8 between the passes.
import { RGB_CHANNELS, rgbImage, type RgbImage } from './image.ts';

/** Keys' cubic convolution kernel with a = −0.5 (Pillow's BICUBIC), support 2. */
const BICUBIC_A = -0.5;
const BICUBIC_SUPPORT = 2;

/**
 * Fixed-point fraction bits of the 8-bit path: 32 bits minus 8 for the value and 2 of
 * headroom, because bicubic weights can sum above 1 locally (negative lobes).
 */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

function bicubic(x: number): number {
  const t = x < 0 ? -x : x;
  // Same operation order as Pillow so that every double weight is identical.
  if (t < 1) return ((BICUBIC_A + 2) * t - (BICUBIC_A + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * BICUBIC_A;
  return 0;
}

/** Per output sample: first input index, tap count, and `taps` fixed-point weights (zero-padded). */
interface Kernel {
  taps: number;
  start: Int32Array;
  count: Int32Array;
  weights: Int32Array;
}

/** Weights of a 1-D resize from inSize to outSize samples over the whole input (box = [0, inSize)). */
function kernel(inSize: number, outSize: number): Kernel {
  const scale = inSize / outSize;
  // Downscaling widens the kernel by the scale factor (area-averaging); upscaling keeps it.
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const w = new Float64Array(taps);
  const invScale = 1 / filterScale;
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // Math.trunc is C's (int) cast: the "+ 0.5" rounds only for non-negative values.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const n = hi - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      w[i] = bicubic((i + lo - center + 0.5) * invScale);
      sum += w[i];
    }
    for (let i = 0; i < n; i++) {
      const v = sum !== 0 ? w[i] / sum : w[i];
      // Round half away from zero, then truncate: Pillow's (int)(v·2^22 ± 0.5).
      weights[o * taps + i] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    start[o] = lo;
    count[o] = n;
  }
  return { taps, start, count, weights };
}

/** Fixed-point accumulator → uint8: arithmetic shift (floor), then clamp like Pillow's clip8 table. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass over input rows [rowStart, rowStart + rows). */
function resampleRows(src: RgbImage, outWidth: number, rowStart: number, rows: number, k: Kernel): Uint8Array {
  const out = new Uint8Array(outWidth * rows * RGB_CHANNELS);
  const inRow = src.width * RGB_CHANNELS;
  const data = src.data;
  for (let y = 0; y < rows; y++) {
    const rowBase = (rowStart + y) * inRow;
    let o = y * outWidth * RGB_CHANNELS;
    for (let x = 0; x < outWidth; x++) {
      const n = k.count[x];
      const wBase = x * k.taps;
      let p = rowBase + k.start[x] * RGB_CHANNELS;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let i = 0; i < n; i++, p += RGB_CHANNELS) {
        const wt = k.weights[wBase + i];
        r += data[p] * wt;
        g += data[p + 1] * wt;
        b += data[p + 2] * wt;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return out;
}

/**
 * Vertical pass; `k.start` indexes rows of `src` counted from `rowOffset`. Accumulates whole
 * rows (sequential memory), up to four input rows per sweep to cut accumulator traffic; the
 * sums are the same integers as Pillow's, exact in float64.
 */
function resampleColumns(src: Uint8Array, width: number, outHeight: number, rowOffset: number, k: Kernel): Uint8Array {
  const rowBytes = width * RGB_CHANNELS;
  const out = new Uint8Array(outHeight * rowBytes);
  const acc = new Float64Array(rowBytes);
  for (let y = 0; y < outHeight; y++) {
    const n = k.count[y];
    const wBase = y * k.taps;
    const firstRow = (k.start[y] - rowOffset) * rowBytes;
    const outBase = y * rowBytes;
    if (n === 4) {
      // Every interior row of an up-scale has exactly 4 taps: sum in a register, no accumulator row.
      const w0 = k.weights[wBase];
      const w1 = k.weights[wBase + 1];
      const w2 = k.weights[wBase + 2];
      const w3 = k.weights[wBase + 3];
      for (let c = 0, p = firstRow; c < rowBytes; c++, p++) {
        out[outBase + c] = clip8(HALF + src[p] * w0 + src[p + rowBytes] * w1 + src[p + 2 * rowBytes] * w2 + src[p + 3 * rowBytes] * w3);
      }
      continue;
    }
    acc.fill(HALF);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const w0 = k.weights[wBase + i];
      const w1 = k.weights[wBase + i + 1];
      const w2 = k.weights[wBase + i + 2];
      const w3 = k.weights[wBase + i + 3];
      const r0 = firstRow + i * rowBytes;
      const r1 = r0 + rowBytes;
      const r2 = r1 + rowBytes;
      const r3 = r2 + rowBytes;
      for (let c = 0; c < rowBytes; c++) acc[c] += src[r0 + c] * w0 + src[r1 + c] * w1 + src[r2 + c] * w2 + src[r3 + c] * w3;
    }
    for (; i < n; i++) {
      const wt = k.weights[wBase + i];
      const r = firstRow + i * rowBytes;
      for (let c = 0; c < rowBytes; c++) acc[c] += src[r + c] * wt;
    }
    for (let c = 0; c < rowBytes; c++) out[outBase + c] = clip8(acc[c]);
  }
  return out;
}

/** Pillow-exact BICUBIC resize of the whole image to width×height. */
export function resizeBicubic(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`resize target must be positive integers, got ${width}x${height}`);
  }
  // Pillow returns a copy when nothing changes; each pass is skipped when its axis keeps its size.
  if (width === image.width && height === image.height) return image;
  const vertical = height !== image.height ? kernel(image.height, height) : undefined;
  if (width === image.width) {
    return rgbImage(width, height, resampleColumns(image.data, width, height, 0, vertical!));
  }
  const horizontal = kernel(image.width, width);
  // Only the input rows the vertical pass reads are resampled horizontally.
  const rowStart = vertical ? vertical.start[0] : 0;
  const rowEnd = vertical ? vertical.start[height - 1] + vertical.count[height - 1] : image.height;
  const rows = resampleRows(image, width, rowStart, rowEnd - rowStart, horizontal);
  if (!vertical) return rgbImage(width, height, rows);
  return rgbImage(width, height, resampleColumns(rows, width, height, rowStart, vertical));
}
