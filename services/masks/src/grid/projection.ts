// Object mask → visual tokens. The rule (issue 3, item 3): pixel (x, y) is the unit square
// [x, x+1)×[y, y+1); a cell is selected when some object pixel's square overlaps it with
// positive area. Overlap of axis-aligned rectangles factorizes per axis, so each pixel row and
// column maps to a cell interval (see axis.ts) and the pixel selects their product.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask } from '../coco/rle.ts';
import { cellsOfPixel, type GridAxis } from './axis.ts';
import { gridCellToken, type ProjectionGrid, type TokenLayout } from './layout.ts';
import { checkPadding, padGrid, type CellGrid } from './morphology.ts';

/** Selected tokens: per view (layout order), ascending flat indices. */
export type TokensByView = number[][];

function axisIntervals(axis: GridAxis, pixels: number): { first: Int32Array; last: Int32Array } {
  const first = new Int32Array(pixels);
  const last = new Int32Array(pixels);
  for (let x = 0; x < pixels; x++) {
    const cells = cellsOfPixel(axis, x);
    first[x] = cells.first;
    last[x] = cells.last;
  }
  return { first, last };
}

/** The cells of one projection grid touched by the mask (before padding). */
export function projectOnGrid(grid: ProjectionGrid, mask: BinaryMask): CellGrid {
  const rows = grid.y.cells;
  const cols = grid.x.cells;
  const cells = new Uint8Array(rows * cols);
  const xs = axisIntervals(grid.x, mask.width);
  const ys = axisIntervals(grid.y, mask.height);
  for (let y = 0; y < mask.height; y++) {
    const rowBase = y * mask.width;
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[rowBase + x] === 0) continue;
      for (let r = ys.first[y]; r <= ys.last[y]; r++) {
        for (let c = xs.first[x]; c <= xs.last[x]; c++) cells[r * cols + c] = 1;
      }
    }
  }
  return { rows, cols, cells };
}

export function checkMaskFitsLayout(layout: TokenLayout, mask: BinaryMask, field = 'mask'): void {
  if (mask.width !== layout.width || mask.height !== layout.height) {
    throw new InvalidArgumentError(`is ${mask.width}×${mask.height} but the image is ${layout.width}×${layout.height}`, { field });
  }
}

/** Flat indices, grouped per view, of the set cells of each projection grid. */
export function gridsToTokens(layout: TokenLayout, grids: CellGrid[]): TokensByView {
  const byView: TokensByView = layout.views.map(() => []);
  layout.grids.forEach((grid, g) => {
    const { rows, cols, cells } = grids[g];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (cells[r * cols + c] === 0) continue;
        const { view, index } = gridCellToken(layout, grid, r, c);
        byView[view].push(index);
      }
    }
  });
  for (const tokens of byView) tokens.sort((a, b) => a - b);
  return byView;
}

/** Per projection grid (layout order): the cells the object touches, before padding. */
export function projectMask(layout: TokenLayout, mask: BinaryMask): CellGrid[] {
  checkMaskFitsLayout(layout, mask);
  return layout.grids.map((grid) => projectOnGrid(grid, mask));
}

/** Projected cells padded by p, each grid separately. */
export function padGrids(projected: CellGrid[], padding: number): CellGrid[] {
  checkPadding(padding);
  return projected.map((grid) => padGrid(grid, padding));
}

/** Object tokens ±p per view for each padding (one projection shared by all paddings). */
export function objectTokensByPadding(layout: TokenLayout, mask: BinaryMask, paddings: readonly number[]): Map<number, TokensByView> {
  paddings.forEach((p, i) => checkPadding(p, `paddings[${i}]`));
  const projected = projectMask(layout, mask);
  return new Map(paddings.map((p) => [p, gridsToTokens(layout, padGrids(projected, p))]));
}

/** Object tokens ±p per view: the selection of the token-ablation experiments. */
export function objectTokens(layout: TokenLayout, mask: BinaryMask, padding = 0): TokensByView {
  return objectTokensByPadding(layout, mask, [padding]).get(padding)!;
}
