// gRPC server metrics of every service, following the OpenTelemetry RPC semantic conventions:
// one duration histogram per method and status code (its count is the request count).
import type { status } from '@grpc/grpc-js';
import { defineInstruments, DURATION_BUCKETS_S } from './instruments.ts';

const instruments = defineInstruments((meter) => ({
  duration: meter.createHistogram('rpc.server.call.duration', {
    unit: 's',
    description: 'Duration of gRPC calls served, from arrival to status (includes admission queueing)',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  }),
}));

/** Records one finished call; `path` is the full method path (`/locscope.v1.Masks/Project`). */
export function recordServerCall(path: string, code: status, seconds: number): void {
  const [service, method] = path.slice(1).split('/');
  instruments().duration.record(seconds, { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method, 'rpc.grpc.status_code': code });
}
