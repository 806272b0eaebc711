// Model answer → box in image pixels, or the reason there is none. The answer-space → pixel
// mapping (LLaVA's padded square, InternVL's 0–1000 grid) comes from the masks package.
import { modelToPixelsBox, type ImageSize, type ModelFamily, type XyxyBox } from '@locscope/masks';
import { parseAnswerBox, type AnswerBoxOptions, type AnswerSpaceBox, type BoxCorrection } from './answer-box.ts';
import type { NoBoxReason } from './no-box.ts';

export type ParsedAnswer =
  | { box: XyxyBox; answerBox: AnswerSpaceBox; boxCount: number; corrections: BoxCorrection[]; reason?: undefined }
  | { box: null; reason: NoBoxReason };

/**
 * The pixel box is clipped to the image: LLaVA may point into the padding around the image. A box
 * with no area left inside the image is `degenerate`.
 */
export function parseAnswer(family: ModelFamily, answer: string, size: ImageSize, options: AnswerBoxOptions = {}): ParsedAnswer {
  const parsed = parseAnswerBox(family, answer, options);
  if (!parsed.ok) return { box: null, reason: parsed.reason };
  const [x1, y1, x2, y2] = modelToPixelsBox(family, size, parsed.answerBox, 'answer');
  const clipX = (v: number) => Math.min(size.width, Math.max(0, v));
  const clipY = (v: number) => Math.min(size.height, Math.max(0, v));
  const box: XyxyBox = [clipX(x1), clipY(y1), clipX(x2), clipY(y2)];
  if (!(box[2] > box[0] && box[3] > box[1])) return { box: null, reason: 'degenerate' };
  return { box, answerBox: parsed.answerBox, boxCount: parsed.boxCount, corrections: parsed.corrections };
}
