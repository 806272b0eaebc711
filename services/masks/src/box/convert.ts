// Boxes between image pixels and each family's answer space. LLaVA-1.5 answers in [0, 1] of
// the padded square (the image centred in a square of side max(W, H)); InternVL-3.5 in
// 0–1000 of the original image on each axis.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { XywhBox } from '../coco/rle.ts';
import type { ModelFamily } from '../grid/layout.ts';

/** [x0, y0, x1, y1]: corners, x1/y1 exclusive edges (a COCO [x, y, w, h] box → [x, y, x+w, y+h]). */
export type XyxyBox = [number, number, number, number];

/** InternVL-3.5's box coordinates run from 0 to this value across the image. */
export const INTERNVL_BOX_SCALE = 1000;

export interface ImageSize {
  width: number;
  height: number;
}

export function xywhToXyxy([x, y, w, h]: XywhBox): XyxyBox {
  return [x, y, x + w, y + h];
}

function checkBox(box: readonly number[], field: string): void {
  if (box.length !== 4 || box.some((v) => !Number.isFinite(v))) {
    throw new InvalidArgumentError(`expected 4 finite numbers, got [${box.join(', ')}]`, { field });
  }
}

/** Per-axis affine map model = (pixel + offset) / scale. */
function axisMaps(family: ModelFamily, { width, height }: ImageSize): { offset: [number, number]; scale: [number, number] } {
  if (!(width > 0 && height > 0)) throw new InvalidArgumentError(`image size ${width}×${height} is not positive`, { field: 'image_size' });
  if (family === 'llava') {
    const side = Math.max(width, height);
    return { offset: [Math.floor((side - width) / 2), Math.floor((side - height) / 2)], scale: [side, side] };
  }
  return { offset: [0, 0], scale: [width / INTERNVL_BOX_SCALE, height / INTERNVL_BOX_SCALE] };
}

export function pixelsToModelBox(family: ModelFamily, size: ImageSize, box: XyxyBox, field = 'box'): XyxyBox {
  checkBox(box, field);
  const { offset, scale } = axisMaps(family, size);
  return box.map((v, i) => (v + offset[i % 2]) / scale[i % 2]) as XyxyBox;
}

export function modelToPixelsBox(family: ModelFamily, size: ImageSize, box: XyxyBox, field = 'box'): XyxyBox {
  checkBox(box, field);
  const { offset, scale } = axisMaps(family, size);
  return box.map((v, i) => v * scale[i % 2] - offset[i % 2]) as XyxyBox;
}
