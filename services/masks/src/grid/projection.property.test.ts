// Invariants of projection and padding on random masks, image sizes and grid configurations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinaryMask } from '../coco/rle.ts';
import { viewExtent } from './extent.ts';
import { fromFlatIndex, toFlatIndex, tokenLayout, type LayoutOptions, type ModelFamily, type TokenLayout } from './layout.ts';
import { padGrid, type CellGrid } from './morphology.ts';
import { objectTokens, projectMask } from './projection.ts';

const layoutArbitrary = fc.record({
  family: fc.constantFrom<ModelFamily>('llava', 'internvl'),
  width: fc.integer({ min: 1, max: 90 }),
  height: fc.integer({ min: 1, max: 90 }),
  options: fc.record<LayoutOptions>({
    llavaGridSize: fc.integer({ min: 1, max: 13 }),
    internvlViewGridSize: fc.integer({ min: 1, max: 5 }),
    maxTiles: fc.integer({ min: 1, max: 8 }),
  }),
});

const caseArbitrary = layoutArbitrary.chain((l) =>
  fc.record({
    layout: fc.constant(tokenLayout(l.family, l.width, l.height, l.options)),
    // A sparse random mask: each pixel set with probability ~1/8, at least one pixel.
    bits: fc.uint8Array({ minLength: l.width * l.height, maxLength: l.width * l.height }),
    forced: fc.integer({ min: 0, max: l.width * l.height - 1 }),
  }),
);

function maskOf(layout: TokenLayout, bits: Uint8Array, forced: number): BinaryMask {
  const data = bits.map((b) => (b < 32 ? 1 : 0));
  data[forced] = 1;
  return { width: layout.width, height: layout.height, data };
}

const flat = (tokens: number[][]) => new Set(tokens.flat());
const subset = (a: Set<number>, b: Set<number>) => [...a].every((x) => b.has(x));

describe('projection invariants', () => {
  it('erosion ⊆ object tokens ⊆ dilation, for p = 1..3', () => {
    fc.assert(
      fc.property(caseArbitrary, fc.integer({ min: 1, max: 3 }), ({ layout, bits, forced }, p) => {
        const mask = maskOf(layout, bits, forced);
        const object = flat(objectTokens(layout, mask, 0));
        expect(subset(flat(objectTokens(layout, mask, -p)), object)).toBe(true);
        expect(subset(object, flat(objectTokens(layout, mask, p)))).toBe(true);
      }),
    );
  });

  it('dilate-then-erode keeps every cell whose (2p+1)² square lies inside the grid', () => {
    // Cells nearer the border than p are eroded by the closing itself, because the rule
    // counts the outside of the grid as background.
    const gridArbitrary = fc.record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 12 }) }).chain(({ rows, cols }) =>
      fc.record({ rows: fc.constant(rows), cols: fc.constant(cols), cells: fc.uint8Array({ min: 0, max: 1, minLength: rows * cols, maxLength: rows * cols }) }),
    );
    fc.assert(
      fc.property(gridArbitrary, fc.integer({ min: 1, max: 3 }), (grid: CellGrid, p) => {
        const closed = padGrid(padGrid(grid, p), -p);
        for (let r = p; r < grid.rows - p; r++) {
          for (let c = p; c < grid.cols - p; c++) if (grid.cells[r * grid.cols + c]) expect(closed.cells[r * grid.cols + c]).toBe(1);
        }
      }),
    );
  });

  it('selected tokens cover every object pixel (points at ¼, ½, ¾ of each pixel lie in selected cells)', () => {
    fc.assert(
      fc.property(caseArbitrary, ({ layout, bits, forced }) => {
        const mask = maskOf(layout, bits, forced);
        const projected = projectMask(layout, mask);
        let uncovered = 0;
        layout.grids.forEach((grid, g) => {
          const cellAt = (pixel: number, quarter: number, axis: typeof grid.x) =>
            Math.floor(((4 * (pixel + axis.offset) + quarter) * axis.cells) / (4 * axis.length));
          for (let y = 0; y < mask.height; y++) {
            for (let x = 0; x < mask.width; x++) {
              if (!mask.data[y * mask.width + x]) continue;
              for (const qy of [1, 2, 3]) {
                for (const qx of [1, 2, 3]) {
                  if (!projected[g].cells[cellAt(y, qy, grid.y) * projected[g].cols + cellAt(x, qx, grid.x)]) uncovered++;
                }
              }
            }
          }
        });
        expect(uncovered).toBe(0);
      }),
    );
  });

  it('InternVL tiles cover the image exactly once and the thumbnail covers all of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 12 }), (width, height, maxTiles) => {
        const layout = tokenLayout('internvl', width, height, { maxTiles, internvlViewGridSize: 4 });
        const tiles = layout.views.filter((v) => v.name !== 'thumbnail').map((_, i) => viewExtent(layout, i));
        let area = 0;
        for (const [x0, y0, x1, y1] of tiles) area += (x1 - x0) * (y1 - y0);
        expect(area).toBeCloseTo(width * height, 6);
        const coverCounts = new Set<number>();
        for (let y = 0.5; y < height; y++) {
          for (let x = 0.5; x < width; x++) {
            coverCounts.add(tiles.filter(([x0, y0, x1, y1]) => x >= x0 && x < x1 && y >= y0 && y < y1).length);
          }
        }
        expect([...coverCounts]).toEqual([1]);
        if (tiles.length > 1) expect(viewExtent(layout, layout.views.length - 1)).toEqual([0, 0, width, height]);
      }),
    );
  });

  it('flat index ↔ (view, row, col) is a bijection in model order', () => {
    fc.assert(
      fc.property(layoutArbitrary, (l) => {
        const layout = tokenLayout(l.family, l.width, l.height, l.options);
        let expected = 0;
        layout.views.forEach((view, v) => {
          for (let row = 0; row < view.rows; row++) {
            for (let col = 0; col < view.cols; col++) {
              expect(toFlatIndex(layout, { view: v, row, col })).toBe(expected);
              expect(fromFlatIndex(layout, expected)).toEqual({ view: v, row, col });
              expected++;
            }
          }
        });
        expect(expected).toBe(layout.tokenCount);
      }),
    );
  });
});
