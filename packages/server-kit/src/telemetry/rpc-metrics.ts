// gRPC metrics following the OpenTelemetry RPC semantic conventions: one duration histogram per
// method and status code on each side (its count is the request count). The server side covers
// every service; the client side is what the orchestrator and workers saw, network included.
import type { status } from '@grpc/grpc-js';
import { defineInstruments, DURATION_BUCKETS_S } from './instruments.ts';

const instruments = defineInstruments((meter) => ({
  duration: meter.createHistogram('rpc.server.call.duration', {
    unit: 's',
    description: 'Duration of gRPC calls served, from arrival to status (includes admission queueing)',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  }),
  clientDuration: meter.createHistogram('rpc.client.call.duration', {
    unit: 's',
    description: 'Duration of gRPC calls made, from start to status',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  }),
}));

/** Records one call served; `path` is the full method path (`/locscope.v1.Masks/Project`). */
export function recordServerCall(path: string, code: status, seconds: number): void {
  instruments().duration.record(seconds, rpcAttributes(path, code));
}

/** Records one call made. */
export function recordClientCall(path: string, code: status, seconds: number): void {
  instruments().clientDuration.record(seconds, rpcAttributes(path, code));
}

function rpcAttributes(path: string, code: status) {
  const [service, method] = path.slice(1).split('/');
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': code };
}
