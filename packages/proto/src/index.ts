// Generated message and service types live under ./gen (import them as '@locscope/proto/v1/<file>').
// This entry point only locates the .proto sources, which reflection and proto-loader need at run time.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory holding `locscope/v1/*.proto` (the include root for proto-loader). */
export const protoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../proto');

/** Path of one locscope.v1 proto file, e.g. `protoFile('masks')`. */
export function protoFile(name: string): string {
  return join(protoRoot, 'locscope/v1', `${name}.proto`);
}

export * from './tensor-codec.ts';
