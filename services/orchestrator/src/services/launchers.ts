// How the orchestrator starts the four services in-process (embedded runs, `locscope serve`).
// Each service exports `start<Name>Server(config, options)` from its package's public index; the
// lookup is by name at run time, so a service whose server is not written yet fails with a clear
// "not wired" error instead of breaking every command at import time.
import type { Logger, RunningServer, ServiceConfig } from '@locscope/server-kit';
import { NotWiredError } from '../errors.ts';

export const SERVICE_NAMES = ['masks', 'inference', 'inpainting', 'metrics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface StartOptions {
  logger: Logger;
  /** Service-specific flags left after the common ones (e.g. inference's `--models FILE`). */
  argv: string[];
}

/** The seam every service implements. */
export type StartServer = (config: ServiceConfig, options: StartOptions) => Promise<RunningServer>;

interface Launcher {
  module: string;
  exportName: string;
}

const launchers: Record<ServiceName, Launcher> = {
  masks: { module: '@locscope/masks', exportName: 'startMasksServer' },
  inference: { module: '@locscope/inference', exportName: 'startInferenceServer' },
  inpainting: { module: '@locscope/inpainting', exportName: 'startInpaintingServer' },
  metrics: { module: '@locscope/metrics', exportName: 'startMetricsServer' },
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export async function loadStarter(name: ServiceName): Promise<StartServer> {
  const { module, exportName } = launchers[name];
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(module)) as Record<string, unknown>;
  } catch (error) {
    throw new NotWiredError(`service ${name}: cannot load ${module}: ${(error as Error).message}`, { cause: error });
  }
  const start = loaded[exportName];
  if (typeof start !== 'function') {
    throw new NotWiredError(`service ${name}: ${module} does not export ${exportName} yet`);
  }
  return start as StartServer;
}

export async function startService(name: ServiceName, config: ServiceConfig, options: StartOptions): Promise<RunningServer> {
  const start = await loadStarter(name);
  return start(config, options);
}
