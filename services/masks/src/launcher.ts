// How the masks service is started by its main.ts, `locscope serve` and the orchestrator. The server
// module is imported on start so that reading the flags loads none of the service's code.
import type { ServiceLauncher } from '@locscope/server-kit';
import { MASKS_FLAGS, readMasksServerConfig, type MasksServerConfig } from './server/server-config.ts';

/** The masks service's port when none is configured. */
export const DEFAULT_MASKS_PORT = 50052;

export const masksLauncher: ServiceLauncher<MasksServerConfig, typeof MASKS_FLAGS> = {
  name: 'masks',
  defaultPort: DEFAULT_MASKS_PORT,
  flags: MASKS_FLAGS,
  readConfig: readMasksServerConfig,
  start: async (config, logger) => (await import('./server/service.ts')).startMasksServer(config, { logger, limits: config.limits }),
};
