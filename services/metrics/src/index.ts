// Public surface of @locscope/metrics: answer parsing, localization and classification scores,
// mediation fraction (perplexity itself: @locscope/perplexity), aggregation statistics, and position probes.
export { parseAnswerBox, type AnswerBoxOptions, type AnswerBoxParse, type AnswerSpaceBox, type BoxCorrection } from './parsing/answer-box.ts';
export { parseAnswer, type ParsedAnswer } from './parsing/parse-answer.ts';
export { NO_BOX_REASONS, type NoBoxReason } from './parsing/no-box.ts';
export { DEFAULT_COORDINATE_TOLERANCE } from './parsing/families.ts';
export { checkCocoBox, predictionIou } from './boxes/box.ts';
export { DEFAULT_IOU_THRESHOLDS, localizationScore, type LocalizationScore } from './localization/success.ts';
export { scoreLocalizationAnswers, type LocalizationSample, type ScoredAnswer, type ScoredAnswers } from './localization/score-answers.ts';
export { mentionsClass, classNamePattern } from './classification/class-name.ts';
export { parseYesNo, type YesNo } from './classification/yes-no.ts';
export {
  mediationFraction,
  meanMediationFractions,
  DEFAULT_MIN_PERPLEXITY_GAP,
  type MediationSummary,
  type PairPerplexities,
} from './mediation/mediation-fraction.ts';
export { meanStd, DEFAULT_STD_DDOF, type MeanStd } from './aggregate/seed-stats.ts';
export { bootstrapMeanCi, DEFAULT_BOOTSTRAP, type BootstrapOptions, type ConfidenceInterval } from './aggregate/bootstrap.ts';
export { breakdown, sizeBreakdown, summarize, type GroupSummary, type SummaryOptions } from './aggregate/breakdown.ts';
export { dropFromBaseline, type Drop } from './aggregate/drops.ts';
export { normalizedAblationAuc, type AblationPoint, type AblationAucOptions } from './aggregate/ablation-auc.ts';
export { topK, topKOverlap, type TopKOverlap } from './aggregate/top-k-overlap.ts';
export { trainPositionProbe, DEFAULT_PROBE_TRAINING, type ProbeEvaluation, type ProbeTrainingOptions } from './probes/train-probe.ts';
export type { ProbeBatch, ProbeShape, ProbeSource } from './probes/probe-data.ts';
export { metricsService, startMetricsServer, METRICS_SERVICE_NAME, type MetricsServiceOptions } from './server/metrics-service.ts';
export { DEFAULT_METRICS_LIMITS, type MetricsLimits } from './server/limits.ts';
export { metricsLauncher, DEFAULT_METRICS_PORT } from './launcher.ts';
export { ProbeSessionStore, DEFAULT_PROBE_SESSION_LIMITS, type ProbeSessionLimits } from './server/probe-sessions.ts';
export { ProbeFeatureFile } from './probes/feature-file.ts';
