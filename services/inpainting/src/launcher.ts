// How the inpainting service is started by its main.ts, `locscope serve` and the orchestrator. The
// server module is imported on start so that reading the flags loads neither OpenCV nor onnxruntime.
import { readServiceConfig, type ServiceConfig, type ServiceLauncher } from '@locscope/server-kit';
import { LEARNED_FLAGS, readLearnedConfig, type OnnxInpainterOptions } from './learned/config.ts';

/** The inpainting service's port when none is configured. */
export const DEFAULT_INPAINTING_PORT = 50054;

export interface InpaintingServerConfig extends ServiceConfig {
  /** The learned backend; undefined serves the classical methods only. */
  learned: OnnxInpainterOptions | undefined;
}

export const inpaintingLauncher: ServiceLauncher<InpaintingServerConfig, typeof LEARNED_FLAGS> = {
  name: 'inpainting',
  defaultPort: DEFAULT_INPAINTING_PORT,
  flags: LEARNED_FLAGS,
  readConfig: (values, env, defaultPort) => ({ ...readServiceConfig(values, env, defaultPort), learned: readLearnedConfig(values, env) }),
  start: async (config, logger) => {
    const started = await (await import('./server/start.ts')).startInpaintingServer(config, config.learned, logger);
    // Shutting down also releases the learned model's onnxruntime session.
    return { ...started.server, shutdown: started.shutdown };
  },
};
