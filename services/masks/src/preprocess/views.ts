// What each image view fed to a model is, in the order of pixel_values: its name and its
// grid of visual tokens. Shared by the pixel pipelines and by code that only needs the
// geometry (token grids), so both agree on names and order.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { TileGrid } from './tiling.ts';

export interface PreprocessView {
  /** `image` (LLaVA), `tile_<row>_<col>` (InternVL local tile), `thumbnail` (InternVL global view). */
  name: string;
  /** Visual-token grid of the view (after InternVL's pixel shuffle). */
  rows: number;
  cols: number;
  /** InternVL local tiles: position in the tile grid (row-major order of pixel_values). */
  tile?: { row: number; col: number };
}

export const LLAVA_VIEW_NAME = 'image';
export const THUMBNAIL_VIEW_NAME = 'thumbnail';

export function tileViewName(row: number, col: number): string {
  return `tile_${row}_${col}`;
}

/**
 * Tokens along one side of a view: side/patch patches, times the downsampling ratio
 * (InternVL's pixel shuffle merges 2×2 patches into one token: ratio 0.5).
 */
export function tokensPerSide(side: number, patchSize: number, downsampleRatio = 1): number {
  const tokens = (side / patchSize) * downsampleRatio;
  if (!Number.isInteger(side / patchSize) || !Number.isInteger(tokens) || tokens < 1) {
    throw new InvalidArgumentError(
      `view side ${side} px must split into whole ${patchSize} px patches and whole tokens at ratio ${downsampleRatio}`,
      { field: 'patchSize' },
    );
  }
  return tokens;
}

/** LLaVA: one square view. */
export function llavaViews(tokens: number): PreprocessView[] {
  return [{ name: LLAVA_VIEW_NAME, rows: tokens, cols: tokens }];
}

/** InternVL: local tiles row-major, then the thumbnail when there is more than one tile. */
export function internvlViews(grid: TileGrid, tokens: number, useThumbnail: boolean): PreprocessView[] {
  const views: PreprocessView[] = [];
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      views.push({ name: tileViewName(row, col), rows: tokens, cols: tokens, tile: { row, col } });
    }
  }
  if (useThumbnail && views.length > 1) views.push({ name: THUMBNAIL_VIEW_NAME, rows: tokens, cols: tokens });
  return views;
}
