// Starts the masks service alone: `tsx services/masks/src/main.ts [--port N] [--host H]`
// (flags of readServiceConfig, or LOCSCOPE_PORT / LOCSCOPE_HOST …, and the request limits of
// server/limits.ts).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { readMasksLimits } from './server/limits.ts';
import { DEFAULT_MASKS_PORT, MASKS_SERVICE_NAME, startMasksServer } from './server/service.ts';

const logger = createLogger({ fields: { service: MASKS_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-masks' });
const config = readServiceConfig(process.argv.slice(2), process.env, DEFAULT_MASKS_PORT);
const server = await startMasksServer(config, { logger, limits: readMasksLimits(process.argv.slice(2)) });
shutdownOnSignals([server], logger);
