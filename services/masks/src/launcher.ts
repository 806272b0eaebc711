// How the masks service is started by its main.ts, `locscope serve` and the orchestrator. The server
// module is imported on start so that reading the flags loads none of the service's code.
import { readServiceConfig, type ServiceLauncher } from '@locscope/server-kit';

/** The masks service's port when none is configured. */
export const DEFAULT_MASKS_PORT = 50052;

export const masksLauncher: ServiceLauncher = {
  name: 'masks',
  defaultPort: DEFAULT_MASKS_PORT,
  flags: {},
  readConfig: readServiceConfig,
  start: async (config, logger) => (await import('./server/service.ts')).startMasksServer(config, { logger }),
};
