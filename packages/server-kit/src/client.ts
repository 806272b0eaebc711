// Client side of tracing: every outgoing call carries the active trace context in its metadata.
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { injectTraceContext } from './telemetry/index.ts';

const traceContextInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const carrier: Record<string, string> = {};
      injectTraceContext(carrier);
      for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
      next(metadata, listener);
    },
  });

/** Interceptors for every locscope gRPC client (pass as `{ interceptors: clientInterceptors }`). */
export const clientInterceptors: Interceptor[] = [traceContextInterceptor];
