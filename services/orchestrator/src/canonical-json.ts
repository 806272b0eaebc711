// Canonical JSON: object keys sorted at every depth, so equal values give byte-identical files
// (the resumability contract: a resumed run's aggregates equal an undisturbed run's, byte for byte).
import { configure } from 'safe-stable-stringify';

const stringify = configure({ deterministic: true, bigint: false, circularValue: Error, strict: true });

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Pretty (2-space) canonical JSON with a trailing newline, for files people also read. */
export function canonicalJson(value: unknown): string {
  return stringify(value, null, 2) + '\n';
}

/** Compact canonical JSON, for message payloads and KV values. */
export function compactJson(value: unknown): string {
  return stringify(value) as string;
}
