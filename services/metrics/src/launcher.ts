// How the metrics service is started by its main.ts, `locscope serve` and the orchestrator. The
// server module is imported on start so that reading the flags loads none of the service's code.
import type { ServiceLauncher } from '@locscope/server-kit';
import { METRICS_FLAGS, readMetricsServerConfig, type MetricsServerConfig } from './server/server-config.ts';

/** The metrics service's port when none is configured. */
export const DEFAULT_METRICS_PORT = 50053;

export const metricsLauncher: ServiceLauncher<MetricsServerConfig, typeof METRICS_FLAGS> = {
  name: 'metrics',
  defaultPort: DEFAULT_METRICS_PORT,
  flags: METRICS_FLAGS,
  readConfig: readMetricsServerConfig,
  start: async (config, logger) =>
    (await import('./server/metrics-service.ts')).startMetricsServer(config, logger, { limits: config.limits, probeSessionLimits: config.probeSessions }),
};
