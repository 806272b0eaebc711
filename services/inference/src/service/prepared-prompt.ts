// One request's prompt bound to its image: token ids, embeddings with the visual tokens in
// place, and the sequence layout that semantic positions resolve against.
import type { EncodedPrompt, TeacherForcedPrompt } from '../checkpoint/index.ts';
import type { SequenceLayout } from '../interventions/sequence-layout.ts';
import type { EncodedImage, Model } from '../runtime/model.ts';
import type { PreparedImage } from './model-image.ts';

export interface PreparedPrompt {
  ids: number[];
  /** [T, hidden]: token embeddings with the image tokens replaced by the visual features. */
  embeds: Float32Array;
  layout: SequenceLayout;
  /** Teacher-forced target span [start, end) (empty when there is no target). */
  target: { start: number; end: number };
}

export async function preparePrompt(
  model: Model,
  image: PreparedImage,
  encoded: EncodedImage,
  question: string,
  target: string | undefined,
): Promise<PreparedPrompt> {
  const views = image.views.length;
  let prompt: EncodedPrompt;
  let targetSpan: { start: number; end: number };
  if (target) {
    const forced: TeacherForcedPrompt = model.checkpoint.prompt.encodeWithTarget(question, target, { views });
    prompt = forced;
    targetSpan = forced.target;
  } else {
    prompt = model.checkpoint.prompt.encode(question, { views });
    targetSpan = { start: prompt.ids.length, end: prompt.ids.length };
  }
  const promptEnd = targetSpan.start;
  let offset = 0;
  const layout: SequenceLayout = {
    length: prompt.ids.length,
    imageStart: prompt.image.start,
    visualTokens: prompt.image.end - prompt.image.start,
    views: image.views.map((v) => {
      const span = { name: v.name, rows: v.rows, cols: v.cols, offset };
      offset += v.rows * v.cols;
      return span;
    }),
    promptEnd,
  };
  return {
    ids: prompt.ids,
    embeds: await model.embedWithImage(prompt.ids, encoded.features),
    layout,
    target: targetSpan,
  };
}
