// Errors of emitting a backward graph: an operator without a vector-Jacobian product here, or a
// forward graph this pass cannot read (missing producer, non-constant attribute input). Both name
// the ONNX node and operator so a graph change that breaks differentiation is found at build time.
import { FailedPreconditionError } from '@locscope/server-kit';

/** An operator on the path from the differentiated input to the objective that has no VJP rule. */
export class UnsupportedOpError extends FailedPreconditionError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    detail = 'no vector-Jacobian product is implemented for it',
    options: { cause?: unknown } = {},
  ) {
    super(`backward graph: node '${nodeName}' (op ${opType}): ${detail}`, { cause: options.cause });
  }
}

/** The forward graph is not what the backward pass expects (e.g. an unknown value name). */
export class BackwardGraphError extends FailedPreconditionError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(`backward graph: ${message}`, { cause: options.cause });
  }
}
