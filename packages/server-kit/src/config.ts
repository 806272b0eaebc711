// Service configuration from flags and environment: flags win over env, env over named defaults.
import { isIP } from 'node:net';
import { defineFlags, type FlagValues } from './command.ts';
import { FailedPreconditionError, InvalidArgumentError } from './errors.ts';
import type { ServerTls } from './tls.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface ServiceConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  maxMessageBytes: number;
  shutdownGraceMs: number;
  /** TLS (and mTLS with a client CA); absent = plaintext. */
  tls?: ServerTls;
  /** The callers file (see callers.ts); absent = no authentication. */
  authTokensFile?: string;
  /** Accept listening beyond loopback without TLS and authentication. */
  insecure?: boolean;
  /**
   * A second, plaintext port serving only grpc.health.v1 (for the kubelet's probes, which cannot
   * speak TLS); unset by default: health is then served on `port` only. 0 picks a free port.
   */
  healthPort?: number;
  /** One audit line per call (default true; in-process services of a run, called by it alone, turn it off). */
  audit?: boolean;
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
  'tls-cert': { type: 'string', value: 'FILE', description: 'server certificate chain (PEM); re-read when it changes', env: 'LOCSCOPE_TLS_CERT' },
  'tls-key': { type: 'string', value: 'FILE', description: "the certificate's private key (PEM)", env: 'LOCSCOPE_TLS_KEY' },
  'tls-client-ca': { type: 'string', value: 'FILE', description: 'require client certificates signed by this CA (mTLS)', env: 'LOCSCOPE_TLS_CLIENT_CA' },
  'auth-tokens': { type: 'string', value: 'FILE', description: 'callers file: bearer token hashes, rights and quotas (YAML/JSON)', env: 'LOCSCOPE_AUTH_TOKENS' },
  insecure: { type: 'boolean', description: 'allow a non-loopback address without TLS and --auth-tokens' },
  'health-port': { type: 'string', value: 'P', description: 'also serve grpc.health.v1 alone, in plaintext, on this port (kubelet probes)', env: 'LOCSCOPE_HEALTH_PORT' },
});

/**
 * The server settings from parsed SERVICE_FLAGS, then env, then named defaults. Secure by default: a
 * non-loopback address needs TLS and a callers file, or an explicit --insecure.
 */
export function readServiceConfig(values: FlagValues<typeof SERVICE_FLAGS>, env: NodeJS.ProcessEnv = process.env, defaultPort = 0): ServiceConfig {
  const file = (flag: 'tls-cert' | 'tls-key' | 'tls-client-ca' | 'auth-tokens') => stringOption(values[flag], env[SERVICE_FLAGS[flag].env]);
  const [certFile, keyFile, clientCaFile, authTokensFile] = [file('tls-cert'), file('tls-key'), file('tls-client-ca'), file('auth-tokens')];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new InvalidArgumentError('--tls-cert and --tls-key go together', { field: certFile === undefined ? 'tls-cert' : 'tls-key' });
  }
  if (clientCaFile !== undefined && certFile === undefined) throw new InvalidArgumentError('mTLS needs --tls-cert and --tls-key', { field: 'tls-client-ca' });
  const host = stringOption(values.host, env.LOCSCOPE_HOST) ?? DEFAULT_HOST;
  const tls = certFile && keyFile ? { certFile, keyFile, ...(clientCaFile && { clientCaFile }) } : undefined;
  const insecure = values.insecure ?? false;
  const healthPort = stringOption(values['health-port'], env.LOCSCOPE_HEALTH_PORT);
  if (!isLoopback(host) && !insecure && !(tls && authTokensFile)) {
    const missing = [tls ? '' : '--tls-cert/--tls-key', authTokensFile ? '' : '--auth-tokens'].filter(Boolean).join(' and ');
    throw new FailedPreconditionError(
      `listening on ${host} (beyond loopback) needs ${missing}; give --insecure to serve plaintext, unauthenticated calls there anyway`,
      { field: 'host' },
    );
  }
  return {
    host,
    ...(tls && { tls }),
    ...(authTokensFile && { authTokensFile }),
    insecure,
    ...(healthPort !== undefined && { healthPort: intOption('health-port', healthPort, 0, 0, 65535) }),
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

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) === 6 && (bare === '::1' || /^::ffff:127\./i.test(bare));
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
