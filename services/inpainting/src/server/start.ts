// Starts locscope.v1.Inpainting on its own server: loads the learned backend first when one is
// configured (a bad model file stops the start rather than failing every ONNX request later).
import { startServer, type Logger, type RunningServer, type ServiceConfig } from '@locscope/server-kit';
import type { OnnxInpainterOptions } from '../learned/config.ts';
import { inpaintingService } from './service.ts';

export interface StartedInpainting {
  server: RunningServer;
  /** Stops the server (draining calls), then releases the ONNX session. */
  shutdown(): Promise<void>;
}

export async function startInpaintingServer(
  config: ServiceConfig,
  learnedOptions: OnnxInpainterOptions | undefined,
  logger: Logger,
): Promise<StartedInpainting> {
  // onnxruntime is loaded only when a model is configured.
  const learned = learnedOptions
    ? await (await import('../learned/onnx-inpainter.ts')).OnnxInpainter.load(learnedOptions)
    : undefined;
  if (learned) logger.info('learned inpainting model loaded', { model: learned.modelPath, ...learned.signature });
  const server = await startServer(config, [inpaintingService({ learned })], logger);
  return {
    server,
    shutdown: async () => {
      await server.shutdown();
      await learned?.dispose();
    },
  };
}
