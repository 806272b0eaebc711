// One object, one task, many intervention variants: batched Generate calls (chunked to bound the
// service's batch) and the paper's scoring of every answer (§2.3) — localization by IoU against a
// GT box (success averaged over the config's IoU thresholds), classification by the class name
// appearing in the list answer — with the metrics package's parsers.
import { localizationScore, mentionsClass, scoreLocalizationAnswers } from '@locscope/metrics';
import type { Variant } from '@locscope/proto/v1/inference';
import { readFile } from 'node:fs/promises';
import type { ResolvedConfig } from '../../config/resolve.ts';
import { MissingError } from '../../errors.ts';
import type { ServiceCalls } from '../../services/clients.ts';
import { generateAnswers } from '../generate.ts';
import { familyName, modelInfo } from '../model-info.ts';
import type { Task } from '../tasks.ts';
import { promptFor } from './prompts.ts';
import type { ObjectJobInput, ObjectSample } from './samples.ts';

/** Variants per Generate request: half the service's default limit (64), to bound its memory. */
export const VARIANTS_PER_REQUEST = 32;

export type Outcome = {
  variant: string;
  answer: string;
  /** Localization: the mean success over the IoU thresholds; classification: 1 if correct, else 0. */
  score: number;
  /** Localization only: IoU with the GT box (0 without a parsable box). */
  iou: number | null;
};

export type EvaluationConfig = Pick<ResolvedConfig, 'prompts' | 'maxNewTokens' | 'iouThresholds'>;

export async function readImage(imagePath: string): Promise<Uint8Array> {
  try {
    return await readFile(imagePath);
  } catch (error) {
    throw new MissingError(`cannot read image ${imagePath}: ${(error as Error).message}`, { field: 'object.imagePath', cause: error });
  }
}

/** Greedy answers of every variant of one task, in variant order. */
export async function answersOf(
  calls: ServiceCalls,
  input: ObjectJobInput,
  config: EvaluationConfig,
  task: Task,
  variants: Variant[],
  image?: Uint8Array,
): Promise<string[]> {
  const bytes = image ?? (await readImage(input.object.imagePath));
  const answers: string[] = [];
  for (let start = 0; start < variants.length; start += VARIANTS_PER_REQUEST) {
    const chunk = variants.slice(start, start + VARIANTS_PER_REQUEST);
    const byName = await generateAnswers(calls, { model: input.model, image: bytes, prompt: promptFor(task, config, input), variants: chunk, maxNewTokens: config.maxNewTokens });
    for (const v of chunk) answers.push(byName.get(v.name) ?? '');
  }
  return answers;
}

/** IoU and localization score of each answer against its GT box (COCO [x, y, w, h]). */
export async function scoreBoxes(
  calls: ServiceCalls,
  model: string,
  object: ObjectSample,
  answers: { answer: string; gtBox: [number, number, number, number] }[],
  thresholds: number[],
): Promise<{ iou: number; score: number }[]> {
  const family = familyName((await modelInfo(calls, model)).family);
  const size = { width: object.width, height: object.height };
  const scored = scoreLocalizationAnswers(family, answers.map((a) => ({ answer: a.answer, size, gtBox: a.gtBox })), thresholds);
  return scored.rows.map((row) => ({ iou: row.iou, score: localizationScore([row.iou], thresholds).localization }));
}

/** Generates and scores every variant of one task on the object's image (or `image` when given). */
export async function evaluateVariants(
  calls: ServiceCalls,
  input: ObjectJobInput,
  config: EvaluationConfig,
  task: Task,
  variants: Variant[],
  image?: Uint8Array,
): Promise<Outcome[]> {
  const answers = await answersOf(calls, input, config, task, variants, image);
  if (task === 'localization') {
    const scored = await scoreBoxes(calls, input.model, input.object, answers.map((answer) => ({ answer, gtBox: input.object.bbox })), config.iouThresholds);
    return variants.map((v, i) => ({ variant: v.name, answer: answers[i], score: scored[i].score, iou: scored[i].iou }));
  }
  return variants.map((v, i) => ({ variant: v.name, answer: answers[i], score: mentionsClass(answers[i], input.object.categoryName) ? 1 : 0, iou: null }));
}
