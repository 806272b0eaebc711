// The locscope.v1.Metrics service registration for @locscope/server-kit.
import { apiDescriptorSet } from '@locscope/proto';
import { MetricsService, type MetricsServer } from '@locscope/proto/v1/metrics';
import { service, startServer, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration } from '@locscope/server-kit';
import { scoreClassificationHandler } from './classification-handler.ts';
import { parseAnswersHandler, scoreLocalizationHandler } from './localization-handlers.ts';
import { perplexityHandler } from './perplexity-handler.ts';
import { probeSessionHandlers, trainPositionProbeHandler } from './probe-handler.ts';
import { ProbeSessionStore } from './probe-sessions.ts';
import { ablationAucHandler, headRankingOverlapHandler, mediationFractionHandler, summarizeHandler } from './statistics-handlers.ts';

export const METRICS_SERVICE_NAME = 'locscope.v1.Metrics';
/** Default port of the metrics service when started alone (inference 50051, masks 50052, inpainting 50054). */
export const DEFAULT_METRICS_PORT = 50053;

export interface MetricsServiceOptions {
  /** Where probe sessions spill their data; a fresh store by default. */
  probeSessions?: ProbeSessionStore;
}

export function metricsService(options: MetricsServiceOptions = {}): ServiceRegistration {
  const sessions = options.probeSessions ?? new ProbeSessionStore();
  return service<MetricsServer>({
    name: METRICS_SERVICE_NAME,
    definition: MetricsService,
    descriptorSet: apiDescriptorSet,
    implementation: {
      parseAnswers: parseAnswersHandler,
      scoreLocalization: scoreLocalizationHandler,
      scoreClassification: scoreClassificationHandler,
      perplexity: perplexityHandler,
      mediationFraction: mediationFractionHandler,
      summarize: summarizeHandler,
      ablationAuc: ablationAucHandler,
      headRankingOverlap: headRankingOverlapHandler,
      trainPositionProbe: trainPositionProbeHandler,
      ...probeSessionHandlers(sessions),
    },
  });
}

/** Starts the metrics service; its probe sessions' temporary files are removed however the process ends. */
export function startMetricsServer(config: ServiceConfig, logger: Logger): Promise<RunningServer> {
  const probeSessions = new ProbeSessionStore();
  process.once('exit', () => probeSessions.removeAllSync());
  return startServer(config, [metricsService({ probeSessions })], logger);
}
