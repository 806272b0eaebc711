// Model answer text → one box in the family's answer space ([0,1] or 0–1000), or a typed reason.
import type { ModelFamily } from '@locscope/masks';
import { FAMILY_FORMATS } from './families.ts';
import { isRefusal, numberRuns, quadruples } from './coordinates.ts';
import type { NoBoxReason } from './no-box.ts';

/** [x1, y1, x2, y2] in the family's answer space, corners ordered, clamped into range. */
export type AnswerSpaceBox = [number, number, number, number];

/** Repairs applied to the printed numbers; reported so that callers can count them. */
export type BoxCorrection = 'swapped_corners' | 'clamped';

export type AnswerBoxParse =
  | { ok: true; answerBox: AnswerSpaceBox; boxCount: number; corrections: BoxCorrection[] }
  | { ok: false; reason: NoBoxReason };

export interface AnswerBoxOptions {
  /** Overrides the family's accepted overshoot (fraction of the coordinate scale). */
  tolerance?: number;
}

/**
 * Takes the first complete box the model printed (several boxes: the first one, as a reader of the
 * answer would; `boxCount` says how many there were). Corners given in the wrong order are swapped.
 */
export function parseAnswerBox(family: ModelFamily, answer: string, options: AnswerBoxOptions = {}): AnswerBoxParse {
  const format = FAMILY_FORMATS[family];
  if (answer.trim() === '') return { ok: false, reason: 'empty' };
  let found = quadruples(format.preferredRegions(answer).flatMap(numberRuns));
  if (found.quads.length === 0) {
    const fallback = quadruples(numberRuns(format.fallbackText(answer)));
    found = { quads: fallback.quads, longestRun: Math.max(found.longestRun, fallback.longestRun) };
  }
  const [first] = found.quads;
  if (!first) {
    if (isRefusal(answer)) return { ok: false, reason: 'refusal' };
    return { ok: false, reason: found.longestRun > 0 ? 'incomplete_box' : 'no_coordinates' };
  }
  const tolerance = (options.tolerance ?? format.tolerance) * format.scale;
  if (!first.every((v) => Number.isFinite(v) && v >= -tolerance && v <= format.scale + tolerance)) {
    return { ok: false, reason: 'out_of_range' };
  }
  const corrections: BoxCorrection[] = [];
  if (first[0] > first[2] || first[1] > first[3]) corrections.push('swapped_corners');
  if (first.some((v) => v < 0 || v > format.scale)) corrections.push('clamped');
  const clamp = (v: number) => Math.min(format.scale, Math.max(0, v));
  const [a, b, c, d] = first.map(clamp);
  return {
    ok: true,
    answerBox: [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)],
    boxCount: found.quads.length,
    corrections,
  };
}
