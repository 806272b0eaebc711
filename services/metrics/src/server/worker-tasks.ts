// The metrics RPCs whose work is CPU-bound JavaScript (the bootstrap of Summarize, training a
// probe on data sent in the request, rankings and reductions over tensors of millions of values,
// parsing hundreds of thousands of answers),
// as tasks of the service's worker pool: each runs in a
// worker thread, so health and cheap calls keep being answered meanwhile (issue 13).
import type {
  HeadRankingOverlapRequest,
  MediationFractionRequest,
  ParseAnswersRequest,
  PerplexityRequest,
  ScoreLocalizationRequest,
  SummarizeRequest,
  TrainPositionProbeRequest,
} from '@locscope/proto/v1/metrics';
import type { MetricsLimits } from './limits.ts';
import { trainPositionProbeRequest } from './probe-handler.ts';
import { parseAnswersHandler, scoreLocalizationHandler } from './localization-handlers.ts';
import { perplexityHandler } from './perplexity-handler.ts';
import { headRankingOverlapHandler, mediationFractionHandler, summarizeRequest } from './statistics-handlers.ts';

/** What a task gets: the request and the server's limits (a worker has no other state). */
export interface MetricsTask<R> {
  request: R;
  limits: MetricsLimits;
}

export const summarize = ({ request, limits }: MetricsTask<SummarizeRequest>) => summarizeRequest(request, limits);
// Cancellation terminates the worker thread, so the trainer needs no signal of its own here.
export const trainPositionProbe = ({ request, limits }: MetricsTask<TrainPositionProbeRequest>) => trainPositionProbeRequest(request, limits);
export const perplexity = ({ request }: MetricsTask<PerplexityRequest>) => perplexityHandler(request);
export const mediationFraction = ({ request }: MetricsTask<MediationFractionRequest>) => mediationFractionHandler(request);
export const headRankingOverlap = ({ request }: MetricsTask<HeadRankingOverlapRequest>) => headRankingOverlapHandler(request);
export const parseAnswers = ({ request }: MetricsTask<ParseAnswersRequest>) => parseAnswersHandler(request);
export const scoreLocalization = ({ request }: MetricsTask<ScoreLocalizationRequest>) => scoreLocalizationHandler(request);
