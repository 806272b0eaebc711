// LLaVA-1.5 image preprocessing → pixel_values [3, S, S].
// 'pad' (default, original LLaVA-1.5 and the paper): expand2square with the mean colour,
// then CLIPImageProcessor (the square is resized straight to S×S).
// 'crop' (Hugging Face CLIPImageProcessor alone): short side → S, long side floor(S·long/short),
// centre crop S×S at ((H−S)//2, (W−S)//2).
import { InvalidArgumentError } from '@locscope/server-kit';
import { cropImage, padToSquare, squarePlacement, type Rgb, type RgbImage, type SquarePlacement } from './image.ts';
import { normalizeViews, type ChannelStats } from './normalize.ts';
import { resizeBicubic } from './resample.ts';
import type { TileGrid } from './tiling.ts';
import { llavaViews, tokensPerSide, type PreprocessView } from './views.ts';

/** OpenAI CLIP normalization (llava-hf/llava-1.5-*-hf preprocessor_config). */
export const CLIP_MEAN: ChannelStats = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_STD: ChannelStats = [0.26862954, 0.26130258, 0.27577711];

export type LlavaResizeMode = 'pad' | 'crop';

export interface LlavaPreprocessOptions {
  /** Output side S (CLIP `shortest_edge` = `crop_size`). */
  size?: number;
  /** Vision patch side; S/patch tokens per side. */
  patchSize?: number;
  mean?: ChannelStats;
  std?: ChannelStats;
  rescaleFactor?: number;
  /** Canvas colour of 'pad'; default: the mean as LLaVA computes it, int(m·255) per channel. */
  padColour?: Rgb;
  mode?: LlavaResizeMode;
}

/** LLaVA-1.5 (CLIP ViT-L/14-336). */
export const LLAVA_1_5_PREPROCESS = {
  size: 336,
  patchSize: 14,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  mode: 'pad' as LlavaResizeMode,
} as const;

/** expand2square's fill: tuple(int(x * 255) for x in image_mean) → (122, 116, 104) for CLIP. */
export function meanColour(mean: ChannelStats): Rgb {
  return [Math.trunc(mean[0] * 255), Math.trunc(mean[1] * 255), Math.trunc(mean[2] * 255)];
}

/** How the original image maps into the S×S input. */
export type LlavaLayout =
  | { mode: 'pad'; square: SquarePlacement }
  | { mode: 'crop'; resizedWidth: number; resizedHeight: number; cropLeft: number; cropTop: number };

/** The uint8 side of the pipeline: everything before normalization. */
export interface LlavaViews {
  views: PreprocessView[];
  /** Always 1×1: LLaVA has one view (kept for a family-independent result shape). */
  grid: TileGrid;
  layout: LlavaLayout;
  /** The S×S uint8 image that is normalized (the reference's `u8`). */
  resized: RgbImage;
}

export interface LlavaPreprocessResult extends LlavaViews {
  pixelValues: Float32Array;
  shape: [3, number, number];
}

/** Hugging Face `get_resize_output_image_size(default_to_square=False)`: (width, height). */
export function shortestEdgeSize(width: number, height: number, size: number): [number, number] {
  const long = Math.trunc((size * Math.max(width, height)) / Math.min(width, height));
  return width <= height ? [size, long] : [long, size];
}

/** Pad-or-crop and resize to S×S, without normalization. */
export function resizeLlava(image: RgbImage, options: LlavaPreprocessOptions = {}): LlavaViews {
  const size = options.size ?? LLAVA_1_5_PREPROCESS.size;
  const patchSize = options.patchSize ?? LLAVA_1_5_PREPROCESS.patchSize;
  const mode = options.mode ?? LLAVA_1_5_PREPROCESS.mode;
  if (!Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(`must be a positive integer, got ${size}`, { field: 'size' });
  }
  const views = llavaViews(tokensPerSide(size, patchSize));
  const grid = { cols: 1, rows: 1 };
  if (mode === 'pad') {
    const square = padToSquare(image, options.padColour ?? meanColour(options.mean ?? LLAVA_1_5_PREPROCESS.mean));
    const layout: LlavaLayout = { mode, square: squarePlacement(image.width, image.height) };
    return { views, grid, layout, resized: resizeBicubic(square, size, size) };
  }
  if (mode === 'crop') {
    const [resizedWidth, resizedHeight] = shortestEdgeSize(image.width, image.height, size);
    const cropLeft = Math.floor((resizedWidth - size) / 2);
    const cropTop = Math.floor((resizedHeight - size) / 2);
    const resized = cropImage(resizeBicubic(image, resizedWidth, resizedHeight), cropLeft, cropTop, size, size);
    return { views, grid, layout: { mode, resizedWidth, resizedHeight, cropLeft, cropTop }, resized };
  }
  throw new InvalidArgumentError(`must be 'pad' or 'crop', got ${String(mode)}`, { field: 'mode' });
}

export function preprocessLlava(image: RgbImage, options: LlavaPreprocessOptions = {}): LlavaPreprocessResult {
  const resized = resizeLlava(image, options);
  const size = resized.resized.width;
  return {
    ...resized,
    pixelValues: normalizeViews([resized.resized], {
      mean: options.mean ?? LLAVA_1_5_PREPROCESS.mean,
      std: options.std ?? LLAVA_1_5_PREPROCESS.std,
      rescaleFactor: options.rescaleFactor,
    }),
    shape: [3, size, size],
  };
}
