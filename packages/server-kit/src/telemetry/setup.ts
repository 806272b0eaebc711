// One OpenTelemetry SDK per process, configured from the standard OTEL_* environment by NodeSDK:
// service name and resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), sampler
// (OTEL_TRACES_SAMPLER/_ARG), propagators, trace exporters, OTEL_SDK_DISABLED. locscope decides
// only its defaults (options.ts) and the metric readers (metric-readers.ts).
import { context, metrics, propagation, trace, type Tracer } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, NoopSpanProcessor, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../logger.ts';
import { metricReaders, type MetricReaders } from './metric-readers.ts';
import { telemetrySettingsFromEnv } from './options.ts';
import { tracer } from './spans.ts';

export interface TelemetryOptions {
  /** service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES name the service. */
  serviceName: string;
  /**
   * Keep finished spans and metrics in memory instead of exporting them (tests read
   * `Telemetry.memory` and `Telemetry.metricPoints`); the OTEL_* exporters are then not started.
   */
  inMemory?: boolean;
  /** Where the Prometheus endpoint says where it listens, or why it could not. */
  logger?: Logger;
}

export interface Telemetry {
  tracer: Tracer;
  /** Finished spans, when `inMemory` was requested. */
  memory: InMemorySpanExporter | undefined;
  /**
   * The data points of metric `name` recorded so far (cumulative), when `inMemory` was requested:
   * a number for counters and gauges, a Histogram for histograms.
   */
  metricPoints<T = number>(name: string): Promise<DataPoint<T>[]>;
  shutdown(): Promise<void>;
}

/** A reader that exports nothing on its own: metricPoints collects from it. */
class CollectingMetricReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let active: Telemetry | undefined;

/** Installs the global tracer and meter providers once; later calls return the first setup. */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  const settings = telemetrySettingsFromEnv();
  const memory = options.inMemory ? new InMemorySpanExporter() : undefined;
  const collect = options.inMemory ? new CollectingMetricReader() : undefined;
  const exported: MetricReaders = collect || settings.disabled ? { readers: collect ? [collect] : [], prometheus: undefined } : metricReaders(settings);
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes({ 'service.name': options.serviceName })),
    // undefined = NodeSDK builds the exporters OTEL_TRACES_EXPORTER names. Otherwise spans are
    // still made (their ids join log lines and cross processes) and dropped.
    spanProcessors: memory ? [new SimpleSpanProcessor(memory)] : settings.exportTraces ? undefined : [new NoopSpanProcessor()],
    metricReaders: exported.readers,
    // Logs are locscope's JSON lines on stderr (logger.ts), which carry the trace ids.
    logRecordProcessors: [],
  });
  sdk.start();
  const { prometheus } = exported;
  // Metrics are not worth failing the service for: a taken port is logged and the process goes on.
  prometheus?.listen(settings.prometheus.host, settings.prometheus.port).then(
    (url) => options.logger?.info('metrics endpoint listening', { url }),
    (error: unknown) => options.logger?.error('metrics endpoint could not listen', { host: settings.prometheus.host, port: settings.prometheus.port, error }),
  );
  active = {
    tracer: tracer(),
    memory,
    metricPoints: async <T>(name: string) => {
      if (!collect) throw new Error('metricPoints needs setupTelemetry({ inMemory: true })');
      const { resourceMetrics } = await collect.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).filter((metric) => metric.descriptor.name === name);
      return metrics.flatMap((metric) => metric.dataPoints as DataPoint<T>[]);
    },
    shutdown: async () => {
      await Promise.all([sdk.shutdown(), prometheus?.close()]);
      // Unregister the globals so that a later setupTelemetry can install its own.
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
      active = undefined;
    },
  };
  return active;
}
