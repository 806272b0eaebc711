// The cost model of the mask RPCs: what a request will cost in memory, CPU and response bytes,
// computed from the request and its token layout alone, before any pixel is rasterized, so an
// oversized request is refused in microseconds instead of exhausting the pod (issue 13).
import type { Segmentation } from '@locscope/proto/v1/masks';
import { ResourceExhaustedError } from '@locscope/server-kit';
import { checkPolygon, outlineTraceLength } from '../coco/polygon.ts';
import type { TokenLayout } from '../grid/layout.ts';
import type { MasksLimits } from './limits.ts';

/** Characters of one run in a compressed RLE string, at most (LEB128-like, 5 bits per char, 64 Mpx masks). */
const RLE_CHARS_PER_RUN = 6;
/** Protobuf framing of one per-view index list (tag, length, view fields) and of one padding entry. */
const FRAMING_BYTES = 16;

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function refuse(cost: string, limit: number, flag: string, field: string): never {
  throw new ResourceExhaustedError(`${cost} exceeds the server's limit of ${limit} (${flag})`, { field });
}

/**
 * Checks the segmentation's rasterization cost (polygon outline length) and returns the most
 * characters its RLE string can have in a response.
 */
export function checkSegmentationCost(message: Segmentation | undefined, layout: TokenLayout, limits: MasksLimits, field = 'segmentation'): number {
  const kind = message?.kind;
  if (!kind) return 0;
  switch (kind.$case) {
    case 'polygons': {
      let points = 0;
      kind.value.polygons.forEach(({ xy }, i) => {
        checkPolygon(xy, layout.height, layout.width, `${field}.polygons.polygons[${i}]`);
        points += outlineTraceLength(xy);
      });
      if (points > limits.maxOutlinePoints) refuse(`a polygon outline of ${points} lattice points`, limits.maxOutlinePoints, 'max-outline-points', `${field}.polygons`);
      // Each lattice step crosses at most one pixel-centre column: at most one run boundary.
      return (points + 2) * RLE_CHARS_PER_RUN;
    }
    case 'rleCounts':
      return kind.value.length;
    case 'uncompressedRle':
      return kind.value.counts.length * RLE_CHARS_PER_RUN;
  }
}

/** Cell visits of projecting an image-sized mask onto every grid of `layout`. */
function projectionVisits(layout: TokenLayout): number {
  let visits = 0;
  for (const grid of layout.grids) {
    const perColumn = Math.ceil(grid.x.cells / layout.width) + 1;
    const perRow = Math.ceil(grid.y.cells / layout.height) + 1;
    visits += layout.width * layout.height * perColumn * perRow;
  }
  return visits;
}

/** Cell visits of padding every grid by each of `paddings` (separable: a row and a column pass). */
function paddingVisits(layout: TokenLayout, paddings: readonly number[]): number {
  const cells = layout.grids.reduce((n, g) => n + g.x.cells * g.y.cells, 0);
  return paddings.reduce((n, p) => n + cells * (p === 0 ? 1 : 2 * (2 * Math.abs(p) + 1)), 0);
}

/** Most bytes the token lists of `paddings` can take: every cell selected, every index at its widest. */
function tokenListBytes(layout: TokenLayout, paddings: readonly number[]): number {
  const perPadding = layout.views.reduce((n, v) => n + v.rows * v.cols * varintBytes(v.offset + v.rows * v.cols) + FRAMING_BYTES, FRAMING_BYTES);
  return paddings.length * perPadding;
}

/**
 * Prices projecting a segmentation onto `layout` for each padding: CPU (cell visits) and the
 * response (token lists + the RLE string of `rleChars`). `paddingsField` is blamed for both,
 * since fewer paddings (or a smaller grid) is the caller's way out.
 */
export function checkProjectionCost(layout: TokenLayout, paddings: readonly number[], rleChars: number, limits: MasksLimits, paddingsField: string): void {
  const visits = projectionVisits(layout) + paddingVisits(layout, paddings);
  if (visits > limits.maxCellVisits) refuse(`projecting and padding (${visits} cell visits)`, limits.maxCellVisits, 'max-cell-visits', paddingsField);
  const bytes = tokenListBytes(layout, paddings) + rleChars;
  if (bytes > limits.maxResponseBytes) refuse(`a predicted response of ${bytes} bytes`, limits.maxResponseBytes, 'max-response-bytes', paddingsField);
}
