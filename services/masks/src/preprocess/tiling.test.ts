import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HF_PREPROCESS_DIR, readJson } from './testdata/fixtures.ts';
import { candidateTileGrids, chooseTileGrid } from './tiling.ts';

interface GridRow {
  width: number;
  height: number;
  max_patches: number;
  grid_cols_rows: [number, number];
  num_tiles_incl_thumbnail: number;
}
const table = readJson<{ internvl: { grid_table: GridRow[] } }>(`${HF_PREPROCESS_DIR}/preprocess.json`).internvl.grid_table;

describe('chooseTileGrid', () => {
  it.each(table.map((r) => [`${r.width}x${r.height} max ${r.max_patches}`, r] as const))(
    'matches the Hugging Face grid for %s',
    (_name, row) => {
      const grid = chooseTileGrid(row.width, row.height, { maxTiles: row.max_patches });
      expect([grid.cols, grid.rows]).toEqual(row.grid_cols_rows);
      const views = grid.cols * grid.rows === 1 ? 1 : grid.cols * grid.rows + 1;
      expect(views).toBe(row.num_tiles_incl_thumbnail);
    },
  );

  it('lists candidates by tile count, cols-major within a count', () => {
    const grids = candidateTileGrids(1, 4).map((g) => `${g.cols}x${g.rows}`);
    expect(grids).toEqual(['1x1', '1x2', '2x1', '1x3', '3x1', '1x4', '2x2', '4x1']);
  });

  it('always returns an allowed grid whose aspect distance is minimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 12 }), (w, h, max) => {
        const grid = chooseTileGrid(w, h, { maxTiles: max });
        const n = grid.cols * grid.rows;
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(max);
        const diff = Math.abs(w / h - grid.cols / grid.rows);
        for (const c of candidateTileGrids(1, max)) expect(diff).toBeLessThanOrEqual(Math.abs(w / h - c.cols / c.rows));
      }),
    );
  });

  it('breaks an exact tie towards more tiles only while the image is large enough', () => {
    // 1:1 images tie between 1x1, 2x2 and 3x3; the 0.5·448²·n area test decides.
    expect(chooseTileGrid(448, 448)).toEqual({ cols: 1, rows: 1 });
    expect(chooseTileGrid(700, 700)).toEqual({ cols: 2, rows: 2 });
    expect(chooseTileGrid(1000, 1000)).toEqual({ cols: 3, rows: 3 });
  });

  it('rejects non-positive sizes and inverted bounds naming the field', () => {
    expect(() => chooseTileGrid(0, 10)).toThrow(/width/);
    expect(() => chooseTileGrid(10, 10, { maxTiles: 0 })).toThrow(/maxTiles/);
    expect(() => chooseTileGrid(10, 10, { minTiles: 5, maxTiles: 4 })).toThrow(/minTiles/);
  });
});
