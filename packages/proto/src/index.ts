// Generated message and service types live under ./gen (import them as '@locscope/proto/v1/<file>').
// This entry point locates the .proto sources (proto-loader in tests) and holds the descriptor set
// servers answer reflection from.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory holding `locscope/v1/*.proto` (the include root for proto-loader). */
export const protoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../proto');

/** Path of one locscope.v1 proto file, e.g. `protoFile('masks')`. */
export function protoFile(name: string): string {
  return join(protoRoot, 'locscope/v1', `${name}.proto`);
}

/**
 * FileDescriptorSet of every API file under its real name, imports included (written by
 * `npm run proto`, checked by `npm run proto:check`).
 */
export const apiDescriptorSet: Uint8Array = new Uint8Array(readFileSync(new URL('./gen/api.binpb', import.meta.url)));

export * from './tensor-codec.ts';
