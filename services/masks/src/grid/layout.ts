// Token layouts of both model families: which grids of visual tokens an image of a given size
// produces, how a grid over the image is split into views, and the flat visual-token index
// ↔ (view, row, col) mapping (views in model order: tiles row-major, thumbnail last).
import { InvalidArgumentError } from '@locscope/server-kit';
import { chooseTileGrid, DEFAULT_MAX_TILES, DEFAULT_MIN_TILES, DEFAULT_TILE_SIZE } from '../preprocess/index.ts';
import { internvlViews, llavaViews, type PreprocessView } from '../preprocess/views.ts';
import type { GridAxis } from './axis.ts';

export type ModelFamily = 'llava' | 'internvl';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['llava', 'internvl'];

/** LLaVA-1.5: 336 px / 14 px patches. Demo models use smaller grids (from their config). */
export const DEFAULT_LLAVA_GRID_SIZE = 24;
/** InternVL-3.5: 448 px tiles, 14 px patches, pixel shuffle 0.5 → 16×16 tokens per view. */
export const DEFAULT_INTERNVL_VIEW_GRID_SIZE = 16;

export interface LayoutOptions {
  /** LLaVA: cells per side of the padded square. */
  llavaGridSize?: number;
  /** InternVL: tokens per side of each tile and of the thumbnail. */
  internvlViewGridSize?: number;
  /** InternVL dynamic tiling bounds (upstream default max 12; the paper uses 6). */
  minTiles?: number;
  maxTiles?: number;
  /** InternVL tile side in pixels (only the tiling tie-break depends on it). */
  tileSize?: number;
  /** InternVL: append the global thumbnail view when there is more than one tile (upstream: yes). */
  useThumbnail?: boolean;
}

/** One view the model sees: an image crop or the whole image, as a rows×cols token grid. */
export interface GridView {
  name: string;
  rows: number;
  cols: number;
  /** Flat index of the view's token (0, 0). */
  offset: number;
}

/**
 * A grid of cells over the image on which masks are projected and padded; it is split into
 * tileRows×tileCols consecutive views (InternVL's local canvas) or is one view.
 */
export interface ProjectionGrid {
  name: string;
  x: GridAxis;
  y: GridAxis;
  tileRows: number;
  tileCols: number;
  /** Index (in `TokenLayout.views`) of the view holding the grid's top-left tile. */
  firstView: number;
}

export interface TokenLayout {
  family: ModelFamily;
  width: number;
  height: number;
  views: GridView[];
  grids: ProjectionGrid[];
  /** Number of visual tokens over all views. */
  tokenCount: number;
}

export interface TokenPosition {
  view: number;
  row: number;
  col: number;
}

function checkPositive(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`must be a positive integer, got ${value}`, { field });
  }
}

