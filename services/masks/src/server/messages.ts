// Domain values ↔ the shared messages of masks.proto.
import type { Box, GridView, Segmentation } from '@locscope/proto/v1/masks';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { XyxyBox } from '../box/convert.ts';
import { checkRle, type Rle } from '../coco/rle.ts';
import { rleFromString } from '../coco/rle-string.ts';
import { segmentationToRle } from '../coco/segmentation.ts';
import type { TokenLayout } from '../grid/layout.ts';

export function segmentationOf(message: Segmentation | undefined, height: number, width: number, field = 'segmentation'): Rle {
  const kind = message?.kind;
  if (!kind) throw new InvalidArgumentError('required: polygons, rle_counts or uncompressed_rle', { field });
  switch (kind.$case) {
    case 'polygons':
      return segmentationToRle(kind.value.polygons.map((p) => p.xy), height, width, `${field}.polygons.polygons`);
    case 'rleCounts':
      return rleFromString(kind.value, height, width, `${field}.rle_counts`);
    case 'uncompressedRle': {
      const rle = { height, width, counts: kind.value.counts };
      checkRle(rle, `${field}.uncompressed_rle.counts`);
      return rle;
    }
  }
}

export function viewsMessage(layout: TokenLayout): GridView[] {
  return layout.views.map(({ name, rows, cols, offset }) => ({ name, rows, cols, offset }));
}

export function boxMessage([x0, y0, x1, y1]: XyxyBox): Box {
  return { x0, y0, x1, y1 };
}

export function boxOf(message: Box | undefined, field: string): XyxyBox {
  if (!message) throw new InvalidArgumentError('required', { field });
  return [message.x0, message.y0, message.x1, message.y1];
}
