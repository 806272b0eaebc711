// Starts the inpainting service alone: `tsx services/inpainting/src/main.ts [--port N]
// [--model FILE.onnx …]` (flags of readServiceConfig and readLearnedConfig, or their env vars).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { readLearnedConfig } from './learned/config.ts';
import { DEFAULT_INPAINTING_PORT, INPAINTING_SERVICE_NAME } from './server/service.ts';
import { startInpaintingServer } from './server/start.ts';

const argv = process.argv.slice(2);
const logger = createLogger({ fields: { service: INPAINTING_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-inpainting' });
const started = await startInpaintingServer(readServiceConfig(argv, process.env, DEFAULT_INPAINTING_PORT), readLearnedConfig(argv), logger);
// The process exits after draining, which also frees the ONNX session.
shutdownOnSignals([started.server], logger);
