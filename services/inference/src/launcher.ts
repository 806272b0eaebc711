// How the inference service is started by its main.ts, `locscope serve` and the orchestrator's
// in-process inference. The server module is imported on start so that reading the flags (and
// `--help`) loads no onnxruntime.
import type { ServiceLauncher } from '@locscope/server-kit';
import { INFERENCE_FLAGS, loadOptionsFor, readInferenceServerConfig, type InferenceServerConfig } from './server/server-config.ts';

export { INFERENCE_FLAGS };

/** The inference service's port when none is configured. */
export const DEFAULT_INFERENCE_PORT = 50051;

export const inferenceLauncher: ServiceLauncher<InferenceServerConfig, typeof INFERENCE_FLAGS> = {
  name: 'inference',
  defaultPort: DEFAULT_INFERENCE_PORT,
  flags: INFERENCE_FLAGS,
  readConfig: readInferenceServerConfig,
  start: async (config, logger) => {
    const { startInferenceServer } = await import('./server/inference-service.ts');
    const started = await startInferenceServer(config, { models: config.models, limits: config.limits, storedRuns: config.storedRuns, load: (entry) => loadOptionsFor(config, entry) }, logger);
    return started.server;
  },
};
