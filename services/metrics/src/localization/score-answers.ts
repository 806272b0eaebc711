// Scores localization answers against COCO ground truth: parse → pixel box → IoU → success rates.
// Shared by `locscope score-answers` and the Metrics.ScoreLocalization RPC.
import type { ImageSize, ModelFamily, XywhBox, XyxyBox } from '@locscope/masks';
import { predictionIou } from '../boxes/box.ts';
import { parseAnswer, type ParsedAnswer } from '../parsing/parse-answer.ts';
import type { AnswerBoxOptions } from '../parsing/answer-box.ts';
import { DEFAULT_IOU_THRESHOLDS, localizationScore, type LocalizationScore } from './success.ts';

export interface LocalizationSample {
  answer: string;
  size: ImageSize;
  /** COCO [x, y, w, h] in pixels. */
  gtBox: XywhBox;
}

export interface ScoredAnswer {
  box: XyxyBox | null;
  iou: number;
  parsed: ParsedAnswer;
}

export interface ScoredAnswers extends LocalizationScore {
  rows: ScoredAnswer[];
}

export function scoreLocalizationAnswers(
  family: ModelFamily,
  samples: readonly LocalizationSample[],
  thresholds: readonly number[] = DEFAULT_IOU_THRESHOLDS,
  options: AnswerBoxOptions = {},
): ScoredAnswers {
  const rows = samples.map((sample): ScoredAnswer => {
    const parsed = parseAnswer(family, sample.answer, sample.size, options);
    return { box: parsed.box, iou: parsed.box ? predictionIou(parsed.box, sample.gtBox) : 0, parsed };
  });
  return { rows, ...localizationScore(rows.map((r) => r.iou), thresholds) };
}
