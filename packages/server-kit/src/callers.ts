// Who may call a server and what each caller may do: the `--auth-tokens FILE` (YAML or JSON,
// `{"callers": [{"name", "tokenSha256", "models", "maxVariants", "maxIgSteps", "maxSequence",
// "maxConcurrent", "requestsPerMinute"}]}`). The file holds the SHA-256 of each bearer token, never a
// token, so reading it does not let anyone call the server. A missing limit means the server's own.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { InvalidArgumentError, UnauthenticatedError } from './errors.ts';

/** What one caller may do beyond the server's own limits. */
export interface CallerRights {
  /** Model names it may use; undefined = every model. */
  models?: string[];
  maxVariants?: number;
  maxIgSteps?: number;
  maxSequence?: number;
  maxConcurrent?: number;
  requestsPerMinute?: number;
}

export interface CallerEntry extends CallerRights {
  name: string;
  tokenSha256: Buffer;
}

/** The authenticated party of one call. */
export interface Caller {
  /** The token's caller name, else the client certificate's subject, else `anonymous`. */
  name: string;
  /** The verified client certificate's subject (mTLS), whatever authenticated the call. */
  certificate?: string;
  rights: CallerRights;
}

const LIMIT_FIELDS = ['maxVariants', 'maxIgSteps', 'maxSequence', 'maxConcurrent', 'requestsPerMinute'] as const;

/** Reads and checks a callers file; errors name the file and the entry's field. */
export function readCallersFile(file: string): CallerEntry[] {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(error as Error).message}`, { field: 'auth-tokens', cause: error });
  }
  const list = (parsed as { callers?: unknown })?.callers;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${file} needs a "callers" list`, { field: 'auth-tokens' });
  const names = new Set<string>();
  return list.map((raw: Record<string, unknown>, i) => {
    const at = (field: string) => ({ field: `${file}: callers[${i}].${field}` });
    if (typeof raw?.name !== 'string' || !/^[\w.@:-]+$/.test(raw.name)) {
      throw new InvalidArgumentError("must be a word of letters, digits, '.', '_', '@', ':' or '-'", at('name'));
    }
    if (names.has(raw.name)) throw new InvalidArgumentError(`duplicate caller "${raw.name}"`, at('name'));
    names.add(raw.name);
    if (typeof raw.tokenSha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(raw.tokenSha256)) {
      throw new InvalidArgumentError('must be the 64 hex digits of the token\'s SHA-256', at('tokenSha256'));
    }
    const entry: CallerEntry = { name: raw.name, tokenSha256: Buffer.from(raw.tokenSha256, 'hex') };
    if (raw.models !== undefined) {
      if (!Array.isArray(raw.models) || !raw.models.every((m) => typeof m === 'string')) {
        throw new InvalidArgumentError('must be a list of model names', at('models'));
      }
      entry.models = raw.models as string[];
    }
    for (const field of LIMIT_FIELDS) {
      const value = raw[field];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError('must be an integer ≥ 1', at(field));
      entry[field] = value;
    }
    return entry;
  });
}

/** The hex SHA-256 of a token, as the callers file stores it. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The caller of a call from its `authorization: Bearer …` header and its verified client certificate.
 * With callers configured, a call without a known token is UNAUTHENTICATED; every entry is compared
 * (constant time, no early exit) so the time taken does not tell which prefix matched.
 */
export function identifyCaller(callers: CallerEntry[] | undefined, authorization: string | undefined, certificate: PeerCertificate | undefined): Caller {
  const subject = certificate ? certificateIdentity(certificate) : undefined;
  const withCertificate = subject ? { certificate: subject } : {};
  if (!callers) return { name: subject ?? 'anonymous', rights: {}, ...withCertificate };
  if (!authorization) throw new UnauthenticatedError('missing "authorization: Bearer <token>" metadata');
  const match = /^Bearer (\S+)$/i.exec(authorization.trim());
  if (!match) throw new UnauthenticatedError('authorization metadata must be "Bearer <token>"');
  const presented = createHash('sha256').update(match[1], 'utf8').digest();
  let found: CallerEntry | undefined;
  for (const entry of callers) {
    if (timingSafeEqual(entry.tokenSha256, presented)) found ??= entry;
  }
  if (!found) throw new UnauthenticatedError('invalid bearer token');
  const { name, tokenSha256: _hash, ...rights } = found;
  return { name, rights, ...withCertificate };
}

/** A certificate's identity: its subject CN, else its first subject alternative name. */
export function certificateIdentity(certificate: PeerCertificate): string | undefined {
  const cn = certificate.subject?.CN;
  if (typeof cn === 'string' && cn !== '') return cn;
  if (Array.isArray(cn) && cn.length > 0) return cn[0];
  const san = certificate.subjectaltname?.split(',')[0]?.trim();
  return san ? san.replace(/^[A-Za-z ]+:/, '') : undefined;
}
