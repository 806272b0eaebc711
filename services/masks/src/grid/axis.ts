// One axis of a token grid: `cells` equal cells splitting [0, length) of a canvas on which the
// image starts at `offset`. All arithmetic is on integers (cell c spans [c·length/cells,
// (c+1)·length/cells), compared after multiplying by `cells`), so boundaries are exact.

export interface GridAxis {
  /** Number of cells along the axis. */
  cells: number;
  /** Canvas extent in original-image pixels (LLaVA: the padded square's side S). */
  length: number;
  /** Position of image pixel 0 on the canvas (LLaVA: the centring offset). */
  offset: number;
}

/**
 * The cells whose interior overlaps pixel [x, x+1) with positive length: the first cell
 * ending after the pixel's start through the last cell starting before its end.
 */
export function cellsOfPixel(axis: GridAxis, x: number): { first: number; last: number } {
  const start = (x + axis.offset) * axis.cells;
  const end = start + axis.cells;
  return {
    first: Math.floor(start / axis.length),
    last: Math.ceil(end / axis.length) - 1,
  };
}

/** Cell c's extent [start, end) in original-image pixel coordinates (may be fractional). */
export function cellExtent(axis: GridAxis, c: number): { start: number; end: number } {
  return {
    start: (c * axis.length) / axis.cells - axis.offset,
    end: ((c + 1) * axis.length) / axis.cells - axis.offset,
  };
}

/** Side of one cell in original-image pixels. */
export function cellSize(axis: GridAxis): number {
  return axis.length / axis.cells;
}
