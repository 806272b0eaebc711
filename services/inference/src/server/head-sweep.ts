// HeadSweep (causal mediation analysis over heads): for one example, the base run with each listed
// head's output patched from the source run, scored as the target's perplexity — batched by
// maxVariants per forward, over the clean run's shared prefix.
import { maskedPerplexity } from '@locscope/perplexity';
import { TextSpan, type ImageInput, type LayerHead, type Positions } from '@locscope/proto/v1/inference';
import { InvalidArgumentError } from '@locscope/server-kit';
import { resolvePositions } from '../interventions/positions.ts';
import { compileVariants, emptyPlan, type VariantPlan } from '../interventions/variant-plan.ts';
import type { EngineSteps } from './engine-steps.ts';
import { targetTokens } from './prepared-prompt.ts';
import { targetMask, type TokenMaskPolicy } from './token-mask.ts';

export interface HeadSweepRequest {
  model: string;
  baseImage: ImageInput | undefined;
  sourceImage: ImageInput | undefined;
  prompt: string;
  target: string;
  /** Where the heads are patched (default: every position after the image). */
  positions: Positions | undefined;
  /** The heads to sweep (default: every head of every layer). */
  heads: LayerHead[];
  mask: TokenMaskPolicy;
}

export interface HeadSweepResult {
  targetTokens: string[];
  mask: boolean[];
  basePerplexity: number;
  sourcePerplexity: number;
  heads: LayerHead[];
  patchedPerplexities: number[];
}

/** The name every patch of a sweep reads its source run by (RunSources.sweepSource). */
const SWEEP_SOURCE = 'sweep';

export async function runHeadSweep(engine: EngineSteps, request: HeadSweepRequest): Promise<HeadSweepResult> {
  const base = await engine.bindImage(request.model, request.baseImage, 'base_image');
  const source = await engine.bindImage(request.model, request.sourceImage, 'source_image');
  const basePrompt = await engine.prompt(base, request.prompt, request.target);
  const sourcePrompt = await engine.prompt(source, request.prompt, request.target);
  if (sourcePrompt.layout.length !== basePrompt.layout.length) {
    throw new InvalidArgumentError(
      `source image gives a ${sourcePrompt.layout.length}-token sequence, base image ${basePrompt.layout.length} (different tile grids)`,
      { field: 'source_image' },
    );
  }
  const { layers: L, heads: H } = base.model.info;
  const heads = request.heads.length > 0 ? request.heads : Array.from({ length: L * H }, (_, i) => ({ layer: Math.floor(i / H), head: i % H }));
  const positions = request.positions ?? { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] };
  // Validate every head once through the compiler (errors name heads[i]).
  compileVariants(
    [{ name: SWEEP_SOURCE, interventions: [{ kind: { $case: 'patch', value: { heads, positions, source: { $case: 'sourceRun', value: SWEEP_SOURCE } } } }] }],
    basePrompt.layout,
    base.model.info,
    { maxVariants: 1 },
    'request',
  );
  const target = targetTokens(base.model, basePrompt);
  const mask = targetMask(request.mask, request.target, target.tokens, 'mask');
  const sourceOutputs = await engine.sourceHeadOutputs(source, sourcePrompt);
  const perplexity = (lp: Float32Array) => maskedPerplexity(lp, mask).perplexity;
  const [sourceLp] = await engine.scoreRun(source, sourcePrompt, [emptyPlan('source')], target.ids, { owner: '' });
  const patchedPerplexities: number[] = [];
  let basePerplexity = NaN;
  const batch = Math.max(1, engine.limits.maxVariants);
  const resolved = resolvePositions(positions, basePrompt.layout, 'positions');
  const plans: VariantPlan[] = [
    emptyPlan('base'),
    ...heads.map((lh) => ({
      ...emptyPlan(`L${lh.layer}H${lh.head}`),
      patches: [{ layer: lh.layer, head: lh.head, positions: resolved, source: { kind: 'run' as const, name: SWEEP_SOURCE } }],
    })),
  ];
  for (let start = 0; start < plans.length; start += batch) {
    const chunk = plans.slice(start, start + batch);
    const lps = await engine.scoreRun(base, basePrompt, chunk, target.ids, { owner: '', sweepSource: sourceOutputs });
    lps.forEach((lp, i) => (start + i === 0 ? (basePerplexity = perplexity(lp)) : patchedPerplexities.push(perplexity(lp))));
  }
  return { targetTokens: target.tokens, mask, basePerplexity, sourcePerplexity: perplexity(sourceLp), heads, patchedPerplexities };
}
