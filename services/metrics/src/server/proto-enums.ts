// Proto enums ↔ the library's string unions.
import type { ModelFamily } from '@locscope/masks';
import { ModelFamily as ProtoFamily } from '@locscope/proto/v1/model_family';
import { BoxCorrection as ProtoCorrection, NoBoxReason as ProtoReason, YesNoAnswer } from '@locscope/proto/v1/metrics';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BoxCorrection } from '../parsing/answer-box.ts';
import type { NoBoxReason } from '../parsing/no-box.ts';
import type { YesNo } from '../classification/yes-no.ts';

export function familyFromProto(family: ProtoFamily, field = 'family'): ModelFamily {
  if (family === ProtoFamily.MODEL_FAMILY_LLAVA) return 'llava';
  if (family === ProtoFamily.MODEL_FAMILY_INTERNVL) return 'internvl';
  throw new InvalidArgumentError(`must be MODEL_FAMILY_LLAVA or MODEL_FAMILY_INTERNVL, got ${ProtoFamily[family] ?? family}`, { field });
}

export const NO_BOX_REASON_TO_PROTO: Record<NoBoxReason, ProtoReason> = {
  empty: ProtoReason.NO_BOX_REASON_EMPTY,
  refusal: ProtoReason.NO_BOX_REASON_REFUSAL,
  no_coordinates: ProtoReason.NO_BOX_REASON_NO_COORDINATES,
  incomplete_box: ProtoReason.NO_BOX_REASON_INCOMPLETE_BOX,
  out_of_range: ProtoReason.NO_BOX_REASON_OUT_OF_RANGE,
  degenerate: ProtoReason.NO_BOX_REASON_DEGENERATE,
};

export const CORRECTION_TO_PROTO: Record<BoxCorrection, ProtoCorrection> = {
  swapped_corners: ProtoCorrection.BOX_CORRECTION_SWAPPED_CORNERS,
  clamped: ProtoCorrection.BOX_CORRECTION_CLAMPED,
};

export function yesNoToProto(answer: YesNo | null): YesNoAnswer {
  if (answer === 'yes') return YesNoAnswer.YES_NO_ANSWER_YES;
  return answer === 'no' ? YesNoAnswer.YES_NO_ANSWER_NO : YesNoAnswer.YES_NO_ANSWER_UNSPECIFIED;
}
