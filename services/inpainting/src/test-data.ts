// Test inputs: the shared COCO subset (`../shared` from the repo root) and the committed cv2
// references of fixtures/make_cv2_reference.py.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InpaintMethodName } from './remove.ts';

const SHARED_ROOT = fileURLToPath(new URL('../../../../shared/', import.meta.url));
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

export const COCO_ANNOTATIONS = `${SHARED_ROOT}data/coco/annotations/instances_val2017_subset.json`;
export const COCO_IMAGES = `${SHARED_ROOT}data/coco/val2017`;

export interface Cv2Case {
  name: string;
  annotation_id: number;
  image: string;
  method: Exclude<InpaintMethodName, 'onnx'>;
  dilate_px: number;
  radius: number;
  width: number;
  height: number;
  mask_pixels: number;
  dilated_pixels: number;
  /** [x, y, width, height] of the dilated mask; the crop PNG covers it. */
  dilated_box: [number, number, number, number];
  dilated_sha256: string;
  output_sha256: string;
  crop_png: string;
}

export function cv2Cases(): Cv2Case[] {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}cv2-reference.json`, 'utf8')).cases;
}
