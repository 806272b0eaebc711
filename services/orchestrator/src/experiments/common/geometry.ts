// Where an object lies on a model's visual-token grid (masks.Project), in the geometry the model
// itself uses: the grid size and tile limit come from the inference service's ModelInfo, so the
// token indices address exactly the visual tokens the model sees.
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { ModelInfoResponse } from '@locscope/proto/v1/inference';
import { MasksClient, type GridSpec, type GridView, type SizeBucket } from '@locscope/proto/v1/masks';
import type { ServiceCalls } from '../../services/clients.ts';
import { unary } from '../../services/unary.ts';
import type { ObjectSample } from './samples.ts';
import { segmentationMessage } from './samples.ts';

export function gridSpec(info: ModelInfoResponse, object: Pick<ObjectSample, 'width' | 'height'>): GridSpec {
  const llava = info.family === ModelFamily.MODEL_FAMILY_LLAVA;
  return {
    family: info.family,
    width: object.width,
    height: object.height,
    minTiles: 0,
    maxTiles: llava ? 0 : info.maxTiles,
    llavaGridSize: llava ? info.gridSize : 0,
    internvlViewGridSize: llava ? 0 : info.gridSize,
  };
}

export interface ObjectTokens {
  views: GridView[];
  /** Flat token indices per padding, per view (in `views` order). */
  byPadding: Map<number, number[][]>;
  sizeBucket: SizeBucket;
}

/** The object's tokens at each padding (p > 0 dilates by p rings, p < 0 erodes). */
export async function projectObject(calls: ServiceCalls, info: ModelInfoResponse, object: ObjectSample, paddings: number[]): Promise<ObjectTokens> {
  const client = await calls.clients.client('masks', MasksClient);
  const response = await unary(
    client.project.bind(client),
    { grid: gridSpec(info, object), segmentation: segmentationMessage(object.segmentation), paddings: [...new Set(paddings)] },
    calls.signal,
  );
  return {
    views: response.views,
    byPadding: new Map(response.tokens.map((t) => [t.padding, t.views.map((v) => v.indices)])),
    sizeBucket: response.sizeBucket,
  };
}

/** All views' tokens of one padding as one ascending list. */
export function allViews(tokens: ObjectTokens, padding: number): number[] {
  const perView = tokens.byPadding.get(padding);
  if (!perView) throw new InvalidArgumentError(`padding ${padding} was not projected`, { field: 'paddings' });
  return perView.flat().sort((a, b) => a - b);
}

/** Total visual tokens of the image (all views). */
export function visualTokenCount(views: GridView[]): number {
  return views.reduce((n, v) => n + v.rows * v.cols, 0);
}

/**
 * The global view: InternVL's thumbnail (last view), or the only view an image has (LLaVA; an
 * InternVL image that fits one tile is seen whole, without a thumbnail). The others are local tiles.
 */
export function globalViewIndex(views: GridView[]): number {
  return views.length === 1 ? 0 : views.findIndex((v) => v.name === 'thumbnail');
}

export type ViewCounts = { global: number; local: number; total: number };

/** How many of `flat` fall in the global view and in the local tiles. */
export function countByView(flat: number[], views: GridView[]): ViewCounts {
  const g = views[globalViewIndex(views)];
  const inGlobal = g ? flat.filter((i) => i >= g.offset && i < g.offset + g.rows * g.cols).length : 0;
  return { global: inGlobal, local: flat.length - inGlobal, total: flat.length };
}

/** Visual tokens per kind of view. */
export function viewSizes(views: GridView[]): ViewCounts {
  const g = views[globalViewIndex(views)];
  const total = visualTokenCount(views);
  const global = g ? g.rows * g.cols : 0;
  return { global, local: total - global, total };
}
