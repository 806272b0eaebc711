// InternVL-3.5 image preprocessing → pixel_values [views, 3, T, T], in the order of Hugging
// Face's GotOcr2ImageProcessor (crop_to_patches) and of the original `dynamic_preprocess`:
// choose the tile grid, resize the whole image (bicubic) to (T·cols)×(T·rows), cut T×T tiles
// row-major, then — when there is more than one tile — append a thumbnail, a bicubic resize
// of the original image to T×T. Tiles are already T×T, so the processor's per-view resize is
// the identity.
import { cropImage, type RgbImage } from './image.ts';
import { normalizeViews, type ChannelStats } from './normalize.ts';
import { resizeBicubic } from './resample.ts';
import { chooseTileGrid, DEFAULT_MAX_TILES, DEFAULT_MIN_TILES, DEFAULT_TILE_SIZE, type TileGrid } from './tiling.ts';
import { internvlViews, tokensPerSide, type PreprocessView } from './views.ts';

/** ImageNet normalization. */
export const IMAGENET_MEAN: ChannelStats = [0.485, 0.456, 0.406];
export const IMAGENET_STD: ChannelStats = [0.229, 0.224, 0.225];

export interface InternVLPreprocessOptions {
  /** Tile (and thumbnail) side T. */
  tileSize?: number;
  /** Vision patch side. */
  patchSize?: number;
  /** Pixel-shuffle ratio: tokens per side = T/patch · ratio. */
  downsampleRatio?: number;
  minTiles?: number;
  /** Upstream default 12; the paper uses 6. */
  maxTiles?: number;
  /** Append the global thumbnail view when the grid has more than one tile. */
  useThumbnail?: boolean;
  mean?: ChannelStats;
  std?: ChannelStats;
  rescaleFactor?: number;
}

/** InternVL-3.5 (InternViT-300M, 448 px, patch 14, pixel shuffle 0.5 → 16×16 tokens per view). */
export const INTERNVL_3_5_PREPROCESS = {
  tileSize: DEFAULT_TILE_SIZE,
  patchSize: 14,
  downsampleRatio: 0.5,
  minTiles: DEFAULT_MIN_TILES,
  maxTiles: DEFAULT_MAX_TILES,
  useThumbnail: true,
  mean: IMAGENET_MEAN,
  std: IMAGENET_STD,
} as const;

/** The uint8 side of the pipeline: everything before normalization. */
export interface InternVLViews {
  /** Tiles row-major, thumbnail last. */
  views: PreprocessView[];
  /** The chosen local tile grid. */
  grid: TileGrid;
  /** The (T·cols)×(T·rows) uint8 resize the tiles are cut from. */
  canvas: RgbImage;
  /** The T×T uint8 image of every view, in view order (the reference's `u8_tiles`). */
  viewImages: RgbImage[];
}

export interface InternVLPreprocessResult extends InternVLViews {
  pixelValues: Float32Array;
  shape: [number, 3, number, number];
}

/** Grid choice, canvas resize, tile cuts and thumbnail, without normalization. */
export function tileInternVL(image: RgbImage, options: InternVLPreprocessOptions = {}): InternVLViews {
  const tileSize = options.tileSize ?? INTERNVL_3_5_PREPROCESS.tileSize;
  const patchSize = options.patchSize ?? INTERNVL_3_5_PREPROCESS.patchSize;
  const ratio = options.downsampleRatio ?? INTERNVL_3_5_PREPROCESS.downsampleRatio;
  const useThumbnail = options.useThumbnail ?? INTERNVL_3_5_PREPROCESS.useThumbnail;
  const tokens = tokensPerSide(tileSize, patchSize, ratio);
  const grid = chooseTileGrid(image.width, image.height, {
    minTiles: options.minTiles ?? INTERNVL_3_5_PREPROCESS.minTiles,
    maxTiles: options.maxTiles ?? INTERNVL_3_5_PREPROCESS.maxTiles,
    tileSize,
  });
  const views = internvlViews(grid, tokens, useThumbnail);
  const canvas = resizeBicubic(image, tileSize * grid.cols, tileSize * grid.rows);
  const viewImages = views.map((view) =>
    view.tile
      ? cropImage(canvas, view.tile.col * tileSize, view.tile.row * tileSize, tileSize, tileSize)
      : resizeBicubic(image, tileSize, tileSize),
  );
  return { views, grid, canvas, viewImages };
}

export function preprocessInternVL(image: RgbImage, options: InternVLPreprocessOptions = {}): InternVLPreprocessResult {
  const tiled = tileInternVL(image, options);
  const tileSize = tiled.viewImages[0].width;
  return {
    ...tiled,
    pixelValues: normalizeViews(tiled.viewImages, {
      mean: options.mean ?? INTERNVL_3_5_PREPROCESS.mean,
      std: options.std ?? INTERNVL_3_5_PREPROCESS.std,
      rescaleFactor: options.rescaleFactor,
    }),
    shape: [tiled.views.length, 3, tileSize, tileSize],
  };
}
