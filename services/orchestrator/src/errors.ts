// Orchestrator failures. Each extends a server-kit class, so the CLI prints them concisely and a
// gRPC front end would map them to the right status.
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '@locscope/server-kit';

/** An experiment config file is malformed; the message names the file and the field. */
export class ConfigError extends InvalidArgumentError {
  readonly file: string;
  /** The message without file and field (for callers that report them their own way). */
  readonly detail: string;
  constructor(file: string, field: string, message: string, options: { cause?: unknown } = {}) {
    super(`${file}: ${message}`, { field, cause: options.cause });
    this.file = file;
    this.detail = message;
  }
}

/** A run, experiment, dataset or record that was asked for does not exist. */
export class MissingError extends NotFoundError {}

/** The run directory or KV state disagrees with what was asked (e.g. a run id reused with another config). */
export class RunConflictError extends FailedPreconditionError {}

/** An experiment is configured but its module is not wired to the services yet, or a service cannot start. */
export class NotWiredError extends UnavailableError {}

/** A sample's work failed; the message names the experiment and sample, the cause carries the error. */
export class SampleFailedError extends Error {
  constructor(
    readonly experiment: string,
    readonly sample: string,
    cause: unknown,
  ) {
    super(`${experiment}/${sample}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'SampleFailedError';
  }
}

/** A figure's Vega-Lite spec did not compile or render; the message names the figure, the cause carries the error. */
export class FigureRenderError extends Error {
  constructor(
    readonly figure: string,
    cause: unknown,
  ) {
    super(`figure ${figure}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'FigureRenderError';
  }
}
