// The projection rule re-implemented the slow, literal way — for every cell, test every nearby
// object pixel's unit square for a positive-area overlap with the cell (all coordinates
// multiplied by the cell count, so exact in integers), then pad by brute-force neighbourhood
// search — and compared with the fast implementation on every COCO annotation, both families.
import { describe, expect, it } from 'vitest';
import { decodeRle, type BinaryMask } from '../coco/rle.ts';
import { segmentationToRle } from '../coco/segmentation.ts';
import { chooseTileGrid } from '../preprocess/index.ts';
import { cocoSubset } from '../test-data.ts';
import { tokenLayout } from './layout.ts';
import { objectTokensByPadding } from './projection.ts';

const PADDINGS = [-2, -1, 0, 1, 2];
const dataset = await cocoSubset();
const images = new Map(dataset.images.map((image) => [image.id, image]));

interface Canvas {
  /** Cells per axis, canvas side per axis (image pixels), image offset on the canvas. */
  nx: number;
  ny: number;
  lx: number;
  ly: number;
  ox: number;
  oy: number;
  /** Flat index of canvas cell (r, c). */
  flat: (r: number, c: number) => number;
  /** View of canvas cell (r, c). */
  view: (r: number, c: number) => number;
}

/** Overlap length of pixel [p, p+1) (after offset) and cell c, both scaled by n. */
function overlap(p: number, offset: number, c: number, n: number, length: number): number {
  return Math.min((p + offset + 1) * n, (c + 1) * length) - Math.max((p + offset) * n, c * length);
}

/** The object's pixel extent, to skip cells that cannot hold object pixels. */
function objectExtent(mask: BinaryMask): { xMin: number; xMax: number; yMin: number; yMax: number } {
  const e = { xMin: mask.width, xMax: -1, yMin: mask.height, yMax: -1 };
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (!mask.data[y * mask.width + x]) continue;
      e.xMin = Math.min(e.xMin, x);
      e.xMax = Math.max(e.xMax, x);
      e.yMin = Math.min(e.yMin, y);
      e.yMax = Math.max(e.yMax, y);
    }
  }
  return e;
}

type PixelExtent = ReturnType<typeof objectExtent>;

function bruteForceCells(canvas: Canvas, mask: BinaryMask, extent: PixelExtent): Uint8Array {
  const { nx, ny, lx, ly, ox, oy } = canvas;
  const cells = new Uint8Array(nx * ny);
  for (let r = 0; r < ny; r++) {
    // Pixels possibly touching the cell: a one-pixel margin around its exact extent.
    const y0 = Math.max(extent.yMin, Math.floor((r * ly) / ny) - oy - 1);
    const y1 = Math.min(extent.yMax, Math.ceil(((r + 1) * ly) / ny) - oy + 1);
    for (let c = 0; c < nx; c++) {
      const x0 = Math.max(extent.xMin, Math.floor((c * lx) / nx) - ox - 1);
      const x1 = Math.min(extent.xMax, Math.ceil(((c + 1) * lx) / nx) - ox + 1);
      search: for (let y = y0; y <= y1; y++) {
        const h = overlap(y, oy, r, ny, ly);
        if (h <= 0) continue;
        for (let x = x0; x <= x1; x++) {
          if (mask.data[y * mask.width + x] && overlap(x, ox, c, nx, lx) * h > 0) {
            cells[r * nx + c] = 1;
            break search;
          }
        }
      }
    }
  }
  return cells;
}

function bruteForcePad(cells: Uint8Array, nx: number, ny: number, p: number): Uint8Array {
  const out = new Uint8Array(cells.length);
  const radius = Math.abs(p);
  for (let r = 0; r < ny; r++) {
    for (let c = 0; c < nx; c++) {
      let any = false;
      let all = true;
      for (let dr = -radius; dr <= radius; dr++) {
        for (let dc = -radius; dc <= radius; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          const set = rr >= 0 && rr < ny && cc >= 0 && cc < nx && cells[rr * nx + cc] === 1;
          any ||= set;
          all &&= set;
        }
      }
      out[r * nx + c] = (p >= 0 ? any : all) ? 1 : 0;
    }
  }
  return out;
}

