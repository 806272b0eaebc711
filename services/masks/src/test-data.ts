// Locations of the shared read-only data (`../shared` from the repo root) used by the tests.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readCocoDataset, type CocoDataset } from './coco/dataset.ts';

const SHARED_ROOT = fileURLToPath(new URL('../../../../shared/', import.meta.url));

export const COCO_DIR = `${SHARED_ROOT}data/coco`;
export const COCO_ANNOTATIONS = `${COCO_DIR}/annotations/instances_val2017_subset.json`;
export const COCO_IMAGES = `${COCO_DIR}/val2017`;

export interface PycocotoolsReference {
  masks: {
    annotation_id: number;
    image_id: number;
    iscrowd: number;
    size: [number, number];
    counts: string;
    pixel_area: number;
    rle_bbox: [number, number, number, number];
  }[];
  pairwise: { image_id: number; annotation_ids: number[]; iscrowd: number[]; mask_iou: number[][]; bbox_iou: number[][] }[];
}

export function pycocotoolsReference(): PycocotoolsReference {
  return JSON.parse(readFileSync(`${COCO_DIR}/reference/pycocotools_reference.json`, 'utf8'));
}

export function cocoSubset(): Promise<CocoDataset> {
  return readCocoDataset(COCO_ANNOTATIONS);
}
