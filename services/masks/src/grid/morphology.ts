// Binary dilation/erosion of a token grid with a (2p+1)×(2p+1) square; cells outside the grid
// count as background, so erosion also peels the grid border. The square is separable, so
// both run as a row pass then a column pass.
import { InvalidArgumentError } from '@locscope/server-kit';

/** A rows×cols binary grid, row-major. */
export interface CellGrid {
  rows: number;
  cols: number;
  cells: Uint8Array;
}

/** Largest |p| accepted: the paper uses −2..+2; beyond this a square covers any real grid. */
export const MAX_ABS_PADDING = 16;

export function checkPadding(padding: number, field = 'padding'): void {
  if (!Number.isInteger(padding) || Math.abs(padding) > MAX_ABS_PADDING) {
    throw new InvalidArgumentError(`must be an integer in [-${MAX_ABS_PADDING}, ${MAX_ABS_PADDING}], got ${padding}`, { field });
  }
}

/** p > 0 dilates by p cells, p < 0 erodes by −p, p = 0 returns a copy. */
export function padGrid(grid: CellGrid, padding: number): CellGrid {
  checkPadding(padding);
  if (padding === 0) return { ...grid, cells: grid.cells.slice() };
  const dilate = padding > 0;
  const radius = Math.abs(padding);
  const rowPass = pass(grid.cells, radius, dilate, { lines: grid.rows, length: grid.cols, stride: 1, lineStride: grid.cols });
  const cells = pass(rowPass, radius, dilate, { lines: grid.cols, length: grid.rows, stride: grid.cols, lineStride: 1 });
  return { rows: grid.rows, cols: grid.cols, cells };
}

/** Lines of `length` cells, `stride` apart within a line; line k starts at k·lineStride. */
interface Lines {
  lines: number;
  length: number;
  stride: number;
  lineStride: number;
}

/**
 * One 1-D pass along rows or columns; dilation = any cell within the radius set, erosion =
 * every cell within the radius set and inside the grid.
 */
function pass(cells: Uint8Array, radius: number, dilate: boolean, { lines, length, stride, lineStride }: Lines): Uint8Array {
  const out = new Uint8Array(cells.length);
  for (let line = 0; line < lines; line++) {
    const start = line * lineStride;
    for (let i = 0; i < length; i++) {
      let value = dilate ? 0 : 1;
      for (let d = -radius; d <= radius; d++) {
        const j = i + d;
        const inside = j >= 0 && j < length;
        const set = inside && cells[start + j * stride] === 1;
        if (dilate && set) {
          value = 1;
          break;
        }
        if (!dilate && !set) {
          value = 0;
          break;
        }
      }
      out[start + i * stride] = value;
    }
  }
  return out;
}
