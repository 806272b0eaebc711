// How `run`, `worker` and `status` reach NATS: the URL, TLS and one credential, parsed once from
// flags and LOCSCOPE_NATS_* env (a flag wins over its env variable). Every secret can come from env
// or a file, so a manifest never has to put one on a command line.
import { defineFlags, UsageError, type FlagValues } from '@locscope/server-kit';
import { accessSync, constants } from 'node:fs';

/** The NATS client flags, spread into each command's own; each falls back to its env variable. */
export const NATS_CLIENT_FLAGS = defineFlags({
  nats: { type: 'string', value: 'URL', description: 'NATS server (JetStream) to run through', env: 'LOCSCOPE_NATS_URL' },
  'nats-tls-ca': { type: 'string', value: 'FILE', description: "CA verifying the NATS server's certificate (any NATS TLS setting requires TLS)", env: 'LOCSCOPE_NATS_TLS_CA' },
  'nats-tls-cert': { type: 'string', value: 'FILE', description: 'client certificate for a NATS server that verifies clients', env: 'LOCSCOPE_NATS_TLS_CERT' },
  'nats-tls-key': { type: 'string', value: 'FILE', description: "the NATS client certificate's key", env: 'LOCSCOPE_NATS_TLS_KEY' },
  'nats-creds': { type: 'string', value: 'FILE', description: 'NATS .creds file (JWT and NKey seed)', env: 'LOCSCOPE_NATS_CREDS' },
  'nats-user': { type: 'string', value: 'USER', description: 'NATS user (with --nats-password)', env: 'LOCSCOPE_NATS_USER' },
  'nats-password': { type: 'string', value: 'PASSWORD', description: 'NATS password (prefer the env variable)', env: 'LOCSCOPE_NATS_PASSWORD' },
  'nats-token': { type: 'string', value: 'TOKEN', description: 'NATS token (prefer the env variable)', env: 'LOCSCOPE_NATS_TOKEN' },
  'nats-nkey-seed-file': { type: 'string', value: 'FILE', description: 'NATS NKey seed file', env: 'LOCSCOPE_NATS_NKEY_SEED_FILE' },
});

export type NatsClientFlags = FlagValues<typeof NATS_CLIENT_FLAGS>;

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

type SecurityFlag = Exclude<keyof typeof NATS_CLIENT_FLAGS, 'nats'>;
const env = (name: SecurityFlag) => NATS_CLIENT_FLAGS[name].env;

/**
 * The client config, or undefined when neither `--nats` nor LOCSCOPE_NATS_URL names a server (the
 * embedded mode). Contradictions (two credentials, a user without a password, a certificate without
 * its key) and unreadable files are usage errors naming the flag.
 */
export function natsClientConfig(flags: NatsClientFlags, environment: NodeJS.ProcessEnv = process.env): NatsClientConfig | undefined {
  const url = flags.nats ?? (environment[NATS_CLIENT_FLAGS.nats.env] || undefined);
  const value = (name: SecurityFlag) => flags[name] ?? (environment[env(name)] || undefined);
  if (!url) {
    const stray = (Object.keys(NATS_CLIENT_FLAGS) as (keyof typeof NATS_CLIENT_FLAGS)[]).find((name) => name !== 'nats' && flags[name] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs --nats URL (or LOCSCOPE_NATS_URL)`);
    return undefined;
  }
  return { url, ...authOf(value), ...tlsOf(value, /^tls:\/\//i.test(url)) };
}

function authOf(value: (name: SecurityFlag) => string | undefined): { auth?: NatsAuth } {
  const user = value('nats-user');
  const password = value('nats-password');
  if ((user === undefined) !== (password === undefined)) {
    throw new UsageError(`--nats-user and --nats-password (${env('nats-user')}, ${env('nats-password')}) go together; got only ${user ? 'the user' : 'the password'}`);
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
function tlsOf(value: (name: SecurityFlag) => string | undefined, required: boolean): { tls?: NatsTls } {
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
function readable(flag: SecurityFlag, file: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw new UsageError(`--${flag} (${env(flag)}): cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return file;
}
