// Client side of telemetry: every outgoing call carries the active trace context in its metadata,
// and its duration and status are recorded (rpc.client.call.duration).
import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import { injectTraceContext, recordClientCall } from './telemetry/index.ts';

const traceContextInterceptor: Interceptor = (options, nextCall) =>
  new InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const carrier: Record<string, string> = {};
      injectTraceContext(carrier);
      for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
      next(metadata, listener);
    },
  });

const callMetricsInterceptor: Interceptor = (options, nextCall) => {
  const started = performance.now();
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      next(metadata, {
        onReceiveStatus(status, nextStatus) {
          recordClientCall(options.method_definition.path, status.code, (performance.now() - started) / 1000);
          nextStatus(status);
        },
      });
    },
  });
};

/** Interceptors for every locscope gRPC client (pass as `{ interceptors: clientInterceptors }`). */
export const clientInterceptors: Interceptor[] = [traceContextInterceptor, callMetricsInterceptor];
