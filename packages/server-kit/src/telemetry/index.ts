// Tracing, metrics and their configuration; see README "Observability".
export { setupTelemetry, type Telemetry, type TelemetryOptions } from './setup.ts';
export type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
export { telemetrySettingsFromEnv, DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT, type TelemetrySettings } from './options.ts';
export { tracer, withSpan, injectTraceContext, extractTraceContext } from './spans.ts';
export { defineInstruments, DURATION_BUCKETS_S, METER_NAME } from './instruments.ts';
export { recordClientCall, recordServerCall } from './rpc-metrics.ts';
