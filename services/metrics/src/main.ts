// Starts the metrics service alone: `tsx services/metrics/src/main.ts [--port N] [--host H]`
// (flags of readServiceConfig, or LOCSCOPE_PORT / LOCSCOPE_HOST …).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { DEFAULT_METRICS_PORT, METRICS_SERVICE_NAME, startMetricsServer } from './server/metrics-service.ts';

const logger = createLogger({ fields: { service: METRICS_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-metrics' });
const server = await startMetricsServer(readServiceConfig(process.argv.slice(2), process.env, DEFAULT_METRICS_PORT), logger);
shutdownOnSignals([server], logger);
