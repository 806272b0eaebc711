// The evaluation data an experiment plans over: object annotations of a COCO-format split
// (the shipped synthetic evaluation split, or the paper's filtered COCO subset). One sample is one
// annotated object, as in the paper (6,403 annotations over 3,560 images).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { MissingError } from './errors.ts';
import { InvalidArgumentError } from '@locscope/server-kit';

export interface Sample {
  /** `ann-<annotation id>`: stable across runs, so records stay keyed the same. */
  id: string;
  annotationId: number;
  imageId: number;
  /** Absolute path of the image file. */
  imagePath: string;
  width: number;
  height: number;
  categoryId: number;
  categoryName: string;
  /** COCO [x, y, w, h] in image pixels. */
  bbox: [number, number, number, number];
  area: number;
}

export interface Dataset {
  name: string;
  annotationsPath: string;
  categories: string[];
  /** The config's seeded selection of objects. */
  samples: Sample[];
  /** Every object of the file, before that selection: plans over a narrower pool (the probing set) select from it. */
  population: Sample[];
}

const cocoSchema = z.object({
  images: z.array(z.object({ id: z.number().int(), file_name: z.string(), width: z.number(), height: z.number() })),
  annotations: z.array(
    z.object({
      id: z.number().int(),
      image_id: z.number().int(),
      category_id: z.number().int(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      area: z.number(),
      iscrowd: z.union([z.literal(0), z.literal(1)]).optional(),
    }),
  ),
  categories: z.array(z.object({ id: z.number().int(), name: z.string() })),
});

/** Loads a COCO instances file; crowd regions are not objects to localize and are left out. */
export async function loadCocoDataset(annotationsPath: string, imagesDir: string, baseDir = process.cwd()): Promise<Dataset> {
  const file = isAbsolute(annotationsPath) ? annotationsPath : resolve(baseDir, annotationsPath);
  const images = isAbsolute(imagesDir) ? imagesDir : resolve(baseDir, imagesDir);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MissingError(`cannot read COCO annotations ${file}: ${(error as Error).message}`, { field: 'dataset.annotations', cause: error });
  }
  const parsed = cocoSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`${file}: ${issue.path.join('.')}: ${issue.message}`, { field: 'dataset.annotations', cause: parsed.error });
  }
  const coco = parsed.data;
  const imageById = new Map(coco.images.map((image) => [image.id, image]));
  const categoryById = new Map(coco.categories.map((c) => [c.id, c.name]));
  const samples: Sample[] = [];
  for (const ann of coco.annotations) {
    if (ann.iscrowd === 1) continue;
    const image = imageById.get(ann.image_id);
    const categoryName = categoryById.get(ann.category_id);
    if (!image || categoryName === undefined) {
      throw new InvalidArgumentError(`${file}: annotation ${ann.id} refers to a missing image or category`, { field: 'dataset.annotations' });
    }
    samples.push({
      id: `ann-${ann.id}`,
      annotationId: ann.id,
      imageId: image.id,
      imagePath: resolve(images, image.file_name),
      width: image.width,
      height: image.height,
      categoryId: ann.category_id,
      categoryName,
      bbox: ann.bbox,
      area: ann.area,
    });
  }
  samples.sort((a, b) => a.annotationId - b.annotationId);
  return { name: file, annotationsPath: file, categories: coco.categories.map((c) => c.name), samples, population: samples };
}

/**
 * A seeded subset of `count` samples: samples ranked by a hash of (seed, id). Stable under dataset
 * growth (a sample's rank never depends on the others) and independent of file order.
 */
export function selectSamples(samples: Sample[], count: number | null, seed: number): Sample[] {
  if (count === null || count >= samples.length) return samples;
  const rank = (s: Sample) => createHash('sha256').update(`${seed}:${s.id}`).digest('hex');
  return samples
    .map((s) => ({ s, r: rank(s) }))
    .sort((a, b) => (a.r < b.r ? -1 : a.r > b.r ? 1 : 0))
    .slice(0, count)
    .map(({ s }) => s)
    .sort((a, b) => a.annotationId - b.annotationId);
}
