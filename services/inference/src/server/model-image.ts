// ImageInput → the pixel values a model takes and the layout of its views, using the masks
// package's preprocessing (bit-exact with the Hugging Face processors) with the checkpoint's
// preprocessor settings.
import { createHash } from 'node:crypto';
import { decodeFloat32 } from '@locscope/proto';
import type { ImageInput } from '@locscope/proto/v1/inference';
import { decodeImage, preprocessInternVL, preprocessLlava, type PreprocessView } from '@locscope/masks';
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import type { Model } from '../runtime/model.ts';
import type { InferenceLimits } from './limits.ts';

export interface PreparedImage {
  pixelValues: Float32Array;
  views: PreprocessView[];
  /** SHA-256 of the pixel values: identical model inputs share cache entries. */
  hash: string;
  /** Local tile grid (LLaVA and raw pixel input: 1×1). */
  tileRows: number;
  tileCols: number;
}

export async function prepareImage(
  model: Model,
  input: ImageInput | undefined,
  limits: Pick<InferenceLimits, 'maxImageBytes' | 'maxImagePixels'>,
  field: string,
): Promise<PreparedImage> {
  const source = input?.source;
  if (!source) throw new InvalidArgumentError('image is required (encoded bytes or pixel_values)', { field });
  if (source.$case === 'pixelValues') return fromPixelValues(model, source.value, `${field}.pixel_values`);
  const bytes = source.value;
  if (bytes.byteLength === 0) throw new InvalidArgumentError('encoded image is empty', { field: `${field}.encoded` });
  if (bytes.byteLength > limits.maxImageBytes) {
    throw new ResourceExhaustedError(`${bytes.byteLength} bytes exceed the limit of ${limits.maxImageBytes}`, { field: `${field}.encoded` });
  }
  const image = await decodeImage(bytes, { field: `${field}.encoded`, maxPixels: limits.maxImagePixels });
  const [size] = model.info.imageSize;
  const { preprocessor, config } = model.checkpoint;
  const stats = { mean: preprocessor.mean, std: preprocessor.std, rescaleFactor: preprocessor.rescaleFactor };
  if (config.family === 'llava') {
    const result = preprocessLlava(image, { ...stats, size, patchSize: size / model.info.imageGrid[0], mode: 'pad' });
    return withHash({ pixelValues: result.pixelValues, views: result.views, tileRows: 1, tileCols: 1 });
  }
  const maxTiles = input.maxTiles ?? preprocessor.maxPatches;
  if (!Number.isInteger(maxTiles) || maxTiles < preprocessor.minPatches || maxTiles > 64) {
    throw new InvalidArgumentError(`max_tiles ${maxTiles} outside [${preprocessor.minPatches}, 64]`, { field: `${field}.max_tiles` });
  }
  const result = preprocessInternVL(image, {
    ...stats,
    tileSize: size,
    patchSize: (size * config.downsampleRatio) / model.info.imageGrid[0],
    downsampleRatio: config.downsampleRatio,
    minTiles: preprocessor.minPatches,
    maxTiles,
  });
  return withHash({ pixelValues: result.pixelValues, views: result.views, tileRows: result.grid.rows, tileCols: result.grid.cols });
}

function fromPixelValues(model: Model, tensor: Parameters<typeof decodeFloat32>[0], field: string): PreparedImage {
  const [height, width] = model.info.imageSize;
  const pixelValues = decodeFloat32(tensor, field, { shape: [-1, 3, height, width] });
  const views = tensor!.shape[0];
  if (views < 1 || (model.info.family === 'llava' && views !== 1)) {
    throw new InvalidArgumentError(`${views} views; ${model.info.family === 'llava' ? 'LLaVA takes exactly 1' : 'need at least 1'}`, { field });
  }
  const [rows, cols] = model.info.imageGrid;
  return withHash({
    pixelValues,
    views: Array.from({ length: views }, (_, v) => ({ name: `view_${v}`, rows, cols })),
    tileRows: 1,
    tileCols: 1,
  });
}

function withHash(image: Omit<PreparedImage, 'hash'>): PreparedImage {
  const bytes = new Uint8Array(image.pixelValues.buffer, image.pixelValues.byteOffset, image.pixelValues.byteLength);
  return { ...image, hash: createHash('sha256').update(bytes).digest('hex') };
}
