// Mask and box IoU with pycocotools' semantics: rows are detections (dt), columns ground truth
// (gt); for a crowd gt the union is replaced by the dt area (a detection inside a crowd region
// is not penalized for the rest of the crowd).
import { InvalidArgumentError } from '@locscope/server-kit';
import { rleArea, rleToBbox, type Rle, type XywhBox } from './rle.ts';

/** pycocotools `iou` on boxes: matrix [dt][gt]. */
export function boxIou(dt: readonly XywhBox[], gt: readonly XywhBox[], iscrowd: readonly boolean[]): number[][] {
  checkCrowdFlags(gt.length, iscrowd);
  return dt.map((d) =>
    gt.map((g, j) => {
      const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
      if (w <= 0) return 0;
      const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
      if (h <= 0) return 0;
      const intersection = w * h;
      const dtArea = d[2] * d[3];
      return intersection / (iscrowd[j] ? dtArea : dtArea + g[2] * g[3] - intersection);
    }),
  );
}

/** pycocotools `iou` on masks: matrix [dt][gt]; masks of different sizes give -1 as upstream. */
export function maskIou(dt: readonly Rle[], gt: readonly Rle[], iscrowd: readonly boolean[]): number[][] {
  // As upstream: boxes that do not overlap give 0 without walking the runs.
  const boxes = boxIou(dt.map(rleToBbox), gt.map(rleToBbox), iscrowd);
  return dt.map((d, i) =>
    gt.map((g, j) => {
      if (boxes[i][j] <= 0) return 0;
      if (d.height !== g.height || d.width !== g.width) return -1;
      const { intersection, union } = overlap(d, g);
      if (intersection === 0) return 0;
      return intersection / (iscrowd[j] ? rleArea(d) : union);
    }),
  );
}

function checkCrowdFlags(columns: number, iscrowd: readonly boolean[]): void {
  if (iscrowd.length !== columns) {
    throw new InvalidArgumentError(`${iscrowd.length} flags for ${columns} ground-truth masks`, { field: 'iscrowd' });
  }
}

/** Intersection and union pixel counts by walking both run lists at once. */
function overlap(a: Rle, b: Rle): { intersection: number; union: number } {
  let ia = 0;
  let ib = 0;
  let ra = a.counts[0] ?? 0;
  let rb = b.counts[0] ?? 0;
  let va = false;
  let vb = false;
  let intersection = 0;
  let union = 0;
  for (;;) {
    const step = Math.min(ra, rb);
    if (va || vb) union += step;
    if (va && vb) intersection += step;
    ra -= step;
    rb -= step;
    while (ra === 0 && ia + 1 < a.counts.length) {
      ra = a.counts[++ia];
      va = !va;
    }
    while (rb === 0 && ib + 1 < b.counts.length) {
      rb = b.counts[++ib];
      vb = !vb;
    }
    // Both run lists cover the same pixel count, so they run out together.
    if (ra === 0 || rb === 0) return { intersection, union };
  }
}
