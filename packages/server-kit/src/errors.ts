// Typed errors that every service throws for expected failures. The gRPC layer maps each
// class to its status code, so a handler never builds a status by hand and bad input never
// surfaces as INTERNAL.
import { status } from '@grpc/grpc-js';

export interface LocscopeErrorOptions {
  /** The request field (dotted path, e.g. `variants[2].head_ablation.layer`) the error is about. */
  field?: string;
  /** The thing that was not found (NOT_FOUND's google.rpc.ResourceInfo), e.g. `{ type: 'run', name: 'r1' }`. */
  resource?: { type: string; name: string };
  /** When a retry may succeed (RESOURCE_EXHAUSTED's google.rpc.RetryInfo). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Base class: an expected failure with the gRPC status it maps to. */
export class LocscopeError extends Error {
  readonly code: status;
  readonly field: string | undefined;
  /** The message without the field prefix (a field violation's description). */
  readonly description: string;
  readonly resource: LocscopeErrorOptions['resource'];
  readonly retryAfterMs: number | undefined;

  constructor(code: status, message: string, options: LocscopeErrorOptions = {}) {
    super(options.field ? `${options.field}: ${message}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
    this.description = message;
    this.resource = options.resource;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The request is malformed: a value out of range, a wrong shape, an undecodable payload. */
export class InvalidArgumentError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.INVALID_ARGUMENT, message, options);
  }
}

/** A named thing (model, artifact, reference, annotation) does not exist. */
export class NotFoundError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.NOT_FOUND, message, options);
  }
}

/** A size or concurrency limit was exceeded. */
export class ResourceExhaustedError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.RESOURCE_EXHAUSTED, message, options);
  }
}

/** The caller presented no valid credentials (missing or unknown bearer token). */
export class UnauthenticatedError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.UNAUTHENTICATED, message, options);
  }
}

/** The caller is known but lacks the right the request needs (a model, a request size). */
export class PermissionDeniedError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.PERMISSION_DENIED, message, options);
  }
}

/** The system is not in a state to serve the request (e.g. model still loading). */
export class FailedPreconditionError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.FAILED_PRECONDITION, message, options);
  }
}

/** The service is shutting down or a dependency is unreachable; retrying may help. */
export class UnavailableError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.UNAVAILABLE, message, options);
  }
}

/** The caller's deadline passed or the call was cancelled; work was abandoned. */
export class CancelledError extends LocscopeError {
  constructor(message: string, options?: LocscopeErrorOptions) {
    super(status.CANCELLED, message, options);
  }
}

/** Status code for any thrown value: typed errors keep theirs, everything else is INTERNAL. */
export function statusOf(error: unknown): status {
  return error instanceof LocscopeError ? error.code : status.INTERNAL;
}
