// The telemetry settings locscope decides itself, read from the standard OTEL_* variables in one
// place. Everything else (service name, resource attributes, sampler, propagators, trace exporters
// and their endpoints/headers) is read by the OpenTelemetry SDK (NodeSDK) from the same variables.
import { InvalidArgumentError } from '../errors.ts';
import { intOption } from '../config.ts';

/** The Prometheus endpoint binds loopback unless OTEL_EXPORTER_PROMETHEUS_HOST says otherwise: metrics name models and callers. */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
/** The port the OpenTelemetry specification gives the Prometheus exporter. */
export const DEFAULT_PROMETHEUS_PORT = 9464;
/** OTEL_METRIC_EXPORT_INTERVAL's default in the specification. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;

const METRICS_EXPORTERS = ['prometheus', 'otlp', 'console', 'none'] as const;
export type MetricsExporterName = Exclude<(typeof METRICS_EXPORTERS)[number], 'none'>;
const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export interface TelemetrySettings {
  /** OTEL_SDK_DISABLED=true: no SDK at all (spans and metrics are the API's no-ops). */
  disabled: boolean;
  /** Metric exporters to run; empty = no metrics leave the process. */
  metricsExporters: MetricsExporterName[];
  prometheus: { host: string; port: number };
  otlpMetricsProtocol: OtlpProtocol;
  metricExportIntervalMs: number;
  /**
   * Whether NodeSDK builds trace exporters from OTEL_TRACES_EXPORTER. Off, spans are still made
   * (their ids correlate logs and cross process boundaries) but none are exported.
   */
  exportTraces: boolean;
}

/**
 * The specification's default exporter is OTLP to localhost:4318 for every signal; a research
 * CLI run without a collector would then log export failures every minute. So a signal is
 * exported only when its OTEL_*_EXPORTER names an exporter or an OTLP endpoint is configured.
 */
export function telemetrySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TelemetrySettings {
  const otlpEndpoint = (signal: 'TRACES' | 'METRICS') => Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]);
  const metricsNames = listFromEnv(env, 'OTEL_METRICS_EXPORTER', METRICS_EXPORTERS) ?? (otlpEndpoint('METRICS') ? ['otlp'] : []);
  const traceNames = listFromEnv(env, 'OTEL_TRACES_EXPORTER', undefined) ?? (otlpEndpoint('TRACES') ? ['otlp'] : []);
  return {
    disabled: env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true',
    metricsExporters: metricsNames.includes('none') ? [] : (metricsNames as MetricsExporterName[]),
    prometheus: {
      host: env.OTEL_EXPORTER_PROMETHEUS_HOST || DEFAULT_PROMETHEUS_HOST,
      port: intOption('OTEL_EXPORTER_PROMETHEUS_PORT', env.OTEL_EXPORTER_PROMETHEUS_PORT, DEFAULT_PROMETHEUS_PORT, 0, 65535),
    },
    otlpMetricsProtocol: oneOf(
      'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
      env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf',
      OTLP_PROTOCOLS,
    ),
    metricExportIntervalMs: intOption('OTEL_METRIC_EXPORT_INTERVAL', env.OTEL_METRIC_EXPORT_INTERVAL, DEFAULT_METRIC_EXPORT_INTERVAL_MS, 1, 86_400_000),
    exportTraces: traceNames.length > 0 && !traceNames.includes('none'),
  };
}

/** A comma-separated OTEL_* list (the specification's format), each checked against `allowed` when given. */
function listFromEnv<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[] | undefined): string[] | undefined {
  const list = (env[name] ?? '').split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (list.length === 0) return undefined;
  if (allowed) for (const value of list) oneOf(name, value, allowed);
  return list;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}, got "${value}"`, { field: name });
  }
  return value as T;
}
