// How each model family prints a box: its coordinate range and where the numbers sit.
import { INTERNVL_BOX_SCALE, type ModelFamily } from '@locscope/masks';

export interface FamilyAnswerFormat {
  /** Upper end of the coordinate range (lower end is 0). */
  scale: number;
  /**
   * Overshoot still accepted and clamped into [0, scale], as a fraction of the scale. Models often
   * print e.g. 1.01 or -0.002 for objects touching the border; anything beyond is `out_of_range`.
   */
  tolerance: number;
  /** Text regions searched first (InternVL's <box>…</box>); the whole answer is the fallback. */
  preferredRegions(answer: string): string[];
  /** The answer with parts that never hold coordinates removed (InternVL's <ref>…</ref> phrase). */
  fallbackText(answer: string): string;
}

export const DEFAULT_COORDINATE_TOLERANCE = 0.05;

const BOX_TAG = /<box>([\s\S]*?)(?:<\/box>|$)/giu;
const REF_TAG = /<ref>[\s\S]*?<\/ref>/giu;

export const FAMILY_FORMATS: Record<ModelFamily, FamilyAnswerFormat> = {
  // LLaVA-1.5: "[x1, y1, x2, y2]" in [0, 1] of the padded square.
  llava: {
    scale: 1,
    tolerance: DEFAULT_COORDINATE_TOLERANCE,
    preferredRegions: () => [],
    fallbackText: (answer) => answer,
  },
  // InternVL-3.5: "<ref>obj</ref><box>[[x1, y1, x2, y2]]</box>" in 0–1000 of the original image.
  internvl: {
    scale: INTERNVL_BOX_SCALE,
    tolerance: DEFAULT_COORDINATE_TOLERANCE,
    preferredRegions: (answer) => [...answer.matchAll(BOX_TAG)].map((m) => m[1]),
    fallbackText: (answer) => answer.replace(REF_TAG, ' '),
  },
};
