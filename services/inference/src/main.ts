// Starts locscope.v1.Inference alone: `tsx services/inference/src/main.ts [--port P] [--models FILE]`
// (or `locscope serve inference`). Models come from --models (YAML/JSON) or LOCSCOPE_MODELS,
// else the shipped demo models.
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { modelEntriesFromArgs } from './service/model-registry.ts';
import { DEFAULT_INFERENCE_PORT, startInferenceServer } from './service/inference-service.ts';

const argv = process.argv.slice(2);
const logger = createLogger({ fields: { service: 'inference' } });
setupTelemetry({ serviceName: 'locscope-inference' });
const { server } = await startInferenceServer(readServiceConfig(argv, process.env, DEFAULT_INFERENCE_PORT), { models: modelEntriesFromArgs(argv) }, logger);
shutdownOnSignals([server], logger);
