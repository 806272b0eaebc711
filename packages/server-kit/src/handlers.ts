// Adapts async handler functions to grpc-js call objects: one place for error→status mapping,
// tracing spans, cancellation, undecodable requests, and each call's caller: authentication,
// rights, quotas and the audit line.
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
import { AsyncLocalStorage } from 'node:async_hooks';
import { checkRights, type CallerQuotas, type RequestFacts } from './caller-limits.ts';
import { ownerOfPeer } from './caller.ts';
import { identifyCaller, type Caller, type CallerEntry } from './callers.ts';
import { LocscopeError, statusOf } from './errors.ts';
import type { InFlightCalls } from './in-flight-calls.ts';
import type { Logger } from './logger.ts';
import { statusDetailsMetadata } from './status-details.ts';
import { extractTraceContext, recordServerCall, tracer } from './telemetry/index.ts';

/** What a handler gets besides its request. */
export interface CallContext {
  /** Aborted when the client cancels or its deadline passes; long work should check it. */
  signal: AbortSignal;
  metadata: Metadata;
  span: Span;
  logger: Logger;
  /** Full method path, e.g. `/locscope.v1.Masks/Project`. */
  method: string;
  /** Who is calling (authenticated when the server has a callers file). */
  caller: Caller;
  /** Who owns what this call stores: the authenticated caller, else the peer's host (caller.ts). */
  owner: string;
}

/** How a server knows its callers. */
export interface CallSecurity {
  /** From --auth-tokens; undefined = no authentication. */
  callers: CallerEntry[] | undefined;
  /** Client certificates are verified against a CA (mTLS), so their subject names the caller. */
  verifiedClientCertificates: boolean;
  quotas: CallerQuotas;
  /** Write the audit line of each call. */
  audit: boolean;
}

const activeCaller = new AsyncLocalStorage<Caller>();

/**
 * The caller of the call whose handler is running (undefined outside one). For limits checked deep in
 * a service (e.g. a sequence length known only after tokenizing) without threading it through.
 */
export function currentCaller(): Caller | undefined {
  return activeCaller.getStore();
}

/** A service's summary of a request for rights checks and the audit log (method = short name, e.g. `Score`). */
export type DescribeRequest = (method: string, request: unknown) => RequestFacts;

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
  security: CallSecurity,
  calls: InFlightCalls,
  describe: DescribeRequest = () => ({}),
): UntypedServiceImplementation {
  const guard: CallGuard = { security, describe, logger, calls };
  const adapted: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = (implementation as Record<string, unknown>)[name];
    if (typeof handler !== 'function') {
      throw new Error(`service implementation lacks method ${name} (${method.path})`);
    }
    if (method.requestStream) throw new Error(`client streaming is not supported: ${method.path}`);
    adapted[name] = method.responseStream
      ? adaptServerStream(method.path, handler as ServerStreamHandler<unknown, unknown>, guard)
      : adaptUnary(method.path, handler as UnaryHandler<unknown, unknown>, guard);
  }
  return adapted;
}

interface CallGuard {
  security: CallSecurity;
  describe: DescribeRequest;
  logger: Logger;
  /** Every call, for shutdown's grace period (in-flight-calls.ts). */
  calls: InFlightCalls;
}

function adaptUnary(path: string, handler: UnaryHandler<unknown, unknown>, guard: CallGuard): handleUnaryCall<unknown, unknown> {
  return (call: ServerUnaryCall<unknown, unknown>, callback) => {
    runTraced(path, call, guard, async (request, ctx) => {
      const response = await handler(request, ctx);
      callback(null, response);
    }).catch((error) => callback(toStatus(error, path, guard.logger)));
  };
}

function adaptServerStream(
  path: string,
  handler: ServerStreamHandler<unknown, unknown>,
  guard: CallGuard,
): handleServerStreamingCall<unknown, unknown> {
  return (call: ServerWritableStream<unknown, unknown>) => {
    runTraced(path, call, guard, async (request, ctx) => {
      for await (const message of handler(request, ctx)) {
        if (ctx.signal.aborted) return;
        if (!call.write(message)) await new Promise((resolve) => call.once('drain', resolve));
      }
      call.end();
    }).catch((error) => {
      // grpc-js sends a stream's status from its 'error' listener (status → end → trailers);
      // destroy() would skip that and leave the client waiting until its deadline.
      if (!call.cancelled) call.emit('error', toStatus(error, path, guard.logger));
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

/**
 * Runs one call: identifies the caller, checks its rights and quotas, runs `body` with
 * cancellation, and writes the audit line (caller, method, model, sizes, duration, status; never
 * payloads) whatever the outcome. One span covers all of it, so a refused call is traced too and
 * the audit line carries the call's trace_id and span_id.
 */
async function runTraced(
  path: string,
  call: CancellableCall,
  guard: CallGuard,
  body: (request: unknown, ctx: CallContext) => Promise<void>,
): Promise<void> {
  const started = performance.now();
  const { security, logger } = guard;
  const [service, shortMethod] = path.slice(1).split('/');
  const parent = extractTraceContext(metadataCarrier(call.metadata));
  const span = tracer().startSpan(path.slice(1), { attributes: { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': shortMethod } }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    let caller: Caller | undefined;
    let facts: RequestFacts = {};
    let code: status = status.OK;
    let release = () => {};
    try {
      const certificate = security.verifiedClientCertificates ? call.getAuthContext().sslPeerCertificate : undefined;
      const authorization = call.metadata.get('authorization')[0];
      caller = identifyCaller(security.callers, typeof authorization === 'string' ? authorization : undefined, certificate);
      const request = checkDecoded(call.request);
      facts = guard.describe(shortMethod, request);
      checkRights(caller, facts);
      release = security.quotas.acquire(caller);
      await cancellable(path, call, guard, caller, span, (ctx) => body(request, ctx));
    } catch (error) {
      code = statusOf(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      release();
      span.setAttribute('rpc.grpc.status_code', code);
      const seconds = (performance.now() - started) / 1000;
      recordServerCall(path, code, seconds);
      if (security.audit) logger.info('audit', {
        caller: caller?.name ?? 'unauthenticated',
        ...(caller?.certificate && { certificate: caller.certificate }),
        method: path,
        ...facts,
        durationMs: Math.round(seconds * 1000),
        status: status[code],
      });
      span.end();
    }
  });
}

/** Runs an admitted call's handler, aborted when the client cancels, its deadline passes or the server shuts down. */
async function cancellable(path: string, call: CancellableCall, { logger, calls, security }: CallGuard, caller: Caller, span: Span, body: (ctx: CallContext) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const tracking = calls.track(abort);
  call.on('cancelled', () => abort.abort(new Error('call cancelled or deadline exceeded')));
  const deadline = call.getDeadline();
  const deadlineMs = typeof deadline === 'number' ? deadline : deadline.getTime();
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(deadlineMs)) {
    timer = setTimeout(() => abort.abort(new Error('deadline exceeded')), Math.max(0, deadlineMs - Date.now()));
  }
  const ctx: CallContext = {
    signal: abort.signal,
    metadata: call.metadata,
    span,
    logger: logger.child({ method: path }),
    method: path,
    caller,
    owner: security.callers || caller.certificate ? caller.name : ownerOfPeer(call.getPeer()),
  };
  try {
    await Promise.race([activeCaller.run(caller, () => body(ctx)), tracking.ended]);
  } finally {
    tracking.release();
    if (timer) clearTimeout(timer);
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
