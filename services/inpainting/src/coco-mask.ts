// The object mask of one COCO annotation, rasterized by the masks service's COCO decoding
// (pycocotools' annToRLE semantics) at the size the annotation file gives its image.
import { decodeRle, parseCocoDataset, segmentationToRle } from '@locscope/masks';
import { NotFoundError } from '@locscope/server-kit';
import type { BinaryMask } from './image.ts';
import { readInputFile } from './files.ts';

export async function maskFromAnnotation(path: string, annotationId: number): Promise<BinaryMask> {
  const dataset = parseCocoDataset((await readInputFile(path, 'annotations')).toString('utf8'), path);
  const index = dataset.annotations.findIndex((annotation) => annotation.id === annotationId);
  if (index < 0) throw new NotFoundError(`annotation ${annotationId} is not in ${path}`, { field: 'ann' });
  const annotation = dataset.annotations[index];
  const image = dataset.images.find((candidate) => candidate.id === annotation.image_id);
  if (!image) {
    throw new NotFoundError(`image ${annotation.image_id} of annotation ${annotationId} is not in ${path}`, {
      field: `annotations[${index}].image_id`,
    });
  }
  return decodeRle(segmentationToRle(annotation.segmentation, image.height, image.width, `annotations[${index}].segmentation`));
}
