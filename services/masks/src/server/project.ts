// Project and Containerize: a segmentation on the request's token grid.
import type { ContainerizeRequest, ContainerizeResponse, ProjectRequest, ProjectResponse } from '@locscope/proto/v1/masks';
import { SizeBucket } from '@locscope/proto/v1/masks';
import { decodeRle, rleArea, rleToBbox } from '../coco/rle.ts';
import { rleToString } from '../coco/rle-string.ts';
import { objectTokensByPadding } from '../grid/projection.ts';
import { containerize } from '../selection/containerize.ts';
import { checkSeed } from '../selection/random.ts';
import { sizeBucket, type SizeBucket as Bucket } from '../selection/size-bucket.ts';
import { layoutOf } from './grid-spec.ts';
import { boxMessage, segmentationOf, viewsMessage } from './messages.ts';

const BUCKETS: Record<Bucket, SizeBucket> = {
  small: SizeBucket.SIZE_BUCKET_SMALL,
  medium: SizeBucket.SIZE_BUCKET_MEDIUM,
  large: SizeBucket.SIZE_BUCKET_LARGE,
};

export async function handleProject(request: ProjectRequest): Promise<ProjectResponse> {
  const layout = layoutOf(request.grid);
  const rle = segmentationOf(request.segmentation, layout.height, layout.width);
  const paddings = request.paddings.length > 0 ? request.paddings : [0];
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

export async function handleContainerize(request: ContainerizeRequest): Promise<ContainerizeResponse> {
  const layout = layoutOf(request.grid);
  const rle = segmentationOf(request.segmentation, layout.height, layout.width);
  checkSeed(request.seed);
  const result = containerize(layout, decodeRle(rle), request.padding, request.seed);
  return { moves: result.moves, gtBox: boxMessage(result.gtBox), grownBox: boxMessage(result.grownBox) };
}
