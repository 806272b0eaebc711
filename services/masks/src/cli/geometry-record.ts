// What `locscope geometry` reports for one annotation: pycocotools' RLE/area/bbox of its mask,
// the family's views and the object's tokens for each padding.
import { NotFoundError } from '@locscope/server-kit';
import type { CocoDataset, CocoImage } from '../coco/dataset.ts';
import { decodeRle, rleArea, rleToBbox, type BinaryMask, type Rle, type XywhBox } from '../coco/rle.ts';
import { rleToString } from '../coco/rle-string.ts';
import { segmentationToRle } from '../coco/segmentation.ts';
import { tokenLayout, type ModelFamily, type TokenLayout } from '../grid/layout.ts';
import { objectTokensByPadding, type TokensByView } from '../grid/projection.ts';

/** One entry of the `annotations` array of the JSON output. */
export interface GeometryRecord {
  id: number;
  rle: { size: [number, number]; counts: string };
  area: number;
  bbox: XywhBox;
  grid: { views: { name: string; rows: number; cols: number }[] };
  /** Padding (as a string key) → per view, the flat token indices (over all views). */
  tokens: Record<string, TokensByView>;
}

export interface AnnotationGeometry {
  record: GeometryRecord;
  image: CocoImage;
  layout: TokenLayout;
  mask: BinaryMask;
  rle: Rle;
  tokens: Map<number, TokensByView>;
}

export interface GeometryOptions {
  family: ModelFamily;
  maxTiles?: number;
  paddings: number[];
}

export function annotationGeometry(dataset: CocoDataset, source: string, id: number, options: GeometryOptions): AnnotationGeometry {
  const index = dataset.annotations.findIndex((a) => a.id === id);
  if (index < 0) throw new NotFoundError(`annotation ${id} is not in ${source}`, { field: 'ann' });
  const annotation = dataset.annotations[index];
  const image = dataset.images.find((i) => i.id === annotation.image_id);
  if (!image) {
    throw new NotFoundError(`image ${annotation.image_id} of annotation ${id} is not in ${source}`, { field: `annotations[${index}].image_id` });
  }
  const rle = segmentationToRle(annotation.segmentation, image.height, image.width, `annotations[${index}].segmentation`);
  const mask = decodeRle(rle);
  const layout = tokenLayout(options.family, image.width, image.height, { maxTiles: options.maxTiles });
  const tokens = objectTokensByPadding(layout, mask, options.paddings);
  const record: GeometryRecord = {
    id,
    rle: { size: [rle.height, rle.width], counts: rleToString(rle) },
    area: rleArea(rle),
    bbox: rleToBbox(rle),
    grid: { views: layout.views.map(({ name, rows, cols }) => ({ name, rows, cols })) },
    tokens: Object.fromEntries(options.paddings.map((p) => [String(p), tokens.get(p)!])),
  };
  return { record, image, layout, mask, rle, tokens };
}
