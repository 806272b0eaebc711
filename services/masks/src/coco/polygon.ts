// Polygon rasterization with pycocotools' rleFrPoly semantics, so masks (and therefore areas,
// boxes and token sets) agree with every published COCO number: the outline is traced on a
// 5× upsampled integer lattice, the crossings with pixel-centre columns are collected, and
// each column is filled between consecutive crossings (in column-major RLE order).
import { InvalidArgumentError } from '@locscope/server-kit';
import type { Rle } from './rle.ts';

/** Upsampling factor of the outline trace (pycocotools' constant). */
const TRACE_SCALE = 5;

/** C's (int) cast of a double: truncation toward zero. */
const toInt = Math.trunc;

/** A vertex coordinate on the outline trace's lattice. */
const toLattice = (value: number) => toInt(TRACE_SCALE * value + 0.5);

/**
 * Lattice points the outline trace of `xy` visits (one per step along each edge's major axis),
 * computed from the vertices alone: rasterization holds a few numbers per point, so this, not the
 * vertex count, is what a polygon costs (a zigzag of long edges is millions of points).
 * Expects coordinates checkPolygon accepts.
 */
export function outlineTraceLength(xy: readonly number[]): number {
  const k = Math.floor(xy.length / 2);
  let points = 0;
  for (let j = 0; j < k; j++) {
    const next = (j + 1) % k;
    const dx = Math.abs(toLattice(xy[2 * next]) - toLattice(xy[2 * j]));
    const dy = Math.abs(toLattice(xy[2 * next + 1]) - toLattice(xy[2 * j + 1]));
    points += Math.max(dx, dy) + 1;
  }
  return points;
}

/** An even number ≥ 6 of coordinates, each finite and on the height×width image. */
export function checkPolygon(xy: readonly number[], height: number, width: number, field: string): void {
  if (xy.length < 6 || xy.length % 2 !== 0) {
    throw new InvalidArgumentError(`a polygon needs an even number ≥ 6 of coordinates, got ${xy.length}`, { field });
  }
  for (const [i, value] of xy.entries()) {
    // pycocotools would silently clip; a vertex off the image means a wrong image or size.
    const limit = i % 2 === 0 ? width : height;
    if (!Number.isFinite(value) || value < 0 || value > limit) {
      throw new InvalidArgumentError(`coordinate ${i} is ${value}, outside the image's [0, ${limit}] (${width}×${height})`, { field });
    }
  }
}

/** Rasterizes one polygon `[x0, y0, x1, y1, …]` (pixel coordinates) into a height×width RLE. */
export function rleFromPolygon(xy: readonly number[], height: number, width: number, field: string): Rle {
  checkPolygon(xy, height, width, field);
  const k = xy.length / 2;
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j++) {
    x.push(toLattice(xy[2 * j]));
    y.push(toLattice(xy[2 * j + 1]));
  }
  x.push(x[0]);
  y.push(y[0]);

  // Dense outline: one lattice point per step along the major axis of each edge.
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const slope = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(toInt(ys + slope * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(toInt(xs + slope * t + 0.5));
      }
    }
  }

  // Crossings of the outline with pixel-centre columns, back at pixel resolution.
  const boundaries: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    const xd = ((u[j] < u[j - 1] ? u[j] : u[j] - 1) + 0.5) / TRACE_SCALE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = ((v[j] < v[j - 1] ? v[j] : v[j - 1]) + 0.5) / TRACE_SCALE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    boundaries.push(xd * height + Math.ceil(yd));
  }
  boundaries.push(height * width);
  boundaries.sort((a, b) => a - b);

  // Toggle positions → run lengths; coinciding toggles cancel pairwise.
  const deltas: number[] = [];
  let previous = 0;
  for (const position of boundaries) {
    deltas.push(position - previous);
    previous = position;
  }
  const counts: number[] = [deltas[0]];
  for (let j = 1; j < deltas.length; ) {
    if (deltas[j] > 0) counts.push(deltas[j++]);
    else {
      j++;
      if (j < deltas.length) counts[counts.length - 1] += deltas[j++];
    }
  }
  return { height, width, counts };
}
