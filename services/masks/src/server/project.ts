// Project and Containerize: a segmentation on the request's token grid.
import type { ContainerizeRequest, ContainerizeResponse, ProjectRequest, ProjectResponse } from '@locscope/proto/v1/masks';
import { SizeBucket } from '@locscope/proto/v1/masks';
import { decodeRle, rleArea, rleToBbox } from '../coco/rle.ts';
import { rleToString } from '../coco/rle-string.ts';
import { checkPadding } from '../grid/morphology.ts';
import { objectTokensByPadding } from '../grid/projection.ts';
import { containerize } from '../selection/containerize.ts';
import { checkSeed } from '../selection/random.ts';
import { sizeBucket, type SizeBucket as Bucket } from '../selection/size-bucket.ts';
import { layoutOf } from './grid-spec.ts';
import type { MasksLimits } from './limits.ts';
import { boxMessage, segmentationOf, viewsMessage } from './messages.ts';
import { checkProjectionCost, checkSegmentationCost } from './request-cost.ts';

const BUCKETS: Record<Bucket, SizeBucket> = {
  small: SizeBucket.SIZE_BUCKET_SMALL,
  medium: SizeBucket.SIZE_BUCKET_MEDIUM,
  large: SizeBucket.SIZE_BUCKET_LARGE,
};

/** Project, priced against `limits` before it rasterizes anything. */
export async function project(request: ProjectRequest, limits: MasksLimits): Promise<ProjectResponse> {
  const layout = layoutOf(request.grid);
  const paddings = request.paddings.length > 0 ? request.paddings : [0];
  paddings.forEach((p, i) => checkPadding(p, `paddings[${i}]`));
  checkProjectionCost(layout, paddings, checkSegmentationCost(request.segmentation, layout, limits), limits, 'paddings');
  const rle = segmentationOf(request.segmentation, layout.height, layout.width);
  const byPadding = objectTokensByPadding(layout, decodeRle(rle), paddings);
  const area = rleArea(rle);
  return {
    views: viewsMessage(layout),
    tokens: paddings.map((padding) => ({ padding, views: byPadding.get(padding)!.map((indices) => ({ indices })) })),
    rleCounts: rleToString(rle),
    area,
    bbox: rleToBbox(rle),
    sizeBucket: BUCKETS[sizeBucket(area)],
  };
}

/** Containerize, priced against `limits` before it rasterizes anything. */
export async function containerizeObject(request: ContainerizeRequest, limits: MasksLimits): Promise<ContainerizeResponse> {
  const layout = layoutOf(request.grid);
  checkPadding(request.padding, 'padding');
  checkProjectionCost(layout, [request.padding], checkSegmentationCost(request.segmentation, layout, limits), limits, 'padding');
  const rle = segmentationOf(request.segmentation, layout.height, layout.width);
  checkSeed(request.seed);
  const result = containerize(layout, decodeRle(rle), request.padding, request.seed);
  return { moves: result.moves, gtBox: boxMessage(result.gtBox), grownBox: boxMessage(result.grownBox) };
}
