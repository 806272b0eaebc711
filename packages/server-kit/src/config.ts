// Service configuration from flags and environment: flags win over env, env over named defaults.
import { parseArgs } from 'node:util';
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
  /**
   * A second, plaintext port serving only grpc.health.v1 (for the kubelet's probes, which cannot
   * speak TLS); unset by default: health is then served on `port` only. 0 picks a free port.
   */
  healthPort?: number;
}

/**
 * Reads `--host/--port/--max-message-bytes/--shutdown-grace-ms/--health-port` (or LOCSCOPE_HOST,
 * LOCSCOPE_PORT, LOCSCOPE_MAX_MESSAGE_BYTES, LOCSCOPE_SHUTDOWN_GRACE_MS, LOCSCOPE_HEALTH_PORT).
 * Unknown flags are left for the caller.
 */
export function readServiceConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, defaultPort = 0): ServiceConfig {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'shutdown-grace-ms': { type: 'string' },
      'health-port': { type: 'string' },
    },
  });
  const healthPort = stringOption(values['health-port'], env.LOCSCOPE_HEALTH_PORT);
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
    ...(healthPort === undefined ? {} : { healthPort: intOption('health-port', healthPort, 0, 0, 65535) }),
  };
}

function stringOption(flag: unknown, env: string | undefined): string | undefined {
  if (typeof flag === 'string') return flag;
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
