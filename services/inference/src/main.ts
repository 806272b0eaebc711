// Starts locscope.v1.Inference alone: `tsx services/inference/src/main.ts [--port P] [--models FILE]`
// (or `locscope serve inference`). Models come from --models (YAML/JSON) or LOCSCOPE_MODELS,
// else the shipped demo models.
import { parseArgs } from 'node:util';
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals } from '@locscope/server-kit';
import { demoModelEntries, readModelsFile } from './service/model-registry.ts';
import { startInferenceServer } from './service/inference-service.ts';

export const DEFAULT_INFERENCE_PORT = 50051;

const argv = process.argv.slice(2);
const { values } = parseArgs({ args: argv, strict: false, options: { models: { type: 'string' } } });
const modelsFile = typeof values.models === 'string' ? values.models : process.env.LOCSCOPE_MODELS;
const logger = createLogger({ fields: { service: 'inference' } });
setupTelemetry({ serviceName: 'locscope-inference' });
const { server } = await startInferenceServer(
  readServiceConfig(argv, process.env, DEFAULT_INFERENCE_PORT),
  { models: modelsFile ? readModelsFile(modelsFile) : demoModelEntries() },
  logger,
);
shutdownOnSignals([server], logger);
