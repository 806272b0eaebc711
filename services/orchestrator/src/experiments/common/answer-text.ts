// The ground-truth answer in each family's output format, for teacher forcing (Score, HeadSweep,
// Attribute): LLaVA-1.5 prints "[x1, y1, x2, y2]" in [0, 1] of the padded square with two decimals;
// InternVL-3.5 prints "<ref>name</ref><box>[[x1, y1, x2, y2]]</box>" in integer 0–1000 image units.
import { pixelsToModelBox, xywhToXyxy, INTERNVL_BOX_SCALE } from '@locscope/masks';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { PromptTask } from './prompts.ts';
import type { ObjectSample } from './samples.ts';

/** Decimals LLaVA-1.5 prints per coordinate. */
const LLAVA_BOX_DECIMALS = 2;
/** The binary query's answer when the object is present (paper §3.3.2: one decisive token). */
export const BINARY_YES = 'Yes';

function clamp(value: number, max: number): number {
  return Math.min(Math.max(value, 0), max);
}

export function boxAnswerText(family: ModelFamily, object: ObjectSample): string {
  const size = { width: object.width, height: object.height };
  const xyxy = xywhToXyxy(object.bbox);
  switch (family) {
    case ModelFamily.MODEL_FAMILY_LLAVA: {
      const box = pixelsToModelBox('llava', size, xyxy, 'object.bbox');
      return `[${box.map((v) => clamp(v, 1).toFixed(LLAVA_BOX_DECIMALS)).join(', ')}]`;
    }
    case ModelFamily.MODEL_FAMILY_INTERNVL: {
      const box = pixelsToModelBox('internvl', size, xyxy, 'object.bbox');
      const coords = box.map((v) => Math.round(clamp(v, INTERNVL_BOX_SCALE)));
      return `<ref>${object.categoryName}</ref><box>[[${coords.join(', ')}]]</box>`;
    }
    default:
      throw new InvalidArgumentError(`unsupported model family ${family}`, { field: 'family' });
  }
}

/** The correct answer of `task` for a present object (list prompt: the class name it must mention). */
export function targetText(task: PromptTask, family: ModelFamily, object: ObjectSample): string {
  if (task === 'localization') return boxAnswerText(family, object);
  if (task === 'binary') return BINARY_YES;
  return object.categoryName;
}
