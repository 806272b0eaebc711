// The masks server's whole configuration: the common server settings plus its per-request cost
// limits, each a flag and env var (`locscope serve masks --help` lists them with their defaults)
// parsed by the server kit's limit flags, so a bad value is refused naming its flag.
import { defineLimitFlags, limitFlagSpecs, readLimitFlags, readServiceConfig, type FlagValues, type SERVICE_FLAGS, type ServiceConfig } from '@locscope/server-kit';
import { DEFAULT_MASKS_LIMITS, type MasksLimits } from './limits.ts';

const LIMIT_FLAGS = defineLimitFlags<MasksLimits>()({
  'max-outline-points': { field: 'maxOutlinePoints', env: 'LOCSCOPE_MAX_OUTLINE_POINTS', max: 2 ** 31 - 1, description: 'lattice points of the polygon outlines of one Project/Containerize request' },
  'max-cell-visits': { field: 'maxCellVisits', env: 'LOCSCOPE_MAX_CELL_VISITS', max: Number.MAX_SAFE_INTEGER, description: 'pixel × grid-cell visits of projecting and padding one request' },
  'max-response-bytes': { field: 'maxResponseBytes', env: 'LOCSCOPE_MAX_RESPONSE_BYTES', max: 2 ** 31 - 1, description: 'predicted bytes of one Project/Containerize response' },
});

export const MASKS_FLAGS = limitFlagSpecs(LIMIT_FLAGS, DEFAULT_MASKS_LIMITS);

export interface MasksServerConfig extends ServiceConfig {
  limits: MasksLimits;
}

/** Flags, then env, then named defaults. */
export function readMasksServerConfig(values: FlagValues<typeof SERVICE_FLAGS> & FlagValues<typeof MASKS_FLAGS>, env: NodeJS.ProcessEnv, defaultPort: number): MasksServerConfig {
  return { ...readServiceConfig(values, env, defaultPort), limits: readLimitFlags(LIMIT_FLAGS, DEFAULT_MASKS_LIMITS, values, env) };
}
