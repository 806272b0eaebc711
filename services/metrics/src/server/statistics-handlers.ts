// MediationFraction, Summarize, AblationAuc and HeadRankingOverlap over gRPC.
import { decodeFloat32, float32Tensor } from '@locscope/proto';
import type {
  AblationAucRequest,
  AblationAucResponse,
  HeadRankingOverlapRequest,
  HeadRankingOverlapResponse,
  MediationFractionRequest,
  MediationFractionResponse,
  Summary,
  SummarizeRequest,
  SummarizeResponse,
} from '@locscope/proto/v1/metrics';
import { InvalidArgumentError } from '@locscope/server-kit';
import { normalizedAblationAuc } from '../aggregate/ablation-auc.ts';
import { breakdown, sizeBreakdown, summarize, type GroupSummary, type SummaryOptions } from '../aggregate/breakdown.ts';
import { dropFromBaseline } from '../aggregate/drops.ts';
import { topKOverlap } from '../aggregate/top-k-overlap.ts';
import { DEFAULT_MIN_PERPLEXITY_GAP, meanMediationFractions } from '../mediation/mediation-fraction.ts';
import { withFieldPrefix } from './field-prefix.ts';
import type { MetricsLimits } from './limits.ts';
import { checkSummarizeCost } from './request-cost.ts';

export async function mediationFractionHandler(request: MediationFractionRequest): Promise<MediationFractionResponse> {
  const base = decodeFloat32(request.base, 'base', { shape: [-1] });
  if (base.length === 0) throw new InvalidArgumentError('at least one pair is required', { field: 'base' });
  const source = decodeFloat32(request.source, 'source', { shape: [base.length] });
  const shape = request.patched?.shape ?? [];
  if (shape.length < 2 || shape[0] !== base.length) {
    throw new InvalidArgumentError(`expected shape [${base.length}, …components], got [${shape.join(', ')}]`, { field: 'patched' });
  }
  const patched = decodeFloat32(request.patched, 'patched');
  const components = patched.length / base.length;
  const pairs = Array.from(base, (b, p) => ({ base: b, source: source[p], patched: patched.subarray(p * components, (p + 1) * components) }));
  // Library errors name pairs[p].base / .source / .patched[c]: p indexes P, c the flattened components.
  const summary = meanMediationFractions(pairs, request.minGap ?? DEFAULT_MIN_PERPLEXITY_GAP);
  return {
    meanMf: float32Tensor(Float32Array.from(summary.meanMf), shape.slice(1)),
    pairsUsed: summary.pairsUsed,
    pairsExcluded: summary.pairsExcluded,
  };
}

function toProto(g: GroupSummary): Summary {
  return { mean: g.mean, std: g.std, n: g.n, ciLower: g.lower, ciUpper: g.upper };
}

/** Summarize, priced against `limits` before its bootstrap runs. */
export async function summarizeRequest(request: SummarizeRequest, limits: MetricsLimits): Promise<SummarizeResponse> {
  checkSummarizeCost(request, limits);
  const { values } = request;
  const options: SummaryOptions = { ddof: request.populationStd ? 0 : 1 };
  if (request.resamples !== undefined) options.resamples = request.resamples;
  if (request.confidence !== undefined) options.confidence = request.confidence;
  if (request.seed !== undefined) options.seed = request.seed;
  const overall = summarize(values, options);
  const response: SummarizeResponse = { overall: toProto(overall), groups: [], sizeBuckets: [] };
  if (request.groupKeys.length > 0) {
    const groups = withFieldPrefix('group_keys', () => breakdown(values, request.groupKeys, options));
    response.groups = [...groups].map(([key, g]) => ({ key, summary: toProto(g) }));
  }
  if (request.objectAreas.length > 0) {
    const buckets = withFieldPrefix('object_areas', () => sizeBreakdown(values, request.objectAreas, options));
    response.sizeBuckets = [...buckets].map(([key, g]) => ({ key, summary: toProto(g) }));
  }
  if (request.baseline !== undefined) {
    const drop = dropFromBaseline(request.baseline, overall.mean);
    response.drop = { absolute: drop.absolute, relative: drop.relative ?? undefined };
  }
  return response;
}

export async function ablationAucHandler(request: AblationAucRequest): Promise<AblationAucResponse> {
  return { normalizedAuc: normalizedAblationAuc(request.curve, { relativeToBaseline: !request.rawAccuracy }) };
}

export async function headRankingOverlapHandler(request: HeadRankingOverlapRequest): Promise<HeadRankingOverlapResponse> {
  const a = decodeFloat32(request.scoresA, 'scores_a');
  const b = decodeFloat32(request.scoresB, 'scores_b');
  if (a.length !== b.length) throw new InvalidArgumentError(`${b.length} scores, scores_a has ${a.length}`, { field: 'scores_b' });
  if (request.k.length === 0) throw new InvalidArgumentError('at least one k is required', { field: 'k' });
  return { overlaps: request.k.map((k, i) => withFieldPrefix(`k[${i}]`, () => topKOverlap(a, b, k))) };
}
