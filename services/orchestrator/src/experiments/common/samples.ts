// The job input of every per-object experiment: one annotated object seen by one model. The plan
// puts everything a worker needs into it (image path, size, box, segmentation, category names), so
// any process can run the job without reloading the dataset.
import { readCocoDataset, type Segmentation as CocoSegmentation } from '@locscope/masks';
import type { Segmentation } from '@locscope/proto/v1/masks';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { JsonValue } from '../../canonical-json.ts';
import { selectSamples, type Dataset, type Sample } from '../../dataset.ts';
import type { PlanContext, PlannedJob } from '../../experiment.ts';

export type ObjectSample = {
  id: string;
  imageId: number;
  imagePath: string;
  width: number;
  height: number;
  categoryName: string;
  /** COCO [x, y, w, h] in image pixels. */
  bbox: [number, number, number, number];
  area: number;
  /** COCO segmentation as in the annotations file (polygons or RLE). */
  segmentation: JsonValue;
};

export type ObjectJobInput = {
  model: string;
  object: ObjectSample;
  /** The dataset's category names, in file order (the list prompt names them). */
  categories: string[];
};

/** Sample id of a (model, object) job; records of both models of a run stay apart. */
export function objectJobId(model: string, objectId: string): string {
  return `${model}/${objectId}`;
}

/** The object id of a job's sample id (object ids have no "/", model names may). */
export function objectOfJob(sample: string): string {
  return sample.slice(sample.lastIndexOf('/') + 1);
}

/** Segmentations by annotation id, read from the annotations file the dataset came from. */
async function segmentations(dataset: Dataset): Promise<Map<number, CocoSegmentation>> {
  const coco = await readCocoDataset(dataset.annotationsPath);
  return new Map(coco.annotations.map((a) => [a.id, a.segmentation]));
}

function objectSample(sample: Sample, segmentation: CocoSegmentation): ObjectSample {
  return {
    id: sample.id,
    imageId: sample.imageId,
    imagePath: sample.imagePath,
    width: sample.width,
    height: sample.height,
    categoryName: sample.categoryName,
    bbox: sample.bbox,
    area: sample.area,
    segmentation: segmentation as JsonValue,
  };
}

/**
 * One job per (model, object) over the config's models and sample selection; `models` narrows the
 * models (e.g. InternVL only) and `keep` the objects (e.g. to the probing set) before the seeded
 * selection, so the config's `samples` counts kept objects.
 */
export async function planObjectJobs<P>(
  ctx: PlanContext<P>,
  options: { models?: string[]; keep?: (sample: Sample) => boolean } = {},
): Promise<PlannedJob<ObjectJobInput>[]> {
  const dataset = await ctx.dataset();
  const bySegmentation = await segmentations(dataset);
  const chosen = options.keep ? selectSamples(dataset.population.filter(options.keep), ctx.config.samples, ctx.config.seed) : dataset.samples;
  const objects = chosen.map((s) => {
    const segmentation = bySegmentation.get(s.annotationId);
    if (segmentation === undefined) {
      throw new InvalidArgumentError(`${dataset.annotationsPath}: annotation ${s.annotationId} has no segmentation`, { field: 'dataset.annotations' });
    }
    return objectSample(s, segmentation);
  });
  const models = options.models ?? ctx.config.models;
  return models.flatMap((model) =>
    objects.map((object) => ({ sample: objectJobId(model, object.id), input: { model, object, categories: dataset.categories } })),
  );
}

/** The proto form of a COCO segmentation (polygons, compressed or uncompressed RLE). */
export function segmentationMessage(segmentation: JsonValue, field = 'object.segmentation'): Segmentation {
  if (Array.isArray(segmentation)) {
    return { kind: { $case: 'polygons', value: { polygons: (segmentation as number[][]).map((xy) => ({ xy })) } } };
  }
  if (segmentation !== null && typeof segmentation === 'object' && 'counts' in segmentation) {
    const counts = segmentation.counts;
    if (typeof counts === 'string') return { kind: { $case: 'rleCounts', value: counts } };
    if (Array.isArray(counts)) return { kind: { $case: 'uncompressedRle', value: { counts: counts as number[] } } };
  }
  throw new InvalidArgumentError('is neither polygons nor RLE', { field });
}

/** The image files of the dataset's first `count` images by id (a fixed, seed-free image set). */
export function firstImages(dataset: Dataset, count: number): string[] {
  const byId = new Map(dataset.samples.map((s) => [s.imageId, s.imagePath]));
  return [...byId.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, count)
    .map(([, path]) => path);
}
