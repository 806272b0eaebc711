// Library functions name fields relative to their own input ("mask", "log_probs[3]"); a handler
// calling them for one item of a request prefixes the item's path ("sequences[2]: mask: …").
import { InvalidArgumentError } from '@locscope/server-kit';

export function withFieldPrefix<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new InvalidArgumentError(error.message, { field: prefix, cause: error });
    throw error;
  }
}
