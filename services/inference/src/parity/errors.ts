// Errors of reading a parity reference directory; each names the file and the field or tensor.
// A FailedPreconditionError, like a broken checkpoint: the operator-supplied directory is unusable.
import { FailedPreconditionError } from '@locscope/server-kit';

export class ReferenceFormatError extends FailedPreconditionError {
  constructor(
    readonly file: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${file}: ${message}`, options);
  }
}
