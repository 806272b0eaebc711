// Public surface of @locscope/masks: image preprocessing, COCO masks, token grids, token
// selections and box geometry for both model families.
export * from './preprocess/index.ts';
export { emptyMask, encodeMask, decodeRle, rleArea, rleToBbox, mergeRles, checkRle, type BinaryMask, type Rle, type XywhBox } from './coco/rle.ts';
export { rleToString, rleFromString } from './coco/rle-string.ts';
export { rleFromPolygon } from './coco/polygon.ts';
export { boxIou, maskIou } from './coco/iou.ts';
export { segmentationToRle } from './coco/segmentation.ts';
export { parseCocoDataset, readCocoDataset, type CocoAnnotation, type CocoDataset, type CocoImage, type Segmentation } from './coco/dataset.ts';
export {
  filterDataset,
  DEFAULT_MAX_AREA_FRACTION,
  DEFAULT_MIN_AREA_FRACTION,
  DEFAULT_MIN_SHORT_SIDE,
  type DatasetFilterOptions,
  type FilterReason,
  type FilterResult,
} from './coco/filter.ts';
export {
  tokenLayout,
  parseModelFamily,
  toFlatIndex,
  fromFlatIndex,
  MODEL_FAMILIES,
  DEFAULT_LLAVA_GRID_SIZE,
  DEFAULT_INTERNVL_VIEW_GRID_SIZE,
  type GridView,
  type LayoutOptions,
  type ModelFamily,
  type TokenLayout,
  type TokenPosition,
} from './grid/layout.ts';
export { tokenExtent, viewExtent, type Extent } from './grid/extent.ts';
export { MAX_ABS_PADDING } from './grid/morphology.ts';
export { objectTokens, objectTokensByPadding, type TokensByView } from './grid/projection.ts';
export { randomTokens, type RandomTokensOptions } from './selection/random.ts';
export { registerTokens, topKTokens, REGISTER_STD_FACTOR, type RegisterTokens } from './selection/scores.ts';
export { sizeBucket, SMALL_AREA_LIMIT, MEDIUM_AREA_LIMIT, type SizeBucket } from './selection/size-bucket.ts';
export { containerize, type Containerization, type TokenMove } from './selection/containerize.ts';
export { pixelsToModelBox, modelToPixelsBox, xywhToXyxy, INTERNVL_BOX_SCALE, type ImageSize, type XyxyBox } from './box/convert.ts';
export { masksService, startMasksServer, MASKS_SERVICE_NAME, type MasksServiceOptions } from './server/service.ts';
export { DEFAULT_MASKS_LIMITS, type MasksLimits } from './server/limits.ts';
export { masksLauncher, DEFAULT_MASKS_PORT } from './launcher.ts';
