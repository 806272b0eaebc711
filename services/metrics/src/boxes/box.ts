// IoU of a predicted box against a COCO ground-truth box, on top of the masks package's
// pycocotools-compatible box IoU (one implementation of the formula in the suite).
import { boxIou, type XywhBox, type XyxyBox } from '@locscope/masks';
import { InvalidArgumentError } from '@locscope/server-kit';

/** Checks a COCO [x, y, w, h] box from user input. */
export function checkCocoBox(bbox: unknown, field: string): XywhBox {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new InvalidArgumentError(`expected [x, y, w, h] as 4 finite numbers, got ${JSON.stringify(bbox)}`, { field });
  }
  if (bbox[2] < 0 || bbox[3] < 0) throw new InvalidArgumentError(`width and height must be ≥ 0, got ${JSON.stringify(bbox)}`, { field });
  return bbox as XywhBox;
}

/** IoU of corner box `predicted` with COCO box `truth` (continuous areas, as pycocotools). */
export function predictionIou(predicted: XyxyBox, truth: XywhBox): number {
  const [x1, y1, x2, y2] = predicted;
  return boxIou([[x1, y1, x2 - x1, y2 - y1]], [truth], [false])[0][0];
}
