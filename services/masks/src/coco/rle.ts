// Run-length encoding of binary masks with pycocotools' conventions: column-major (Fortran)
// pixel order, runs alternate starting with background, so counts[0] may be 0.
import { InvalidArgumentError } from '@locscope/server-kit';

/** A binary mask, row-major: `data[y * width + x]` is 1 for object pixels, 0 elsewhere. */
export interface BinaryMask {
  height: number;
  width: number;
  data: Uint8Array;
}

/** Uncompressed RLE: counts of alternating background/object runs in column-major order. */
export interface Rle {
  height: number;
  width: number;
  counts: number[];
}

/** [x, y, width, height] in pixels, as COCO writes boxes. */
export type XywhBox = [number, number, number, number];

export function emptyMask(height: number, width: number): BinaryMask {
  return { height, width, data: new Uint8Array(height * width) };
}

/** Encodes a mask; the result is canonical (maximal runs), as pycocotools' rleEncode. */
export function encodeMask(mask: BinaryMask): Rle {
  const { height, width, data } = mask;
  const counts: number[] = [];
  let previous = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const value = data[y * width + x];
      if (value !== previous) {
        counts.push(run);
        run = 0;
        previous = value;
      }
      run++;
    }
  }
  counts.push(run);
  return { height, width, counts };
}

/** Checks that the runs cover exactly height·width pixels; `field` names the input in errors. */
export function checkRle(rle: Rle, field: string): void {
  let total = 0;
  for (const [i, count] of rle.counts.entries()) {
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`run ${i} is ${count}, expected a non-negative integer`, { field });
    }
    total += count;
  }
  if (total !== rle.height * rle.width) {
    throw new InvalidArgumentError(
      `runs cover ${total} pixels but the mask is ${rle.height}×${rle.width} = ${rle.height * rle.width}`,
      { field },
    );
  }
}

export function decodeRle(rle: Rle): BinaryMask {
  const mask = emptyMask(rle.height, rle.width);
  const { height, width, data } = mask;
  // Walk the runs in column-major order, keeping (x, y) of the current position.
  let position = 0;
  let value = 0;
  for (const count of rle.counts) {
    if (value === 1) {
      let x = Math.floor(position / height);
      let y = position - x * height;
      for (let k = 0; k < count; k++) {
        data[y * width + x] = 1;
        if (++y === height) {
          y = 0;
          x++;
        }
      }
    }
    position += count;
    value ^= 1;
  }
  return mask;
}

/** Number of object pixels (pycocotools `area`). */
export function rleArea(rle: Rle): number {
  let area = 0;
  for (let j = 1; j < rle.counts.length; j += 2) area += rle.counts[j];
  return area;
}

/**
 * pycocotools `toBbox`: the extent of the object runs. A run that wraps from one column into
 * the next spans every row, hence the full-height rule. An empty mask gives [0,0,0,0].
 */
export function rleToBbox(rle: Rle): XywhBox {
  const { height, width } = rle;
  const m = rle.counts.length - (rle.counts.length % 2);
  if (m === 0) return [0, 0, 0, 0];
  let xs = width;
  let ys = height;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += rle.counts[j];
    // Even j: first pixel of an object run; odd j: its last pixel.
    const t = cc - (j % 2);
    const y = t % height;
    const x = (t - y) / height;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      ys = 0;
      ye = height - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/** Union of masks of one size (pycocotools `merge` with intersect = false). */
export function mergeRles(rles: Rle[], field: string): Rle {
  if (rles.length === 0) throw new InvalidArgumentError('nothing to merge', { field });
  const { height, width } = rles[0];
  if (rles.length === 1) return rles[0];
  const union = emptyMask(height, width);
  for (const [i, rle] of rles.entries()) {
    if (rle.height !== height || rle.width !== width) {
      throw new InvalidArgumentError(`part ${i} is ${rle.height}×${rle.width}, expected ${height}×${width}`, { field });
    }
    const part = decodeRle(rle).data;
    for (let p = 0; p < part.length; p++) union.data[p] |= part[p];
  }
  return encodeMask(union);
}
