// Raw logits of one batched forward of a request's variants (the Open Inference Protocol's plain
// forward): at the positions that predict each target token or, without a target, at the prompt's
// last position (the next-token distribution). Unlike Score this runs the whole sequence (no
// shared-prefix KV cache), so log_softmax of these logits agrees with Score's log-probs to float
// rounding, not bit for bit.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { EngineSteps, VariantsRequest } from './engine-steps.ts';
import { targetTokens } from './prepared-prompt.ts';

/** `target` '' = none: the logits of the token after the prompt. */
export type LogitsRequest = VariantsRequest;

export interface LogitsResult {
  /** Names of the variants, in batch order. */
  variants: string[];
  /** Sequence positions whose logits these are. */
  positions: number[];
  /** Ids of the target tokens the positions predict (empty without a target). */
  targetTokenIds: number[];
  /** [variants, positions, vocab] */
  logits: Float32Array;
  vocab: number;
}

export async function runLogits(engine: EngineSteps, request: LogitsRequest): Promise<LogitsResult> {
  const bound = await engine.bindImage(request.model, request.image);
  const prompt = await engine.prompt(bound, request.prompt, request.target || undefined);
  const plans = engine.compile(bound.model, prompt, request.variants);
  const { start, end } = prompt.target;
  if (request.target && end === start) throw new InvalidArgumentError('encodes to no tokens', { field: 'target' });
  // Position p's logits predict the token at p + 1.
  const positions = request.target ? Array.from({ length: end - start }, (_, k) => start + k - 1) : [prompt.layout.length - 1];
  const inputs = await engine.materialize(bound, prompt, plans, { owner: request.owner ?? '' });
  const out = await bound.model.forward({ ...inputs, seqLen: prompt.layout.length, variants: inputs.interventions, logits: positions });
  return {
    variants: plans.map((p) => p.name),
    positions,
    targetTokenIds: targetTokens(bound.model, prompt).ids,
    logits: out.logits.data,
    vocab: out.logits.dims[2],
  };
}