export function parseModelFamily(value: string, field = 'family'): ModelFamily {
  if (!(MODEL_FAMILIES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown model family "${value}" (expected ${MODEL_FAMILIES.join(' or ')})`, { field });
  }
  return value as ModelFamily;
}

export function tokenLayout(family: ModelFamily, width: number, height: number, options: LayoutOptions = {}): TokenLayout {
  checkPositive(width, 'width');
  checkPositive(height, 'height');
  return family === 'llava' ? llavaLayout(width, height, options) : internvlLayout(width, height, options);
}

/** The image centred in a square of side max(W, H), one grid over the whole square. */
function llavaLayout(width: number, height: number, options: LayoutOptions): TokenLayout {
  const n = options.llavaGridSize ?? DEFAULT_LLAVA_GRID_SIZE;
  checkPositive(n, 'llavaGridSize');
  const side = Math.max(width, height);
  const grid: ProjectionGrid = {
    name: 'image',
    x: { cells: n, length: side, offset: Math.floor((side - width) / 2) },
    y: { cells: n, length: side, offset: Math.floor((side - height) / 2) },
    tileRows: 1,
    tileCols: 1,
    firstView: 0,
  };
  return { family: 'llava', width, height, views: withOffsets(llavaViews(n)), grids: [grid], tokenCount: n * n };
}

/** The preprocessing module's views (names and order of pixel_values) with flat offsets. */
function withOffsets(views: PreprocessView[]): GridView[] {
  let offset = 0;
  return views.map(({ name, rows, cols }) => {
    const view = { name, rows, cols, offset };
    offset += rows * cols;
    return view;
  });
}

/** Tiles (row-major) over the image stretched to cols×rows tiles, then the thumbnail. */
function internvlLayout(width: number, height: number, options: LayoutOptions): TokenLayout {
  const n = options.internvlViewGridSize ?? DEFAULT_INTERNVL_VIEW_GRID_SIZE;
  checkPositive(n, 'internvlViewGridSize');
  const { cols, rows } = chooseTileGrid(width, height, {
    minTiles: options.minTiles ?? DEFAULT_MIN_TILES,
    maxTiles: options.maxTiles ?? DEFAULT_MAX_TILES,
    tileSize: options.tileSize ?? DEFAULT_TILE_SIZE,
  });
  const views = withOffsets(internvlViews({ cols, rows }, n, options.useThumbnail ?? true));
  const grids: ProjectionGrid[] = [
    {
      name: 'local',
      x: { cells: n * cols, length: width, offset: 0 },
      y: { cells: n * rows, length: height, offset: 0 },
      tileRows: rows,
      tileCols: cols,
      firstView: 0,
    },
  ];
  if (views.length > rows * cols) {
    grids.push({
      name: 'thumbnail',
      x: { cells: n, length: width, offset: 0 },
      y: { cells: n, length: height, offset: 0 },
      tileRows: 1,
      tileCols: 1,
      firstView: rows * cols,
    });
  }
  return { family: 'internvl', width, height, views, grids, tokenCount: views.length * n * n };
}

export function toFlatIndex(layout: TokenLayout, position: TokenPosition): number {
  const view = layout.views[position.view];
  if (!view) throw new InvalidArgumentError(`view ${position.view} out of range [0, ${layout.views.length})`, { field: 'view' });
  if (!Number.isInteger(position.row) || position.row < 0 || position.row >= view.rows) {
    throw new InvalidArgumentError(`row ${position.row} out of range [0, ${view.rows})`, { field: 'row' });
  }
  if (!Number.isInteger(position.col) || position.col < 0 || position.col >= view.cols) {
    throw new InvalidArgumentError(`col ${position.col} out of range [0, ${view.cols})`, { field: 'col' });
  }
  return view.offset + position.row * view.cols + position.col;
}

export function fromFlatIndex(layout: TokenLayout, index: number): TokenPosition {
  if (!Number.isInteger(index) || index < 0 || index >= layout.tokenCount) {
    throw new InvalidArgumentError(`token index ${index} out of range [0, ${layout.tokenCount})`, { field: 'index' });
  }
  let view = layout.views.length - 1;
  while (layout.views[view].offset > index) view--;
  const local = index - layout.views[view].offset;
  const cols = layout.views[view].cols;
  return { view, row: Math.floor(local / cols), col: local % cols };
}

/** View and flat index of cell (row, col) of a projection grid (splitting it into its views). */
export function gridCellToken(layout: TokenLayout, grid: ProjectionGrid, row: number, col: number): { view: number; index: number } {
  const viewRows = grid.y.cells / grid.tileRows;
  const viewCols = grid.x.cells / grid.tileCols;
  const tileRow = Math.floor(row / viewRows);
  const tileCol = Math.floor(col / viewCols);
  const view = grid.firstView + tileRow * grid.tileCols + tileCol;
  const { offset, cols } = layout.views[view];
  return { view, index: offset + (row - tileRow * viewRows) * cols + (col - tileCol * viewCols) };
}
