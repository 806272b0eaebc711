// Integrated Gradients over the visual tokens of one prompt (Sundararajan et al. 2017), with the
// gradients from the backward graph the builder emits (graph/backward):
//   IG_i = Σ_c (x − x′)_{i,c} · (1/m) Σ_{k<m} ∂f/∂x_{i,c} (x′ + α_k (x − x′)),  α_k = (k + ½)/m
// (the midpoint Riemann rule: its error in completeness, Σ_i IG_i vs f(x) − f(x′), falls as 1/m²
// for smooth f), where f = Σ over targets of log p(target token) and x′ equals x except that the
// visual rows are the baseline (zero or a mean embedding). α steps run as the batch dimension.
import { InvalidArgumentError } from '@locscope/server-kit';
import * as ort from 'onnxruntime-node';
import type { Model } from './model.ts';
import * as io from '../graph/decoder-io.ts';
import { INPUTS_EMBEDS_GRAD, TARGET_GRADIENT_GRAPH_KEY, TARGET_IDS, TARGET_LOG_PROB, buildTargetGradientGraph } from '../graph/backward/index.ts';
import { countForward } from '../telemetry.ts';

export const DEFAULT_IG_STEPS = 32;
/**
 * Activation memory one batched gradient run may hold (the forward values the backward pass reads
 * stay alive until it does): the default batch of α steps is what fits in it, at least 1.
 */
export const DEFAULT_IG_MEMORY_BYTES = 2 * 1024 ** 3;

/**
 * Rough float32 bytes one batch row keeps alive: per layer a few [heads, T, T] attention tensors and
 * [T, intermediate] / [T, hidden] activations (measured ≈ 2.3 GB process RSS for one row of the
 * bench model, T = 607, which this estimates at ≈ 0.7 GB of activations plus weights and arena).
 */
export function gradientRowBytes(model: Model, seqLen: number): number {
  const { layers, heads, hidden } = model.info;
  const intermediate = model.checkpoint.config.text.intermediateSize;
  return 4 * layers * (3 * heads * seqLen * seqLen + 4 * seqLen * intermediate + 8 * seqLen * hidden);
}

export interface Targets {
  /** Token positions in the prompt; the token at positions[k] is tokenIds[k] (predicted from position − 1). */
  positions: number[];
  tokenIds: number[];
}

export interface GradientRequest {
  /** [B, T, hidden] row-major. */
  inputsEmbeds: Float32Array;
  batch: number;
  seqLen: number;
  targets: Targets;
}

export interface GradientResult {
  /** f per batch row: Σ_k log p(tokenIds[k] | prefix). */
  scores: Float32Array;
  /** ∂f/∂inputs_embeds [B, T, hidden]. */
  grads: Float32Array;
}

/** f and its gradient with respect to the input embeddings, for each batch row. Targets must already be validated (Model.score does). */
export async function targetGradients(model: Model, request: GradientRequest): Promise<GradientResult> {
  const { inputsEmbeds, batch, seqLen, targets } = request;
  // Over float16 weights the graph casts each weight to float32 where it is used; folding those
  // casts would give this session a private float32 copy of the model (buildTargetGradientGraph).
  const session = await model.graphSession(TARGET_GRADIENT_GRAPH_KEY, (weights) => buildTargetGradientGraph(model.checkpoint.config.text, weights).bytes, {
    releaseActivations: true,
    foldConstants: model.precision !== 'float16',
  });
  const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), [values.length]);
  countForward('attribution', batch);
  const out = await session.run({
    [io.INPUTS_EMBEDS]: new ort.Tensor('float32', inputsEmbeds, [batch, seqLen, model.info.hidden]),
    [io.LOGIT_POSITIONS]: int64(targets.positions.map((p) => p - 1)),
    [TARGET_IDS]: int64(targets.tokenIds),
  });
  return { scores: out[TARGET_LOG_PROB].data as Float32Array, grads: out[INPUTS_EMBEDS_GRAD].data as Float32Array };
}

export type Baseline = { kind: 'zero' } | { kind: 'embedding'; embedding: Float32Array };

