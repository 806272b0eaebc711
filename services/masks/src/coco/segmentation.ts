// A COCO segmentation (polygons, uncompressed RLE, compressed RLE string) → one RLE, as
// pycocotools' COCO.annToRLE does: polygons are rasterized one by one and united.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { Segmentation } from './dataset.ts';
import { rleFromPolygon } from './polygon.ts';
import { checkRle, mergeRles, type Rle } from './rle.ts';
import { rleFromString } from './rle-string.ts';

/**
 * `height`/`width` are the image's; an RLE's own `size` must match them. `field` names the
 * segmentation in errors (e.g. `annotations[3].segmentation`).
 */
export function segmentationToRle(segmentation: Segmentation, height: number, width: number, field: string): Rle {
  if (Array.isArray(segmentation)) {
    if (segmentation.length === 0) throw new InvalidArgumentError('no polygons', { field });
    const parts = segmentation.map((polygon, i) => rleFromPolygon(polygon, height, width, `${field}[${i}]`));
    return mergeRles(parts, field);
  }
  const [h, w] = segmentation.size;
  if (h !== height || w !== width) {
    throw new InvalidArgumentError(`size is [${h}, ${w}] but the image is ${height}×${width}`, { field: `${field}.size` });
  }
  if (typeof segmentation.counts === 'string') return rleFromString(segmentation.counts, h, w, `${field}.counts`);
  const rle = { height: h, width: w, counts: [...segmentation.counts] };
  checkRle(rle, `${field}.counts`);
  return rle;
}
