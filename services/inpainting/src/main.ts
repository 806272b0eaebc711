// Starts the inpainting service alone: `tsx services/inpainting/src/main.ts [--port N]
// [--model FILE.onnx …]` (flags of readServiceConfig and readLearnedConfig, or their env vars).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals, startServer } from '@locscope/server-kit';
import { readLearnedConfig } from './learned/config.ts';
import { OnnxInpainter } from './learned/onnx-inpainter.ts';
import { DEFAULT_INPAINTING_PORT, INPAINTING_SERVICE_NAME, inpaintingService } from './server/service.ts';

const argv = process.argv.slice(2);
const logger = createLogger({ fields: { service: INPAINTING_SERVICE_NAME } });
setupTelemetry({ serviceName: 'locscope-inpainting' });
const config = readServiceConfig(argv, process.env, DEFAULT_INPAINTING_PORT);
const learnedOptions = readLearnedConfig(argv);
const learned = learnedOptions ? await OnnxInpainter.load(learnedOptions) : undefined;
if (learned) logger.info('learned backend loaded', { model: learned.modelPath, ...learned.signature });
const server = await startServer(config, [inpaintingService({ learned })], logger);
shutdownOnSignals([server], logger);
