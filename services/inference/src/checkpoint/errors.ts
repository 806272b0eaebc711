// Errors of checkpoint loading. A checkpoint is operator-supplied state, not request data, so
// a broken one is a FAILED_PRECONDITION (the server cannot serve that model) — except a missing
// directory/file, which is NOT_FOUND. Every message names the file and, where there is one, the
// tensor or config field, so the operator can find the defect without a debugger.
import { FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@locscope/server-kit';

/** Base of every checkpoint defect: carries the file it was found in. */
export class CheckpointError extends FailedPreconditionError {
  readonly file: string;

  constructor(file: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, { cause: options.cause });
    this.file = file;
  }
}

/** A required checkpoint file or directory does not exist (or cannot be opened). */
export class CheckpointNotFoundError extends NotFoundError {
  readonly file: string;

  constructor(file: string, what: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${what} not found`, { cause: options.cause });
    this.file = file;
  }
}

/** The bytes of a .safetensors file (or its index) violate the format; `tensor` when one is at fault. */
export class SafetensorsFormatError extends CheckpointError {
  readonly tensor: string | undefined;

  constructor(file: string, message: string, options: { tensor?: string; cause?: unknown } = {}) {
    super(file, options.tensor === undefined ? message : `tensor '${options.tensor}': ${message}`, options);
    this.tensor = options.tensor;
  }
}

/** A JSON config file is unreadable or one of its fields is absent/invalid; `field` is a dotted path. */
export class CheckpointConfigError extends CheckpointError {
  /** Dotted path inside the file (not `field`, which the server kit reserves for request fields). */
  readonly configField: string | undefined;

  constructor(file: string, configField: string | undefined, message: string, options: { cause?: unknown } = {}) {
    super(file, configField === undefined ? message : `field '${configField}': ${message}`, options);
    this.configField = configField;
  }
}

/** `config.json` names an architecture/model_type this runtime has no builder for. */
export class UnsupportedArchitectureError extends CheckpointConfigError {}

/** A tensor the config requires is absent from every checkpoint file. */
export class MissingTensorError extends CheckpointError {
  readonly tensor: string;

  constructor(files: string, tensor: string) {
    super(files, `tensor '${tensor}' is missing`);
    this.tensor = tensor;
  }
}

/** A tensor's stored shape disagrees with what the config implies (or what a caller expected). */
export class TensorShapeError extends CheckpointError {
  readonly tensor: string;
  readonly expected: readonly number[];
  readonly actual: readonly number[];

  constructor(file: string, tensor: string, expected: readonly number[], actual: readonly number[], reason = '') {
    super(
      file,
      `tensor '${tensor}' has shape [${actual.join(', ')}], expected [${expected.join(', ')}]${reason ? ` (${reason})` : ''}`,
    );
    this.tensor = tensor;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A prompt cannot be built from the caller's input (e.g. the question contains the image token); `field` names the request field. */
export class PromptInputError extends InvalidArgumentError {}

/**
 * A finite weight is outside float16's range (|x| ≥ 65520 rounds to infinity), so the model cannot
 * compute in float16 as stored; it still loads with precision 'float32'.
 */
export class Float16RangeError extends CheckpointError {
  readonly tensor: string;

  constructor(file: string, tensor: string, value: number) {
    super(file, `tensor '${tensor}' holds ${value}, outside float16's range (±65504): load it with precision 'float32'`);
    this.tensor = tensor;
  }
}
