// Service configuration from flags and environment: flags win over env, env over named defaults.
import { defineFlags, type FlagValues } from './command.ts';
import { InvalidArgumentError } from './errors.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface ServiceConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxMessageBytes: number;
  shutdownGraceMs: number;
}

/** The flags every gRPC server takes (service-specific ones are added beside them). */
export const SERVICE_FLAGS = defineFlags({
  host: { type: 'string', value: 'H', description: 'address to listen on', default: DEFAULT_HOST, env: 'LOCSCOPE_HOST' },
  port: { type: 'string', value: 'P', description: "port to listen on (0 = any free port)", default: "the service's own", env: 'LOCSCOPE_PORT' },
  'max-message-bytes': {
    type: 'string',
    value: 'N',
    description: 'largest gRPC message received or sent',
    default: String(DEFAULT_MAX_MESSAGE_BYTES),
    env: 'LOCSCOPE_MAX_MESSAGE_BYTES',
  },
  'shutdown-grace-ms': {
    type: 'string',
    value: 'MS',
    description: 'how long in-flight calls may finish after SIGTERM',
    default: String(DEFAULT_SHUTDOWN_GRACE_MS),
    env: 'LOCSCOPE_SHUTDOWN_GRACE_MS',
  },
});

/** The server settings from parsed SERVICE_FLAGS, then env, then named defaults. */
export function readServiceConfig(values: FlagValues<typeof SERVICE_FLAGS>, env: NodeJS.ProcessEnv = process.env, defaultPort = 0): ServiceConfig {
  return {
    host: stringOption(values.host, env.LOCSCOPE_HOST) ?? DEFAULT_HOST,
    port: intOption('port', stringOption(values.port, env.LOCSCOPE_PORT), defaultPort, 0, 65535),
    maxMessageBytes: intOption(
      'max-message-bytes',
      stringOption(values['max-message-bytes'], env.LOCSCOPE_MAX_MESSAGE_BYTES),
      DEFAULT_MAX_MESSAGE_BYTES,
      1024,
      2 ** 31 - 1,
    ),
    shutdownGraceMs: intOption(
      'shutdown-grace-ms',
      stringOption(values['shutdown-grace-ms'], env.LOCSCOPE_SHUTDOWN_GRACE_MS),
      DEFAULT_SHUTDOWN_GRACE_MS,
      0,
      600_000,
    ),
  };
}

/** A flag's value, else its environment variable's (an empty variable counts as unset). */
export function stringOption(flag: string | undefined, env: string | undefined): string | undefined {
  if (flag !== undefined) return flag;
  return env === '' ? undefined : env;
}

/** Parses an integer option within [min, max]; `name` is reported in the error. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got "${raw}"`, { field: name });
  }
  return value;
}
