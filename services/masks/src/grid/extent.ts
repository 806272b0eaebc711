// Where each view and token lies in original-image pixel coordinates (for overlays and for
// checking that tiles partition the image).
import { cellExtent } from './axis.ts';
import type { TokenLayout } from './layout.ts';

/** [x0, y0, x1, y1] in image pixels; may extend beyond the image (LLaVA's padding). */
export type Extent = [number, number, number, number];

/** The image region covered by cell (row, col) of view `view`. */
export function tokenExtent(layout: TokenLayout, view: number, row: number, col: number): Extent {
  const g = layout.grids.findLast((grid) => grid.firstView <= view)!;
  const tile = view - g.firstView;
  const viewRows = g.y.cells / g.tileRows;
  const viewCols = g.x.cells / g.tileCols;
  const r = Math.floor(tile / g.tileCols) * viewRows + row;
  const c = (tile % g.tileCols) * viewCols + col;
  const x = cellExtent(g.x, c);
  const y = cellExtent(g.y, r);
  return [x.start, y.start, x.end, y.end];
}

/** The image region a whole view covers. */
export function viewExtent(layout: TokenLayout, view: number): Extent {
  const { rows, cols } = layout.views[view];
  const first = tokenExtent(layout, view, 0, 0);
  const last = tokenExtent(layout, view, rows - 1, cols - 1);
  return [first[0], first[1], last[2], last[3]];
}
