// Public surface of image preprocessing (re-exported by services/masks/src/index.ts):
// decoding, the LLaVA-1.5 and InternVL-3.5 pipelines (bit-exact with the Hugging Face
// processors), their uint8 intermediates, and the view/tile geometry they share.
export { decodeImage, DEFAULT_DECODE_FIELD, DEFAULT_MAX_PIXELS, type DecodeOptions } from './decode.ts';
export { cropImage, padToSquare, rgbImage, solidImage, squarePlacement, toChw, type Rgb, type RgbImage, type SquarePlacement } from './image.ts';
export {
  INTERNVL_3_5_PREPROCESS,
  IMAGENET_MEAN,
  IMAGENET_STD,
  preprocessInternVL,
  tileInternVL,
  type InternVLPreprocessOptions,
  type InternVLPreprocessResult,
  type InternVLViews,
} from './internvl.ts';
export {
  CLIP_MEAN,
  CLIP_STD,
  LLAVA_1_5_PREPROCESS,
  meanColour,
  preprocessLlava,
  resizeLlava,
  shortestEdgeSize,
  type LlavaLayout,
  type LlavaPreprocessOptions,
  type LlavaPreprocessResult,
  type LlavaResizeMode,
  type LlavaViews,
} from './llava.ts';
export { DEFAULT_RESCALE_FACTOR, normalizeViews, type ChannelStats, type NormalizeOptions } from './normalize.ts';
export { resizeBicubic } from './resample.ts';
export { candidateTileGrids, chooseTileGrid, DEFAULT_MAX_TILES, DEFAULT_MIN_TILES, DEFAULT_TILE_SIZE, type TileGrid, type TileGridOptions } from './tiling.ts';
export {
  internvlViews,
  llavaViews,
  LLAVA_VIEW_NAME,
  THUMBNAIL_VIEW_NAME,
  tileViewName,
  tokensPerSide,
  type PreprocessView,
} from './views.ts';
