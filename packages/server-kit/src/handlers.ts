// Adapts async handler functions to grpc-js call objects: one place for error→status mapping,
// tracing spans, cancellation and undecodable requests.
import {
  Metadata,
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type MethodDefinition,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { LocscopeError, statusOf } from './errors.ts';
import type { Logger } from './logger.ts';
import { statusDetailsMetadata } from './status-details.ts';
import { extractTraceContext, tracer } from './telemetry.ts';

/** What a handler gets besides its request. */
export interface CallContext {
  /** Aborted when the client cancels or its deadline passes; long work should check it. */
  signal: AbortSignal;
  metadata: Metadata;
  span: Span;
  logger: Logger;
  /** Full method path, e.g. `/locscope.v1.Masks/Project`. */
  method: string;
}

export type UnaryHandler<Req, Res> = (request: Req, call: CallContext) => Promise<Res>;
export type ServerStreamHandler<Req, Res> = (request: Req, call: CallContext) => AsyncIterable<Res>;

/**
 * The async form of a ts-proto `XxxServer` interface: unary methods return a promise, server
 * streaming methods an async iterable. Client-streaming methods are not used by locscope.
 */
export type AsyncServiceImplementation<S> = {
  [K in keyof S as string extends K ? never : K]: S[K] extends handleUnaryCall<infer Req, infer Res>
    ? UnaryHandler<Req, Res>
    : S[K] extends handleServerStreamingCall<infer Req, infer Res>
      ? ServerStreamHandler<Req, Res>
      : never;
};

/** Marks a request whose bytes did not decode; the handler answers INVALID_ARGUMENT. */
class UndecodableRequest {
  constructor(readonly cause: unknown) {}
}

/**
 * grpc-js answers INTERNAL when a request does not deserialize. Bad bytes are the caller's
 * fault, so the deserializer is wrapped to hand the failure to our handler instead.
 */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  const wrapped: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(definition)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new UndecodableRequest(error);
        }
      },
    };
  }
  return wrapped as ServiceDefinition;
}

export function adaptService<S>(
  definition: ServiceDefinition,
  implementation: AsyncServiceImplementation<S>,
  logger: Logger,
): UntypedServiceImplementation {
  const adapted: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = (implementation as Record<string, unknown>)[name];
    if (typeof handler !== 'function') {
      throw new Error(`service implementation lacks method ${name} (${method.path})`);
    }
    if (method.requestStream) throw new Error(`client streaming is not supported: ${method.path}`);
    adapted[name] = method.responseStream
      ? adaptServerStream(method.path, handler as ServerStreamHandler<unknown, unknown>, logger)
      : adaptUnary(method.path, handler as UnaryHandler<unknown, unknown>, logger);
  }
  return adapted;
}

function adaptUnary(path: string, handler: UnaryHandler<unknown, unknown>, logger: Logger): handleUnaryCall<unknown, unknown> {
  return (call: ServerUnaryCall<unknown, unknown>, callback) => {
    runTraced(path, call, logger, async (ctx) => {
      const request = checkDecoded(call.request);
      const response = await handler(request, ctx);
      callback(null, response);
    }).catch((error) => callback(toStatus(error, path, logger)));
  };
}

function adaptServerStream(
  path: string,
  handler: ServerStreamHandler<unknown, unknown>,
  logger: Logger,
): handleServerStreamingCall<unknown, unknown> {
  return (call: ServerWritableStream<unknown, unknown>) => {
    runTraced(path, call, logger, async (ctx) => {
      const request = checkDecoded(call.request);
      for await (const message of handler(request, ctx)) {
        if (ctx.signal.aborted) return;
        if (!call.write(message)) await new Promise((resolve) => call.once('drain', resolve));
      }
      call.end();
    }).catch((error) => {
      // grpc-js sends a stream's status from its 'error' listener (status → end → trailers);
      // destroy() would skip that and leave the client waiting until its deadline.
      if (!call.cancelled) call.emit('error', toStatus(error, path, logger));
    });
  };
}

function checkDecoded(request: unknown): unknown {
  if (request instanceof UndecodableRequest) {
    throw new InvalidRequestBytes(request.cause);
  }
  return request;
}

class InvalidRequestBytes extends LocscopeError {
  constructor(cause: unknown) {
    super(status.INVALID_ARGUMENT, `request is not a valid protobuf message: ${(cause as Error)?.message ?? cause}`, {
      field: 'request',
      cause,
    });
  }
}

type CancellableCall = (ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>) & {
  getDeadline(): Date | number;
};

async function runTraced(
  path: string,
  call: CancellableCall,
  logger: Logger,
  body: (ctx: CallContext) => Promise<void>,
): Promise<void> {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort(new Error('call cancelled or deadline exceeded')));
  const deadline = call.getDeadline();
  const deadlineMs = typeof deadline === 'number' ? deadline : deadline.getTime();
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    timer = setTimeout(() => abort.abort(new Error('deadline exceeded')), Math.max(0, deadlineMs - Date.now()));
  }
  const parent = extractTraceContext(metadataCarrier(call.metadata));
  const [service, method] = path.slice(1).split('/');
  const span = tracer().startSpan(
    path.slice(1),
    { attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method } },
    parent,
  );
  const ctx: CallContext = {
    signal: abort.signal,
    metadata: call.metadata,
    span,
    logger: logger.child({ method: path }),
    method: path,
  };
  try {
    await context.with(trace.setSpan(parent, span), () => body(ctx));
    span.setAttribute('rpc.grpc.status_code', status.OK);
  } catch (error) {
    span.setAttribute('rpc.grpc.status_code', statusOf(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    if (timer) clearTimeout(timer);
    span.end();
  }
}

function metadataCarrier(metadata: Metadata): Record<string, string> {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === 'string') carrier[key] = value;
  }
  return carrier;
}

/**
 * gRPC status object for a thrown value (typed errors with their google.rpc.Status details);
 * unexpected errors are logged and become INTERNAL.
 */
export function toStatus(error: unknown, path: string, logger: Logger): { code: status; details: string; metadata?: Metadata } {
  if (error instanceof LocscopeError) return { code: error.code, details: error.message, metadata: statusDetailsMetadata(error) };
  logger.error('unexpected error', { method: path, error });
  return { code: status.INTERNAL, details: `internal error: ${(error as Error)?.message ?? String(error)}` };
}
