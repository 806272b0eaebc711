// Starts the metrics service alone: `tsx services/metrics/src/main.ts [--port N] [--host H]`
// (flags of readServiceConfig, or LOCSCOPE_PORT / LOCSCOPE_HOST …).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals, startServer } from '@locscope/server-kit';
import { DEFAULT_METRICS_PORT, METRICS_SERVICE_NAME, metricsService } from './server/metrics-service.ts';
import { ProbeSessionStore } from './server/probe-sessions.ts';

const logger = createLogger({ fields: { service: METRICS_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-metrics' });
const config = readServiceConfig(process.argv.slice(2), process.env, DEFAULT_METRICS_PORT);
const probeSessions = new ProbeSessionStore();
// Probe sessions spill to temporary files; remove them however the process ends.
process.once('exit', () => probeSessions.removeAllSync());
const server = await startServer(config, [metricsService({ probeSessions })], logger);
shutdownOnSignals([server], logger);
