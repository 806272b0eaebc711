// Starts locscope.v1.Inpainting on its own server: loads the learned backend first when one is
// configured (a bad model file stops the start rather than failing every ONNX request later).
import { startServer, WorkerPool, type Logger, type RunningServer, type ServiceConfig, type WorkerPoolOptions } from '@locscope/server-kit';
import type { OnnxInpainterOptions } from '../learned/config.ts';
import { INPAINTING_WORKER_TASKS, inpaintingService } from './service.ts';

export interface StartedInpainting {
  server: RunningServer;
  /** Stops the server (draining calls), then its worker threads and the ONNX session. */
  shutdown(): Promise<void>;
}

export async function startInpaintingServer(
  config: ServiceConfig,
  learnedOptions: OnnxInpainterOptions | undefined,
  logger: Logger,
  workers?: WorkerPoolOptions,
): Promise<StartedInpainting> {
  // onnxruntime is loaded only when a model is configured.
  const learned = learnedOptions
    ? await (await import('../learned/onnx-inpainter.ts')).OnnxInpainter.load(learnedOptions)
    : undefined;
  if (learned) logger.info('learned inpainting model loaded', { model: learned.modelPath, ...learned.signature });
  const pool = new WorkerPool(INPAINTING_WORKER_TASKS, workers);
  const server = await startServer(config, [inpaintingService(pool, { learned })], logger);
  return {
    server,
    shutdown: async () => {
      await server.shutdown();
      await Promise.all([pool.close(), learned?.dispose()]);
    },
  };
}
