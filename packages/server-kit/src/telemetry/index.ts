// Tracing, metrics and their configuration; see README "Observability".
export { setupTelemetry, type Telemetry, type TelemetryOptions } from './setup.ts';
export type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
export { tracer, withSpan, injectTraceContext, extractTraceContext } from './spans.ts';
export { defineInstruments, DURATION_BUCKETS_S } from './instruments.ts';
export { recordClientCall, recordServerCall } from './rpc-metrics.ts';
