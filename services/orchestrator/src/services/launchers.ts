// How the orchestrator starts the four services in-process (embedded runs, `locscope serve`),
// through each service package's public index. Imports are dynamic so that a command touching
// one service never loads another's native dependencies (onnxruntime, OpenCV).
import type { Logger, RunningServer, ServiceConfig } from '@locscope/server-kit';
import { NotWiredError } from '../errors.ts';

export const SERVICE_NAMES = ['masks', 'inference', 'inpainting', 'metrics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface StartOptions {
  logger: Logger;
  /** The service's flags (common ones included; each service reads only its own, e.g. inference's `--models FILE`). */
  argv: string[];
}

export type StartServer = (config: ServiceConfig, options: StartOptions) => Promise<RunningServer>;

interface Launcher {
  /** Port when neither `--port` nor LOCSCOPE_PORT is given (each service's documented default). */
  defaultPort: number;
  start: StartServer;
}

const launchers: Record<ServiceName, Launcher> = {
  masks: {
    defaultPort: 50052,
    start: async (config, { logger, argv }) => {
      const { readMasksLimits, startMasksServer } = await import('@locscope/masks');
      return startMasksServer(config, { logger, limits: readMasksLimits(argv) });
    },
  },
  inference: {
    defaultPort: 50051,
    start: async (config, { logger, argv }) => {
      const { modelEntriesFromArgs, startInferenceServer } = await import('@locscope/inference');
      const started = await startInferenceServer(config, { models: modelEntriesFromArgs(argv) }, logger);
      return started.server;
    },
  },
  inpainting: {
    defaultPort: 50054,
    start: async (config, { logger, argv }) => {
      const { readLearnedConfig, startInpaintingServer } = await import('@locscope/inpainting');
      const started = await startInpaintingServer(config, readLearnedConfig(argv), logger);
      // Shutting down also releases the learned model's onnxruntime session.
      return { ...started.server, shutdown: started.shutdown };
    },
  },
  metrics: {
    defaultPort: 50053,
    start: async (config, { logger, argv }) => {
      const { readMetricsLimits, startMetricsServer } = await import('@locscope/metrics');
      return startMetricsServer(config, logger, { limits: readMetricsLimits(argv) });
    },
  },
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export function defaultPort(name: ServiceName): number {
  return launchers[name].defaultPort;
}

export async function startService(name: ServiceName, config: ServiceConfig, options: StartOptions): Promise<RunningServer> {
  try {
    return await launchers[name].start(config, options);
  } catch (error) {
    if (error instanceof NotWiredError) throw error;
    throw new NotWiredError(`service ${name} failed to start: ${(error as Error).message}`, { cause: error });
  }
}
