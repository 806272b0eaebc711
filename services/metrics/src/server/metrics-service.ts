// The locscope.v1.Metrics service registration for @locscope/server-kit.
import { apiDescriptorSet } from '@locscope/proto';
import { MetricsService, type MetricsServer } from '@locscope/proto/v1/metrics';
import { service, startServer, WorkerPool, type CallContext, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration, type WorkerPoolOptions } from '@locscope/server-kit';
import { scoreClassificationHandler } from './classification-handler.ts';
import { probeSessionHandlers } from './probe-handler.ts';
import { DEFAULT_METRICS_LIMITS, type MetricsLimits } from './limits.ts';
import { ProbeSessionStore, type ProbeSessionLimits } from './probe-sessions.ts';
import { ablationAucHandler } from './statistics-handlers.ts';
import type { MetricsTask } from './worker-tasks.ts';

export const METRICS_SERVICE_NAME = 'locscope.v1.Metrics';

export interface MetricsServiceOptions {
  /** Where probe sessions spill their data; a fresh store by default. */
  probeSessions?: ProbeSessionStore;
  /** Per-request cost limits (default DEFAULT_METRICS_LIMITS). */
  limits?: MetricsLimits;
  /** Worker threads of the CPU-heavy RPCs (default: all cores but one). */
  workers?: WorkerPoolOptions;
}

const WORKER_TASKS = new URL('./worker-tasks.ts', import.meta.url);

/** The registration, with the worker pool its heavy RPCs run on (the caller closes it). */
export function metricsService(pool: WorkerPool, options: MetricsServiceOptions = {}): ServiceRegistration {
  const sessions = options.probeSessions ?? new ProbeSessionStore();
  const limits = options.limits ?? DEFAULT_METRICS_LIMITS;
  const offload =
    <R, S>(task: string) =>
    (request: R, call: CallContext) =>
      pool.run<S>(task, { request, limits } satisfies MetricsTask<R>, call.signal);
  return service<MetricsServer>({
    name: METRICS_SERVICE_NAME,
    definition: MetricsService,
    descriptorSet: apiDescriptorSet,
    implementation: {
      // Parsing is linear in the answers' text, but a message holds hundreds of thousands of them
      // (400k answers, ~30 MB: 8 s), too long for the event loop.
      parseAnswers: offload('parseAnswers'),
      scoreLocalization: offload('scoreLocalization'),
      scoreClassification: scoreClassificationHandler,
      // Linear (perplexity, mediation) or n log n (ranking overlap) in tensors of up to the message
      // size: a HeadRankingOverlap of two 6M-score tensors ran 73 s, blocking health, on the event loop.
      perplexity: offload('perplexity'),
      mediationFraction: offload('mediationFraction'),
      summarize: offload('summarize'),
      ablationAuc: ablationAucHandler,
      headRankingOverlap: offload('headRankingOverlap'),
      trainPositionProbe: offload('trainPositionProbe'),
      ...probeSessionHandlers(sessions, limits),
    },
  });
}

/**
 * Starts the metrics service; its probe sessions' temporary files are removed however the process
 * ends, and shutdown also stops its workers.
 */
export async function startMetricsServer(
  config: ServiceConfig,
  logger: Logger,
  options: Omit<MetricsServiceOptions, 'probeSessions'> & { probeSessionLimits?: ProbeSessionLimits } = {},
): Promise<RunningServer> {
  const probeSessions = new ProbeSessionStore(options.probeSessionLimits);
  process.once('exit', () => probeSessions.removeAllSync());
  const pool = new WorkerPool(WORKER_TASKS, options.workers);
  const server = await startServer(config, [metricsService(pool, { ...options, probeSessions })], logger);
  return { ...server, shutdown: () => server.shutdown().finally(() => pool.close()) };
}
