// Containerization padding (paper §3.1.1): the ring of tokens that dilation by p adds around
// the object is filled with copies of tokens sampled (seeded) from inside the object, and the
// GT box is grown by the same number of token rings for comparison with the predicted box.
import { InvalidArgumentError } from '@locscope/server-kit';
import { encodeMask, rleToBbox, type BinaryMask } from '../coco/rle.ts';
import { cellSize } from '../grid/axis.ts';
import { gridCellToken, type TokenLayout } from '../grid/layout.ts';
import { padGrids, projectMask } from '../grid/projection.ts';
import { xywhToXyxy, type XyxyBox } from '../box/convert.ts';
import { randomIndex, seededGenerator } from './random.ts';

/** `dst ← src`: the embedding of token `src` is copied into token `dst` (flat indices). */
export interface TokenMove {
  dst: number;
  src: number;
}

export interface Containerization {
  moves: TokenMove[];
  /** The object's mask box (pycocotools toBbox) as corners, in image pixels. */
  gtBox: XyxyBox;
  /** gtBox grown by `padding` cells of the global view's grid on every side, clipped to the image. */
  grownBox: XyxyBox;
}

/**
 * Each grid is handled separately: a ring token of the LLaVA grid, InternVL's local canvas or
 * its thumbnail receives a token of the same grid's object. Ring tokens are visited in
 * ascending flat index and draw their source in that order, so the result depends only on
 * (layout, mask, padding, seed).
 */
export function containerize(layout: TokenLayout, mask: BinaryMask, padding: number, seed: number): Containerization {
  if (!Number.isInteger(padding) || padding < 0) {
    throw new InvalidArgumentError(`must be a non-negative integer for containerization, got ${padding}`, { field: 'padding' });
  }
  const object = projectMask(layout, mask);
  const padded = padGrids(object, padding);
  const rng = seededGenerator(seed);
  const moves: TokenMove[] = [];
  layout.grids.forEach((grid, g) => {
    const inside: number[] = [];
    const ring: number[] = [];
    padded[g].cells.forEach((set, cell) => {
      if (!set) return;
      const { index } = gridCellToken(layout, grid, Math.floor(cell / padded[g].cols), cell % padded[g].cols);
      (object[g].cells[cell] ? inside : ring).push(index);
    });
    if (inside.length === 0) throw new InvalidArgumentError('the object mask is empty', { field: 'segmentation' });
    inside.sort((a, b) => a - b);
    ring.sort((a, b) => a - b);
    for (const dst of ring) moves.push({ dst, src: inside[randomIndex(rng, inside.length)] });
  });
  const gtBox = xywhToXyxy(rleToBbox(encodeMask(mask)));
  // The last grid is the view of the whole image: LLaVA's only grid, InternVL's thumbnail
  // (or its single tile), whose token rings the GT box is scaled by.
  const global = layout.grids[layout.grids.length - 1];
  const dx = padding * cellSize(global.x);
  const dy = padding * cellSize(global.y);
  const grownBox: XyxyBox = [
    Math.max(0, gtBox[0] - dx),
    Math.max(0, gtBox[1] - dy),
    Math.min(layout.width, gtBox[2] + dx),
    Math.min(layout.height, gtBox[3] + dy),
  ];
  return { moves, gtBox, grownBox };
}
