// Starts the metrics service alone: `tsx services/metrics/src/main.ts [--port N] [--host H]`
// (flags of readServiceConfig, or LOCSCOPE_PORT / LOCSCOPE_HOST …, and the request limits of
// server/limits.ts).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { readMetricsLimits } from './server/limits.ts';
import { DEFAULT_METRICS_PORT, METRICS_SERVICE_NAME, startMetricsServer } from './server/metrics-service.ts';

const logger = createLogger({ fields: { service: METRICS_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-metrics' });
const argv = process.argv.slice(2);
const server = await startMetricsServer(readServiceConfig(argv, process.env, DEFAULT_METRICS_PORT), logger, { limits: readMetricsLimits(argv) });
shutdownOnSignals([server], logger);
