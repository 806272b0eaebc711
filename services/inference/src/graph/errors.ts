// Errors of turning a validated checkpoint config into graphs: a setting this runtime cannot
// express (e.g. an unsupported activation or RoPE scaling type). Names the config field.
import { FailedPreconditionError } from '@locscope/server-kit';

export class UnsupportedModelFeatureError extends FailedPreconditionError {
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(`config field '${field}': ${message}`, { cause: options.cause });
  }
}
