// Identity of jobs and records. A job is one sample of one experiment in one run; it yields one
// record per (variant, seed). Keys become file names and NATS KV keys, so every free-form part is
// escaped into the alphabet both accept.
import { InvalidArgumentError } from '@locscope/server-kit';
import { randomBytes } from 'node:crypto';
import type { JsonValue } from './canonical-json.ts';

export interface JobKey {
  run: string;
  experiment: string;
  sample: string;
}

export interface RecordKey extends JobKey {
  variant: string;
  seed: number;
}

/** A record as the store keeps it: its key and the experiment's value for that key. */
export interface SampleRecord<V extends JsonValue = JsonValue> extends RecordKey {
  value: V;
}

const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * Escapes a key part into [A-Za-z0-9_=-]: other UTF-8 bytes become `=XX`. Injective, so distinct
 * sample ids never share a file or KV key, and '.' (the KV token separator) never appears.
 */
export function keyToken(part: string): string {
  if (part.length === 0) throw new InvalidArgumentError('key parts must be non-empty', { field: 'key' });
  let out = '';
  for (const char of part) {
    if (SAFE.test(char)) {
      out += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** Inverse of keyToken. */
export function keyPart(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '=') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `experiment.sample` in tokens: the job's identity within a run. */
export function jobId(key: Omit<JobKey, 'run'>): string {
  return `${keyToken(key.experiment)}.${keyToken(key.sample)}`;
}

/** Total order on records, used wherever records are listed, so aggregates never depend on arrival order. */
export function compareRecordKeys(a: RecordKey, b: RecordKey): number {
  return (
    compareStrings(a.run, b.run) ||
    compareStrings(a.experiment, b.experiment) ||
    compareStrings(a.sample, b.sample) ||
    compareStrings(a.variant, b.variant) ||
    a.seed - b.seed
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Run ids name directories, KV keys and NATS subjects: a conservative alphabet. */
export function isRunId(runId: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(runId);
}

/** `runId` if it is a valid run id (see isRunId), else INVALID_ARGUMENT naming `field`. */
export function checkRunId(runId: string, field = 'run-id'): string {
  if (!isRunId(runId)) {
    throw new InvalidArgumentError(`"${runId}" is not a valid run id (letters, digits, '_' and '-', at most 128)`, { field });
  }
  return runId;
}

/** A fresh run id, `YYYYMMDD-HHMMSS-xxxx` (UTC; the suffix keeps ids started in the same second apart). */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
