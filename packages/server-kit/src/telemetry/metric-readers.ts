// Metric readers for the exporters named in OTEL_METRICS_EXPORTER (options.ts). Built here rather
// than by NodeSDK because NodeSDK's Prometheus exporter binds every interface.
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type IMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { OtlpProtocol, TelemetrySettings } from './options.ts';
import { PrometheusEndpoint } from './prometheus-endpoint.ts';

/** Each OTLP exporter reads its endpoint, headers, timeout and TLS files from OTEL_EXPORTER_OTLP_* itself. */
const otlpExporters: Record<OtlpProtocol, () => PushMetricExporter> = {
  grpc: () => new GrpcMetricExporter(),
  'http/protobuf': () => new ProtobufMetricExporter(),
  'http/json': () => new JsonMetricExporter(),
};

export interface MetricReaders {
  readers: IMetricReader[];
  /** The scrape endpoint, when `prometheus` is one of the exporters (not yet listening). */
  prometheus: PrometheusEndpoint | undefined;
}

export function metricReaders(settings: TelemetrySettings): MetricReaders {
  const readers: IMetricReader[] = [];
  let prometheus: PrometheusEndpoint | undefined;
  const periodic = (exporter: PushMetricExporter) =>
    new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: settings.metricExportIntervalMs });
  for (const name of settings.metricsExporters) {
    if (name === 'prometheus') {
      prometheus = new PrometheusEndpoint();
      readers.push(prometheus.reader);
    } else if (name === 'otlp') {
      readers.push(periodic(otlpExporters[settings.otlpMetricsProtocol]()));
    } else {
      readers.push(periodic(new ConsoleMetricExporter()));
    }
  }
  return { readers, prometheus };
}
