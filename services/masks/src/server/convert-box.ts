// ConvertBox: pixels ↔ the family's answer space.
import { BoxSpace, type ConvertBoxRequest, type ConvertBoxResponse } from '@locscope/proto/v1/masks';
import { InvalidArgumentError } from '@locscope/server-kit';
import { modelToPixelsBox, pixelsToModelBox } from '../box/convert.ts';
import { checkImageSize, familyOf } from './grid-spec.ts';
import { boxMessage, boxOf } from './messages.ts';

function spaceOf(space: BoxSpace, field: string): 'pixels' | 'model' {
  if (space === BoxSpace.BOX_SPACE_PIXELS) return 'pixels';
  if (space === BoxSpace.BOX_SPACE_MODEL) return 'model';
  throw new InvalidArgumentError(`must be BOX_SPACE_PIXELS or BOX_SPACE_MODEL, got ${BoxSpace[space] ?? space}`, { field });
}

export async function handleConvertBox(request: ConvertBoxRequest): Promise<ConvertBoxResponse> {
  const family = familyOf(request.family, 'family');
  checkImageSize(request.width, request.height, 'image');
  const size = { width: request.width, height: request.height };
  const box = boxOf(request.box, 'box');
  const from = spaceOf(request.from, 'from');
  const to = spaceOf(request.to, 'to');
  if (from === to) return { box: boxMessage(box) };
  const converted = from === 'pixels' ? pixelsToModelBox(family, size, box, 'box') : modelToPixelsBox(family, size, box, 'box');
  return { box: boxMessage(converted) };
}
