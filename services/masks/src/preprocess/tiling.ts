// InternVL dynamic tiling: which cols×rows grid of square tiles an image is resized to.
// The rule is the one of Hugging Face's GotOcr2ImageProcessor (crop_to_patches), which
// InternVL-3.5's processor uses and which agrees with the original InternVL
// `dynamic_preprocess` on every fixture size.
import { InvalidArgumentError } from '@locscope/server-kit';

/** Upstream InternVL defaults (the paper runs with maxTiles = 6). */
export const DEFAULT_MIN_TILES = 1;
export const DEFAULT_MAX_TILES = 12;
/** Tile side in pixels of InternVL-3.5 (used by the tie-break's area test). */
export const DEFAULT_TILE_SIZE = 448;

export interface TileGridOptions {
  /** Smallest allowed number of local tiles (cols·rows). */
  minTiles?: number;
  /** Largest allowed number of local tiles (cols·rows). */
  maxTiles?: number;
  /** Tile side in pixels; only the tie-break between equally close aspect ratios depends on it. */
  tileSize?: number;
}

export interface TileGrid {
  cols: number;
  rows: number;
}

/**
 * Every cols×rows grid with minTiles ≤ cols·rows ≤ maxTiles, in the order the upstream
 * processor visits them: by tile count, ties kept in (cols, rows) lexicographic order
 * (a stable sort of the cols-outer, rows-inner enumeration). The order matters because
 * an equal aspect-ratio distance only replaces the current best under the area test.
 */
export function candidateTileGrids(minTiles: number, maxTiles: number): TileGrid[] {
  const grids: TileGrid[] = [];
  for (let cols = 1; cols <= maxTiles; cols++) {
    for (let rows = 1; rows <= maxTiles; rows++) {
      const n = cols * rows;
      if (n >= minTiles && n <= maxTiles) grids.push({ cols, rows });
    }
  }
  // Array.prototype.sort is stable (ES2019), like Python's sorted().
  return grids.sort((a, b) => a.cols * a.rows - b.cols * b.rows);
}

function checkCount(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError(`must be a positive integer, got ${value}`, { field });
  }
}

/**
 * The grid whose aspect ratio cols/rows is closest to width/height. On an exact tie of the
 * distance, a later candidate (more tiles) wins only while the image area exceeds half the
 * area the candidate's tiles cover (0.5 · tileSize² · cols · rows) — upstream's rule for
 * "prefer more tiles unless that would upscale a small image more than 2×".
 */
export function chooseTileGrid(width: number, height: number, options: TileGridOptions = {}): TileGrid {
  const minTiles = options.minTiles ?? DEFAULT_MIN_TILES;
  const maxTiles = options.maxTiles ?? DEFAULT_MAX_TILES;
  const tileSize = options.tileSize ?? DEFAULT_TILE_SIZE;
  checkCount(width, 'width');
  checkCount(height, 'height');
  checkCount(minTiles, 'minTiles');
  checkCount(maxTiles, 'maxTiles');
  checkCount(tileSize, 'tileSize');
  if (minTiles > maxTiles) {
    throw new InvalidArgumentError(`minTiles ${minTiles} exceeds maxTiles ${maxTiles}`, { field: 'minTiles' });
  }
  const aspect = width / height;
  const area = width * height;
  let best: TileGrid = { cols: 1, rows: 1 };
  let bestDiff = Infinity;
  for (const grid of candidateTileGrids(minTiles, maxTiles)) {
    const diff = Math.abs(aspect - grid.cols / grid.rows);
    if (diff < bestDiff) {
      bestDiff = diff;
      best = grid;
    } else if (diff === bestDiff && area > 0.5 * tileSize * tileSize * grid.cols * grid.rows) {
      best = grid;
    }
  }
  return best;
}
