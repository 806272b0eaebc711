// ParseAnswers and ScoreLocalization: request validation (naming each field) around the library.
import type { ImageSize } from '@locscope/masks';
import type {
  BoxAnswer,
  ParseAnswersRequest,
  ParseAnswersResponse,
  ParsedBox,
  ScoreLocalizationRequest,
  ScoreLocalizationResponse,
} from '@locscope/proto/v1/metrics';
import { InvalidArgumentError } from '@locscope/server-kit';
import { checkCocoBox } from '../boxes/box.ts';
import { scoreLocalizationAnswers } from '../localization/score-answers.ts';
import { DEFAULT_IOU_THRESHOLDS } from '../localization/success.ts';
import type { AnswerBoxOptions } from '../parsing/answer-box.ts';
import { parseAnswer, type ParsedAnswer } from '../parsing/parse-answer.ts';
import { CORRECTION_TO_PROTO, familyFromProto, NO_BOX_REASON_TO_PROTO } from './proto-enums.ts';

function imageSize(answer: BoxAnswer | undefined, field: string): ImageSize {
  if (!answer) throw new InvalidArgumentError('required', { field });
  for (const key of ['width', 'height'] as const) {
    if (!(answer[key] > 0)) throw new InvalidArgumentError(`must be a positive number of pixels, got ${answer[key]}`, { field: `${field}.${key}` });
  }
  return { width: answer.width, height: answer.height };
}

function boxOptions(tolerance: number | undefined): AnswerBoxOptions {
  if (tolerance === undefined) return {};
  if (!(tolerance >= 0 && tolerance <= 1)) throw new InvalidArgumentError(`must be in [0, 1], got ${tolerance}`, { field: 'coordinate_tolerance' });
  return { tolerance };
}

function nonEmpty<T>(items: T[], field: string): T[] {
  if (items.length === 0) throw new InvalidArgumentError('at least one answer is required', { field });
  return items;
}

export function parsedBoxToProto(parsed: ParsedAnswer): ParsedBox {
  if (parsed.box === null) return { box: [], noBoxReason: NO_BOX_REASON_TO_PROTO[parsed.reason], boxCount: 0, corrections: [] };
  return { box: [...parsed.box], noBoxReason: 0, boxCount: parsed.boxCount, corrections: parsed.corrections.map((c) => CORRECTION_TO_PROTO[c]) };
}

export async function parseAnswersHandler(request: ParseAnswersRequest): Promise<ParseAnswersResponse> {
  const family = familyFromProto(request.family);
  const options = boxOptions(request.coordinateTolerance);
  const boxes = nonEmpty(request.answers, 'answers').map((answer, i) =>
    parsedBoxToProto(parseAnswer(family, answer.answer, imageSize(answer, `answers[${i}]`), options)),
  );
  return { boxes };
}

export async function scoreLocalizationHandler(request: ScoreLocalizationRequest): Promise<ScoreLocalizationResponse> {
  const family = familyFromProto(request.family);
  const options = boxOptions(request.coordinateTolerance);
  const samples = nonEmpty(request.answers, 'answers').map((item, i) => ({
    answer: item.answer?.answer ?? '',
    size: imageSize(item.answer, `answers[${i}].answer`),
    gtBox: checkCocoBox(item.gtBbox, `answers[${i}].gt_bbox`),
  }));
  const thresholds = request.iouThresholds.length > 0 ? request.iouThresholds : DEFAULT_IOU_THRESHOLDS;
  const scored = scoreLocalizationAnswers(family, samples, thresholds, options);
  return {
    rows: scored.rows.map((row) => ({ parsed: parsedBoxToProto(row.parsed), iou: row.iou })),
    success: thresholds.map((threshold) => ({ threshold, rate: scored.success[String(threshold)] })),
    localization: scored.localization,
  };
}
