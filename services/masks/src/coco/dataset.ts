// COCO instances JSON (the subset of fields locscope reads), validated with zod so that a
// malformed file is reported with the path of the offending field.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, NotFoundError } from '@locscope/server-kit';
import { z } from 'zod';

const polygonsSchema = z.array(z.array(z.number()));
const uncompressedRleSchema = z.object({ size: z.tuple([z.number().int(), z.number().int()]), counts: z.array(z.number().int()) });
const compressedRleSchema = z.object({ size: z.tuple([z.number().int(), z.number().int()]), counts: z.string() });

export const segmentationSchema = z.union([polygonsSchema, uncompressedRleSchema, compressedRleSchema]);
export type Segmentation = z.infer<typeof segmentationSchema>;

export const cocoImageSchema = z.object({
  id: z.number().int(),
  file_name: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type CocoImage = z.infer<typeof cocoImageSchema>;

export const cocoAnnotationSchema = z.object({
  id: z.number().int(),
  image_id: z.number().int(),
  category_id: z.number().int(),
  segmentation: segmentationSchema,
  area: z.number(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  iscrowd: z.union([z.literal(0), z.literal(1)]),
});
export type CocoAnnotation = z.infer<typeof cocoAnnotationSchema>;

export const cocoDatasetSchema = z.object({
  images: z.array(cocoImageSchema),
  annotations: z.array(cocoAnnotationSchema),
  categories: z.array(z.object({ id: z.number().int(), name: z.string() })).default([]),
});
export type CocoDataset = z.infer<typeof cocoDatasetSchema>;

/** Parses COCO JSON text; `source` (file name or request field) is named in errors. */
export function parseCocoDataset(text: string, source: string): CocoDataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON: ${(error as Error).message}`, { field: source, cause: error });
  }
  const parsed = cocoDatasetSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidArgumentError(`not a COCO instances file: ${issue.path.join('.')}: ${issue.message}`, {
      field: source,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export async function readCocoDataset(path: string): Promise<CocoDataset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NotFoundError(`cannot read COCO annotations: ${(error as Error).message}`, { field: path, cause: error });
  }
  return parseCocoDataset(text, path);
}
