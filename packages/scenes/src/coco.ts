// COCO instance-annotation format for scene splits (the subset the study reads).
import type { Scene } from './scene.ts';
import { CATEGORY_NAMES } from './shapes.ts';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** One polygon per object: [x1, y1, x2, y2, …] in pixels. */
  segmentation: number[][];
  area: number;
  /** [x, y, width, height] in pixels. */
  bbox: [number, number, number, number];
  iscrowd: 0;
}

export interface CocoCategory {
  id: number;
  name: string;
  supercategory: string;
}

export interface CocoDataset {
  info: { description: string; seed: number; count: number; version: string };
  licenses: { id: number; name: string }[];
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** Category ids are 1-based positions in CATEGORY_NAMES, stable across splits. */
export const COCO_CATEGORIES: CocoCategory[] = CATEGORY_NAMES.map((name, i) => ({ id: i + 1, name, supercategory: 'shape' }));

export const imageFileName = (index: number): string => `${String(index).padStart(6, '0')}.png`;

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Builds the dataset from scenes in index order (image id = index + 1). */
export function toCoco(scenes: readonly Scene[], seed: number): CocoDataset {
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  scenes.forEach((scene, index) => {
    const imageId = index + 1;
    images.push({ id: imageId, file_name: imageFileName(index), width: scene.width, height: scene.height });
    for (const object of scene.objects) {
      annotations.push({
        id: annotations.length + 1,
        image_id: imageId,
        category_id: CATEGORY_NAMES.indexOf(object.category) + 1,
        segmentation: [object.polygon.flatMap(([x, y]) => [x, y])],
        area: round2(object.area),
        bbox: [round2(object.bbox.x), round2(object.bbox.y), round2(object.bbox.width), round2(object.bbox.height)],
        iscrowd: 0,
      });
    }
  });
  return {
    info: { description: 'locscope synthetic scenes', seed, count: scenes.length, version: '1' },
    licenses: [{ id: 1, name: 'Apache-2.0' }],
    images,
    annotations,
    categories: COCO_CATEGORIES,
  };
}
