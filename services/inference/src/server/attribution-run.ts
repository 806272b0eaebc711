// Attribute: Integrated Gradients of the target's log-prob per visual token (runtime/attribution.ts)
// for one request — its step count within the limits, its baseline (zero, or a stored mean
// embedding), and the target positions the gradient explains.
import type { ImageInput } from '@locscope/proto/v1/inference';
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import { DEFAULT_IG_STEPS, integratedGradients, type AttributionResult, type Baseline } from '../runtime/attribution.ts';
import type { EngineSteps } from './engine-steps.ts';
import type { MeanEmbeddings } from './mean-embeddings.ts';

/** The visual rows' baseline: zeros, or the MeanEmbedding artifact `name`. */
export type AttributionBaselineSpec = { kind: 'zero' } | { kind: 'mean-embedding'; name: string };

export interface AttributionRequest {
  model: string;
  image: ImageInput | undefined;
  prompt: string;
  target: string;
  /** 0 = DEFAULT_IG_STEPS. */
  steps: number;
  baseline: AttributionBaselineSpec;
  signal?: AbortSignal;
}

export async function runAttribution(engine: EngineSteps, means: MeanEmbeddings, request: AttributionRequest): Promise<AttributionResult> {
  const steps = request.steps === 0 ? DEFAULT_IG_STEPS : request.steps;
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`must be positive (0 = ${DEFAULT_IG_STEPS}), got ${steps}`, { field: 'steps' });
  if (steps > engine.limits.maxAttributionSteps) throw new ResourceExhaustedError(`${steps} exceeds the limit of ${engine.limits.maxAttributionSteps}`, { field: 'steps' });
  if (!request.target) throw new InvalidArgumentError('is required: attributions explain the log-prob of the target', { field: 'target' });
  const bound = await engine.bindImage(request.model, request.image);
  const baseline: Baseline =
    request.baseline.kind === 'zero' ? { kind: 'zero' } : { kind: 'embedding', embedding: means.require(bound.modelName, request.baseline.name, 'mean_embedding').mean };
  const prompt = await engine.prompt(bound, request.prompt, request.target);
  const { start, end } = prompt.target;
  if (end === start) throw new InvalidArgumentError('encodes to no tokens', { field: 'target' });
  const imageToken = bound.model.info.imageTokenId;
  return integratedGradients(bound.model, {
    inputsEmbeds: prompt.embeds,
    seqLen: prompt.layout.length,
    visualPositions: prompt.ids.flatMap((id, p) => (id === imageToken ? [p] : [])),
    targets: { positions: Array.from({ length: end - start }, (_, i) => start + i), tokenIds: prompt.ids.slice(start, end) },
    baseline,
    steps,
    ...(request.signal ? { signal: request.signal } : {}),
  });
}