function llavaCanvases(width: number, height: number, n: number): Canvas[] {
  const side = Math.max(width, height);
  return [
    {
      nx: n, ny: n, lx: side, ly: side,
      ox: Math.floor((side - width) / 2), oy: Math.floor((side - height) / 2),
      flat: (r, c) => r * n + c,
      view: () => 0,
    },
  ];
}

function internvlCanvases(width: number, height: number, n: number, maxTiles: number): Canvas[] {
  const { cols, rows } = chooseTileGrid(width, height, { maxTiles });
  const tiles = cols * rows;
  const tileOf = (r: number, c: number) => Math.floor(r / n) * cols + Math.floor(c / n);
  const canvases: Canvas[] = [
    {
      nx: n * cols, ny: n * rows, lx: width, ly: height, ox: 0, oy: 0,
      flat: (r, c) => tileOf(r, c) * n * n + (r % n) * n + (c % n),
      view: tileOf,
    },
  ];
  if (tiles > 1) {
    canvases.push({ nx: n, ny: n, lx: width, ly: height, ox: 0, oy: 0, flat: (r, c) => tiles * n * n + r * n + c, view: () => tiles });
  }
  return canvases;
}

function bruteForceTokens(canvases: Canvas[], views: number, mask: BinaryMask, extent: PixelExtent): Map<number, number[][]> {
  const projected = canvases.map((canvas) => bruteForceCells(canvas, mask, extent));
  const byPadding = new Map<number, number[][]>();
  for (const p of PADDINGS) {
    const tokens: number[][] = Array.from({ length: views }, () => []);
    canvases.forEach((canvas, i) => {
      const cells = bruteForcePad(projected[i], canvas.nx, canvas.ny, p);
      for (let r = 0; r < canvas.ny; r++) {
        for (let c = 0; c < canvas.nx; c++) if (cells[r * canvas.nx + c]) tokens[canvas.view(r, c)].push(canvas.flat(r, c));
      }
    });
    byPadding.set(p, tokens.map((t) => t.sort((a, b) => a - b)));
  }
  return byPadding;
}


describe('token projection equals a brute-force overlap test on every COCO annotation', () => {
  const masks = dataset.annotations.map((a) => {
    const image = images.get(a.image_id)!;
    const mask = decodeRle(segmentationToRle(a.segmentation, image.height, image.width, `annotation ${a.id}`));
    return { id: a.id, mask, extent: objectExtent(mask) };
  });
  // The paper's configurations on every annotation; the secondary ones on every fourth.
  const subset = masks.filter((_, i) => i % 4 === 0);

  it('LLaVA 24×24 (all annotations) and a 7×7 demo grid', () => {
    for (const [n, cases] of [[24, masks], [7, subset]] as const) {
      for (const { id, mask, extent } of cases) {
        const layout = tokenLayout('llava', mask.width, mask.height, { llavaGridSize: n });
        const canvases = llavaCanvases(mask.width, mask.height, n);
        expect(objectTokensByPadding(layout, mask, PADDINGS), `annotation ${id}, n ${n}`).toEqual(bruteForceTokens(canvases, 1, mask, extent));
      }
    }
  });

  it('InternVL 16×16 per view, max 6 tiles (paper, all annotations) and max 12 (upstream) tiles', () => {
    for (const [maxTiles, cases] of [[6, masks], [12, subset]] as const) {
      for (const { id, mask, extent } of cases) {
        const layout = tokenLayout('internvl', mask.width, mask.height, { maxTiles });
        const canvases = internvlCanvases(mask.width, mask.height, 16, maxTiles);
        const expected = bruteForceTokens(canvases, layout.views.length, mask, extent);
        expect(objectTokensByPadding(layout, mask, PADDINGS), `annotation ${id}, max ${maxTiles}`).toEqual(expected);
      }
    }
  });
});
