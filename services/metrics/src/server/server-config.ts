// The metrics server's whole configuration: the common server settings, its per-request cost
// limits and its probe sessions' limits, each a flag and env var (`locscope serve metrics --help`
// lists them with their defaults) parsed by the server kit's limit flags, so a bad value is
// refused naming its flag.
import { defineLimitFlags, limitFlagSpecs, readLimitFlags, readServiceConfig, type FlagValues, type SERVICE_FLAGS, type ServiceConfig } from '@locscope/server-kit';
import { DEFAULT_METRICS_LIMITS, type MetricsLimits } from './limits.ts';
import { DEFAULT_PROBE_SESSION_LIMITS, type ProbeSessionLimits } from './probe-sessions.ts';

const GIB = 1024 ** 3;

const LIMIT_FLAGS = defineLimitFlags<MetricsLimits>()({
  'max-resamples': { field: 'maxResamples', env: 'LOCSCOPE_MAX_RESAMPLES', max: 100_000_000, description: 'bootstrap resamples of one Summarize' },
  'max-bootstrap-draws': { field: 'maxBootstrapDraws', env: 'LOCSCOPE_MAX_BOOTSTRAP_DRAWS', max: Number.MAX_SAFE_INTEGER, description: 'random draws (resamples × values) of one Summarize' },
  'max-probe-dim': { field: 'maxProbeDim', env: 'LOCSCOPE_MAX_PROBE_DIM', max: 1_048_576, description: 'feature width of a position probe' },
  'max-probe-grid-cells': { field: 'maxProbeGridCells', env: 'LOCSCOPE_MAX_PROBE_GRID_CELLS', max: 16_777_216, description: 'grid positions (rows × cols) of a position probe' },
  'max-probe-training-bytes': { field: 'maxProbeTrainingBytes', env: 'LOCSCOPE_MAX_PROBE_TRAINING_BYTES', max: 1024 * GIB, description: "bytes of one probe's training state" },
  'max-probe-epochs': { field: 'maxProbeEpochs', env: 'LOCSCOPE_MAX_PROBE_EPOCHS', max: 1_000_000, description: 'passes over the data of one probe training call' },
});

type ProbeSessionSettings = Required<Omit<ProbeSessionLimits, 'directory'>>;

const PROBE_SESSION_FLAGS = defineLimitFlags<ProbeSessionSettings>()({
  'max-probe-sessions': { field: 'maxSessions', env: 'LOCSCOPE_MAX_PROBE_SESSIONS', max: 100_000, description: 'probe sessions open at once' },
  'max-probe-sessions-per-caller': { field: 'maxSessionsPerOwner', env: 'LOCSCOPE_MAX_PROBE_SESSIONS_PER_CALLER', max: 100_000, description: 'probe sessions one caller may hold' },
  'max-probe-session-bytes': { field: 'maxSessionBytes', env: 'LOCSCOPE_MAX_PROBE_SESSION_BYTES', max: 1024 * GIB, description: 'bytes one probe session spills to disk' },
  'max-probe-sessions-bytes': { field: 'maxTotalBytes', env: 'LOCSCOPE_MAX_PROBE_SESSIONS_BYTES', max: 1024 * GIB, description: 'bytes all probe sessions spill together (keep under the temp volume)' },
  'probe-session-ttl-ms': { field: 'ttlMs', env: 'LOCSCOPE_PROBE_SESSION_TTL_MS', max: 7 * 24 * 3600 * 1000, description: 'a probe session unused this long is removed' },
});

export const METRICS_FLAGS = { ...limitFlagSpecs(LIMIT_FLAGS, DEFAULT_METRICS_LIMITS), ...limitFlagSpecs(PROBE_SESSION_FLAGS, DEFAULT_PROBE_SESSION_LIMITS) };

export interface MetricsServerConfig extends ServiceConfig {
  limits: MetricsLimits;
  probeSessions: ProbeSessionSettings;
}

/** Flags, then env, then named defaults. */
export function readMetricsServerConfig(values: FlagValues<typeof SERVICE_FLAGS> & FlagValues<typeof METRICS_FLAGS>, env: NodeJS.ProcessEnv, defaultPort: number): MetricsServerConfig {
  return {
    ...readServiceConfig(values, env, defaultPort),
    limits: readLimitFlags(LIMIT_FLAGS, DEFAULT_METRICS_LIMITS, values, env),
    probeSessions: readLimitFlags(PROBE_SESSION_FLAGS, DEFAULT_PROBE_SESSION_LIMITS, values, env),
  };
}
