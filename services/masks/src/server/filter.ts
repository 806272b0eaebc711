// FilterDataset: the probing-set filter over an uploaded COCO instances file.
import type { FilterDatasetRequest, FilterDatasetResponse } from '@locscope/proto/v1/masks';
import { parseCocoDataset } from '../coco/dataset.ts';
import { filterDataset } from '../coco/filter.ts';

export async function handleFilterDataset(request: FilterDatasetRequest): Promise<FilterDatasetResponse> {
  const dataset = parseCocoDataset(Buffer.from(request.cocoJson).toString('utf8'), 'coco_json');
  const o = request.options ?? {};
  const result = filterDataset(dataset, {
    dropCrowd: o.dropCrowd,
    dropRepeatedCategories: o.dropRepeatedCategories,
    minAreaFraction: o.minAreaFraction,
    maxAreaFraction: o.maxAreaFraction,
    minShortSide: o.minShortSide,
  });
  return {
    keptAnnotationIds: result.kept.map((a) => a.id),
    dropped: result.dropped.map(({ annotation, reason }) => ({ annotationId: annotation.id, reason })),
  };
}
