// How `run`, `worker` and `status` reach NATS: the URL, TLS and one credential, parsed once from
// flags and LOCSCOPE_NATS_* env (a flag wins over its env variable). Every secret can come from env
// or a file, so a manifest never has to put one on a command line.
import { UsageError } from '@locscope/server-kit';
import { accessSync, constants } from 'node:fs';

/** parseArgs options of the NATS client flags, spread into each command's own. */
export const NATS_CLIENT_FLAGS = {
  nats: { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-password': { type: 'string' },
  'nats-token': { type: 'string' },
  'nats-nkey-seed-file': { type: 'string' },
  'nats-tls-ca': { type: 'string' },
  'nats-tls-cert': { type: 'string' },
  'nats-tls-key': { type: 'string' },
} as const;

export type NatsClientFlags = Partial<Record<keyof typeof NATS_CLIENT_FLAGS, string>>;

/** The one credential a client presents; files are re-read on every (re)connect, so rotation needs no restart. */
export type NatsAuth =
  | { kind: 'creds'; file: string }
  | { kind: 'user'; user: string; password: string }
  | { kind: 'token'; token: string }
  | { kind: 'nkey'; seedFile: string };

export interface NatsTls {
  /** CA bundle that verifies the server (default: the system roots). */
  caFile?: string;
  /** Client certificate and key, for a server that requires mutual TLS. */
  certFile?: string;
  keyFile?: string;
}

export interface NatsClientConfig {
  url: string;
  auth?: NatsAuth;
  /** Set: the connection must be TLS. */
  tls?: NatsTls;
}

const ENV: Record<Exclude<keyof typeof NATS_CLIENT_FLAGS, 'nats'>, string> = {
  'nats-creds': 'LOCSCOPE_NATS_CREDS',
  'nats-user': 'LOCSCOPE_NATS_USER',
  'nats-password': 'LOCSCOPE_NATS_PASSWORD',
  'nats-token': 'LOCSCOPE_NATS_TOKEN',
  'nats-nkey-seed-file': 'LOCSCOPE_NATS_NKEY_SEED_FILE',
  'nats-tls-ca': 'LOCSCOPE_NATS_TLS_CA',
  'nats-tls-cert': 'LOCSCOPE_NATS_TLS_CERT',
  'nats-tls-key': 'LOCSCOPE_NATS_TLS_KEY',
};

/**
 * The client config, or undefined when neither `--nats` nor LOCSCOPE_NATS_URL names a server (the
 * embedded mode). Contradictions (two credentials, a user without a password, a certificate without
 * its key) and unreadable files are usage errors naming the flag.
 */
export function natsClientConfig(flags: NatsClientFlags, env: NodeJS.ProcessEnv = process.env): NatsClientConfig | undefined {
  const url = flags.nats ?? (env.LOCSCOPE_NATS_URL || undefined);
  const value = (name: keyof typeof ENV) => flags[name] ?? (env[ENV[name]] || undefined);
  if (!url) {
    const stray = (Object.keys(ENV) as (keyof typeof ENV)[]).find((name) => flags[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --nats URL (or LOCSCOPE_NATS_URL)`);
    return undefined;
  }
  return { url, ...authOf(value), ...tlsOf(value, /^tls:\/\//i.test(url)) };
}

function authOf(value: (name: keyof typeof ENV) => string | undefined): { auth?: NatsAuth } {
  const user = value('nats-user');
  const password = value('nats-password');
  if ((user === undefined) !== (password === undefined)) {
    throw new UsageError(`--nats-user and --nats-password (${ENV['nats-user']}, ${ENV['nats-password']}) go together; got only ${user ? 'the user' : 'the password'}`);
  }
  const given: NatsAuth[] = [];
  const creds = value('nats-creds');
  if (creds) given.push({ kind: 'creds', file: readable('nats-creds', creds) });
  if (user !== undefined && password !== undefined) given.push({ kind: 'user', user, password });
  const token = value('nats-token');
  if (token) given.push({ kind: 'token', token });
  const seed = value('nats-nkey-seed-file');
  if (seed) given.push({ kind: 'nkey', seedFile: readable('nats-nkey-seed-file', seed) });
  if (given.length > 1) {
    throw new UsageError(`give one NATS credential, got ${given.map((a) => a.kind).join(' + ')} (--nats-creds, --nats-user/--nats-password, --nats-token, --nats-nkey-seed-file or their LOCSCOPE_NATS_* env)`);
  }
  return given.length === 1 ? { auth: given[0] } : {};
}

/** `required`: a `tls://` URL, which nats.js alone would not hold to TLS. */
function tlsOf(value: (name: keyof typeof ENV) => string | undefined, required: boolean): { tls?: NatsTls } {
  const ca = value('nats-tls-ca');
  const cert = value('nats-tls-cert');
  const key = value('nats-tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--nats-tls-cert and --nats-tls-key (LOCSCOPE_NATS_TLS_CERT, LOCSCOPE_NATS_TLS_KEY) go together');
  if (ca === undefined && cert === undefined) return required ? { tls: {} } : {};
  return {
    tls: {
      ...(ca !== undefined && { caFile: readable('nats-tls-ca', ca) }),
      ...(cert !== undefined && key !== undefined && { certFile: readable('nats-tls-cert', cert), keyFile: readable('nats-tls-key', key) }),
    },
  };
}

/** Checked at start so a typo is a usage error, not a reconnect loop. */
function readable(flag: keyof typeof ENV, file: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`--${flag} (${ENV[flag]}): cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return file;
}
