// Preprocess: image bytes → the pixel tensor of the family's processor and its views.
import { float32Tensor } from '@locscope/proto';
import type { PreprocessRequest, PreprocessResponse } from '@locscope/proto/v1/masks';
import { InvalidArgumentError } from '@locscope/server-kit';
import { decodeImage } from '../preprocess/decode.ts';
import { preprocessInternVL } from '../preprocess/internvl.ts';
import { preprocessLlava } from '../preprocess/llava.ts';
import { familyOf, optionalCount, MAX_TILES_LIMIT } from './grid-spec.ts';

export async function handlePreprocess(request: PreprocessRequest): Promise<PreprocessResponse> {
  const family = familyOf(request.family, 'family');
  const minTiles = optionalCount(request.minTiles, MAX_TILES_LIMIT, 'min_tiles');
  const maxTiles = optionalCount(request.maxTiles, MAX_TILES_LIMIT, 'max_tiles');
  if (minTiles !== undefined && maxTiles !== undefined && minTiles > maxTiles) {
    throw new InvalidArgumentError(`${minTiles} exceeds max_tiles ${maxTiles}`, { field: 'min_tiles' });
  }
  const image = await decodeImage(request.image, { field: 'image' });
  const result = family === 'llava' ? preprocessLlava(image) : preprocessInternVL(image, { minTiles, maxTiles });
  // LLaVA's single view gets the views axis too, so both families answer [views, 3, S, S].
  const shape = result.shape.length === 3 ? [1, ...result.shape] : result.shape;
  let offset = 0;
  const views = result.views.map(({ name, rows, cols }) => {
    const view = { name, rows, cols, offset };
    offset += rows * cols;
    return view;
  });
  return { pixelValues: float32Tensor(result.pixelValues, shape), views, width: image.width, height: image.height };
}
