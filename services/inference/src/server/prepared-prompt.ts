// One request's prompt bound to its image: token ids, embeddings with the visual tokens in
// place, and the sequence layout that semantic positions resolve against.
import { InvalidArgumentError, PermissionDeniedError, ResourceExhaustedError } from '@locscope/server-kit';
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

export interface SequenceBudget {
  /** The server's limit on tokens per sequence. */
  maxTokens: number;
  /** The server's limit on UTF-8 bytes of the prompt and of the target, checked before tokenizing. */
  maxTextBytes: number;
  /** Tokens the request will add later (generation), counted against both limits. */
  reserve: number;
  /** The calling party's own, lower limit (its maxSequence right). */
  caller?: { name: string; maxTokens: number };
}

export async function preparePrompt(
  model: Model,
  image: PreparedImage,
  encoded: EncodedImage,
  question: string,
  target: string | undefined,
  budget: SequenceBudget,
): Promise<PreparedPrompt> {
  checkTextBytes(question, 'prompt', budget.maxTextBytes);
  if (target) checkTextBytes(target, 'target', budget.maxTextBytes);
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
  checkLength(model, prompt.ids.length, promptEnd, budget);
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

/** The teacher-forced target's token ids and their tokenizer pieces (the id itself where the tokenizer has none). */
export function targetTokens(model: Model, prompt: PreparedPrompt): { ids: number[]; tokens: string[] } {
  const ids = prompt.ids.slice(prompt.target.start, prompt.target.end);
  return { ids, tokens: ids.map((id) => model.checkpoint.tokenizer?.idToToken(id) ?? String(id)) };
}

function checkTextBytes(text: string, field: string, limit: number): void {
  // text.length ≤ UTF-8 bytes: the cheap bound settles almost every request without encoding.
  if (text.length <= limit / 3) return;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limit) throw new ResourceExhaustedError(`${bytes} bytes of text exceed the server's limit of ${limit} (max_text_bytes); it was not tokenized`, { field });
}

/**
 * Refuses sequences longer than the model's context (INVALID_ARGUMENT: no server could run them)
 * or than the server's limit (RESOURCE_EXHAUSTED), before any forward allocates for them. The
 * field is the text that pushed the sequence over: the target when the prompt alone fits.
 */
function checkLength(model: Model, length: number, promptEnd: number, budget: SequenceBudget): void {
  const context = model.checkpoint.config.text.maxPositionEmbeddings;
  const total = length + budget.reserve;
  const field = promptEnd + budget.reserve <= Math.min(context, budget.maxTokens) ? 'target' : 'prompt';
  const counted = budget.reserve > 0 ? ` (${budget.reserve} of them new tokens)` : '';
  if (total > context) {
    throw new InvalidArgumentError(`sequence of ${total} tokens${counted}, image tokens included, exceeds the model's context of ${context}`, { field });
  }
  if (total > budget.maxTokens) {
    throw new ResourceExhaustedError(`sequence of ${total} tokens${counted}, image tokens included, exceeds the server's limit of ${budget.maxTokens}`, { field });
  }
  if (budget.caller && total > budget.caller.maxTokens) {
    throw new PermissionDeniedError(
      `caller "${budget.caller.name}" may send sequences of at most ${budget.caller.maxTokens} tokens (maxSequence), got ${total}${counted}`,
      { field },
    );
  }
}
