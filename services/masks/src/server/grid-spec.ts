// Request messages → domain values, with every check naming the request field.
import { ModelFamily as ProtoFamily } from '@locscope/proto/v1/model_family';
import type { GridSpec } from '@locscope/proto/v1/masks';
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import { DEFAULT_MAX_PIXELS } from '../preprocess/decode.ts';
import { tokenLayout, type ModelFamily, type TokenLayout } from '../grid/layout.ts';

/** Largest grid side accepted (cells per side of one view); far above any real model. */
export const MAX_GRID_SIZE = 256;
/** Largest InternVL tile count accepted (upstream uses ≤ 12; each tile is a 448 px view). */
export const MAX_TILES_LIMIT = 64;

export function familyOf(family: ProtoFamily, field: string): ModelFamily {
  if (family === ProtoFamily.MODEL_FAMILY_LLAVA) return 'llava';
  if (family === ProtoFamily.MODEL_FAMILY_INTERNVL) return 'internvl';
  throw new InvalidArgumentError(`unknown model family ${ProtoFamily[family] ?? family}`, { field });
}

/** An optional count: 0 = unset (the default), otherwise within [1, max]. */
export function optionalCount(value: number, max: number, field: string): number | undefined {
  if (value === 0) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidArgumentError(`must be in [1, ${max}] (or 0 for the default), got ${value}`, { field });
  }
  return value;
}

export function checkImageSize(width: number, height: number, field: string): void {
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`must be a positive integer, got ${value}`, { field: `${field}.${name}` });
  }
  if (width * height > DEFAULT_MAX_PIXELS) {
    throw new ResourceExhaustedError(`${width}×${height} exceeds ${DEFAULT_MAX_PIXELS} pixels`, { field });
  }
}

export function layoutOf(spec: GridSpec | undefined, field = 'grid'): TokenLayout {
  if (!spec) throw new InvalidArgumentError('required', { field });
  const family = familyOf(spec.family, `${field}.family`);
  checkImageSize(spec.width, spec.height, field);
  const minTiles = optionalCount(spec.minTiles, MAX_TILES_LIMIT, `${field}.min_tiles`);
  const maxTiles = optionalCount(spec.maxTiles, MAX_TILES_LIMIT, `${field}.max_tiles`);
  if (minTiles !== undefined && maxTiles !== undefined && minTiles > maxTiles) {
    throw new InvalidArgumentError(`${minTiles} exceeds max_tiles ${maxTiles}`, { field: `${field}.min_tiles` });
  }
  return tokenLayout(family, spec.width, spec.height, {
    minTiles,
    maxTiles,
    llavaGridSize: optionalCount(spec.llavaGridSize, MAX_GRID_SIZE, `${field}.llava_grid_size`),
    internvlViewGridSize: optionalCount(spec.internvlViewGridSize, MAX_GRID_SIZE, `${field}.internvl_view_grid_size`),
  });
}
