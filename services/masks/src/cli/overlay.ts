// The `--overlay` PNG of `locscope geometry`: one panel per projection grid (LLaVA: the padded
// square; InternVL: the local tiles, then the thumbnail grid), each showing the image, the
// token grid (view borders thicker), the object's tokens (p = 0), the ring the largest
// positive padding adds, and the GT box (toBbox of the mask).
import sharp from 'sharp';
import type { XywhBox } from '../coco/rle.ts';
import { cellExtent } from '../grid/axis.ts';
import type { ProjectionGrid, TokenLayout } from '../grid/layout.ts';
import { tokenExtent } from '../grid/extent.ts';
import { fromFlatIndex } from '../grid/layout.ts';
import type { TokensByView } from '../grid/projection.ts';
import type { RgbImage } from '../preprocess/image.ts';

/** Fill of LLaVA's padding (the CLIP mean colour, as the preprocessing pads). */
const PAD_COLOUR = { r: 122, g: 116, b: 104 };
const PANEL_GAP = 16;
const STYLE = {
  grid: 'stroke="#ffffff" stroke-opacity="0.45" stroke-width="1"',
  viewBorder: 'stroke="#00e5ff" stroke-width="3"',
  object: 'fill="#ff1744" fill-opacity="0.45"',
  ring: 'fill="#ffd600" fill-opacity="0.45"',
  box: 'fill="none" stroke="#00e676" stroke-width="3"',
};

export interface OverlayInput {
  image: RgbImage;
  layout: TokenLayout;
  /** Tokens at p = 0 (the object) and, if any, at the largest positive padding. */
  object: TokensByView;
  padded: TokensByView | undefined;
  bbox: XywhBox;
}

interface Panel {
  grid: ProjectionGrid;
  /** Panel origin in image coordinates (LLaVA's square starts left/above the image). */
  originX: number;
  originY: number;
  width: number;
  height: number;
  left: number;
}

function panels(layout: TokenLayout): Panel[] {
  let left = 0;
  return layout.grids.map((grid) => {
    const panel = { grid, originX: -grid.x.offset, originY: -grid.y.offset, width: grid.x.length, height: grid.y.length, left };
    left += panel.width + PANEL_GAP;
    return panel;
  });
}

function gridLines(panel: Panel): string {
  const { grid } = panel;
  const lines: string[] = [];
  const viewCols = grid.x.cells / grid.tileCols;
  const viewRows = grid.y.cells / grid.tileRows;
  for (let c = 0; c <= grid.x.cells; c++) {
    const x = panel.left + (c === grid.x.cells ? grid.x.length : cellExtent(grid.x, c).start + grid.x.offset);
    lines.push(`<line x1="${x}" y1="0" x2="${x}" y2="${panel.height}" ${c % viewCols === 0 ? STYLE.viewBorder : STYLE.grid}/>`);
  }
  for (let r = 0; r <= grid.y.cells; r++) {
    const y = r === grid.y.cells ? grid.y.length : cellExtent(grid.y, r).start + grid.y.offset;
    lines.push(`<line x1="${panel.left}" y1="${y}" x2="${panel.left + panel.width}" y2="${y}" ${r % viewRows === 0 ? STYLE.viewBorder : STYLE.grid}/>`);
  }
  return lines.join('');
}

function tokenRects(layout: TokenLayout, panel: Panel, tokens: number[][], skip: Set<number>, style: string): string {
  const views = new Set(layout.views.map((_, v) => v).filter((v) => v >= panel.grid.firstView && v < panel.grid.firstView + panel.grid.tileRows * panel.grid.tileCols));
  return tokens
    .flat()
    .filter((index) => !skip.has(index))
    .map((index) => fromFlatIndex(layout, index))
    .filter(({ view }) => views.has(view))
    .map(({ view, row, col }) => {
      const [x0, y0, x1, y1] = tokenExtent(layout, view, row, col);
      return `<rect x="${panel.left + x0 - panel.originX}" y="${y0 - panel.originY}" width="${x1 - x0}" height="${y1 - y0}" ${style}/>`;
    })
    .join('');
}

export async function renderOverlay({ image, layout, object, padded, bbox }: OverlayInput): Promise<Buffer> {
  const all = panels(layout);
  const width = all.reduce((w, p) => Math.max(w, p.left + p.width), 0);
  const height = Math.max(...all.map((p) => p.height));
  const objectSet = new Set(object.flat());
  const svg = all
    .map((panel) => {
      const box = `<rect x="${panel.left + bbox[0] - panel.originX}" y="${bbox[1] - panel.originY}" width="${bbox[2]}" height="${bbox[3]}" ${STYLE.box}/>`;
      const ring = padded ? tokenRects(layout, panel, padded, objectSet, STYLE.ring) : '';
      return tokenRects(layout, panel, object, new Set(), STYLE.object) + ring + gridLines(panel) + box;
    })
    .join('');
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  return sharp({ create: { width, height, channels: 3, background: PAD_COLOUR } })
    .composite([
      ...all.map((panel) => ({ input: Buffer.from(image.data), raw, left: panel.left - panel.originX, top: -panel.originY })),
      { input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg}</svg>`), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}