export interface AttributionRequest {
  /** [T, hidden]: the prompt's embeddings with the image features merged in (Model.embedWithImage). */
  inputsEmbeds: Float32Array;
  seqLen: number;
  /** Rows of inputsEmbeds that are attributed (the visual tokens, in order); the baseline replaces only these. */
  visualPositions: number[];
  targets: Targets;
  baseline: Baseline;
  /** Riemann steps m (default DEFAULT_IG_STEPS). */
  steps?: number;
  /** α steps per run (default: as many as fit in DEFAULT_IG_MEMORY_BYTES). */
  batchSize?: number;
  /** Checked between batched runs. */
  signal?: AbortSignal;
}

export interface AttributionResult {
  /** One value per visual position, summed over hidden dims. */
  attributions: Float32Array;
  /** f(x) and f(x′). */
  score: number;
  baselineScore: number;
}

export async function integratedGradients(model: Model, request: AttributionRequest): Promise<AttributionResult> {
  const C = model.info.hidden;
  const { inputsEmbeds: x, seqLen: T, visualPositions, targets } = request;
  const steps = request.steps ?? DEFAULT_IG_STEPS;
  const batchSize = request.batchSize ?? Math.max(1, Math.floor(DEFAULT_IG_MEMORY_BYTES / gradientRowBytes(model, T)));
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`must be a positive integer, got ${steps}`, { field: 'steps' });
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError(`must be a positive integer, got ${batchSize}`, { field: 'batch_size' });
  if (x.length !== T * C) throw new InvalidArgumentError(`has ${x.length} values, expected ${T}×${C}`, { field: 'inputs_embeds' });
  const seen = new Set<number>();
  visualPositions.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= T || seen.has(p)) throw new InvalidArgumentError(`position ${p} is outside [0, ${T}) or repeated`, { field: `visual_positions[${i}]` });
    seen.add(p);
  });
  const base = baselineRows(request.baseline, C);

  const baselineEmbeds = x.slice();
  for (const p of visualPositions) baselineEmbeds.set(base, p * C);
  // Both scores in one batched forward; this also validates the targets before any gradient run.
  const both = new Float32Array(2 * T * C);
  both.set(x);
  both.set(baselineEmbeds, T * C);
  const [[...scoreTerms], [...baselineTerms]] = await model.score({ inputsEmbeds: both, seqLen: T, variants: [{}, {}], targets });
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

  // Σ_k ∂f/∂x at the visual rows, accumulated in float64.
  const gradSum = new Float64Array(visualPositions.length * C);
  for (let k0 = 0; k0 < steps; k0 += batchSize) {
    request.signal?.throwIfAborted();
    const n = Math.min(batchSize, steps - k0);
    const batch = new Float32Array(n * T * C);
    for (let j = 0; j < n; j++) {
      const alpha = (k0 + j + 0.5) / steps;
      const row = batch.subarray(j * T * C, (j + 1) * T * C);
      row.set(x);
      for (const p of visualPositions) {
        for (let c = 0; c < C; c++) row[p * C + c] = base[c] + alpha * (x[p * C + c] - base[c]);
      }
    }
    const { grads } = await targetGradients(model, { inputsEmbeds: batch, batch: n, seqLen: T, targets });
    for (let j = 0; j < n; j++) {
      visualPositions.forEach((p, i) => {
        for (let c = 0; c < C; c++) gradSum[i * C + c] += grads[(j * T + p) * C + c];
      });
    }
  }
  const attributions = Float32Array.from(visualPositions, (p, i) => {
    let a = 0;
    for (let c = 0; c < C; c++) a += (x[p * C + c] - base[c]) * gradSum[i * C + c];
    return a / steps;
  });
  return { attributions, score: sum(scoreTerms), baselineScore: sum(baselineTerms) };
}

function baselineRows(baseline: Baseline, hidden: number): Float32Array {
  if (baseline.kind === 'zero') return new Float32Array(hidden);
  if (baseline.embedding.length !== hidden) {
    throw new InvalidArgumentError(`has ${baseline.embedding.length} values, expected hidden size ${hidden}`, { field: 'baseline.embedding' });
  }
  return baseline.embedding;
}
