import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT, telemetrySettingsFromEnv } from './options.ts';
import { PrometheusEndpoint } from './prometheus-endpoint.ts';
import { setupTelemetry } from './setup.ts';
import { withSpan } from './spans.ts';

const telemetry = setupTelemetry({ serviceName: 'telemetry-test', inMemory: true });
afterAll(() => telemetry.shutdown());

describe('telemetry settings from OTEL_* variables', () => {
  it('exports nothing and binds Prometheus to loopback when nothing is configured', () => {
    expect(telemetrySettingsFromEnv({})).toEqual({
      disabled: false,
      metricsExporters: [],
      prometheus: { host: '127.0.0.1', port: 9464 },
      otlpMetricsProtocol: 'http/protobuf',
      metricExportIntervalMs: 60_000,
      exportTraces: false,
    });
    expect([DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT]).toEqual(['127.0.0.1', 9464]);
  });

  it('exports both signals over OTLP once an endpoint is set, as the specification defaults', () => {
    const settings = telemetrySettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(settings).toMatchObject({ metricsExporters: ['otlp'], otlpMetricsProtocol: 'grpc', exportTraces: true });
  });

  it('reads lists, none, the Prometheus address and OTEL_SDK_DISABLED', () => {
    const settings = telemetrySettingsFromEnv({
      OTEL_METRICS_EXPORTER: ' prometheus , otlp',
      OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
      OTEL_EXPORTER_PROMETHEUS_PORT: '9100',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_SDK_DISABLED: 'TRUE',
    });
    expect(settings).toMatchObject({ disabled: true, metricsExporters: ['prometheus', 'otlp'], prometheus: { host: '0.0.0.0', port: 9100 }, exportTraces: false });
    expect(telemetrySettingsFromEnv({ OTEL_METRICS_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).metricsExporters).toEqual([]);
  });

  it('names the variable of a bad value', () => {
    const bad = (env: NodeJS.ProcessEnv) => {
      try {
        telemetrySettingsFromEnv(env);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as InvalidArgumentError).field;
      }
      throw new Error('accepted');
    };
    expect(bad({ OTEL_METRICS_EXPORTER: 'prometheus,statsd' })).toBe('OTEL_METRICS_EXPORTER');
    expect(bad({ OTEL_EXPORTER_PROMETHEUS_PORT: '99999' })).toBe('OTEL_EXPORTER_PROMETHEUS_PORT');
    expect(bad({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' })).toBe('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL');
  });
});

describe('Prometheus endpoint', () => {
  it('serves what was recorded in the text format, on the address it was given', async () => {
    const endpoint = new PrometheusEndpoint();
    const provider = new MeterProvider({ readers: [endpoint.reader] });
    provider.getMeter('locscope').createCounter('locscope.test.things', { unit: '{thing}' }).add(3, { kind: 'a' });
    const url = await endpoint.listen('127.0.0.1', 0);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const text = await (await fetch(url)).text();
      expect(text).toMatch(/^locscope_test_things_total\{kind="a",otel_scope_name="locscope"[^}]*\} 3$/m);
    } finally {
      await endpoint.close();
      await provider.shutdown();
    }
  });
});

describe('log lines', () => {
  it('carry the active span’s trace_id and span_id, and none outside a span', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
    logger.info('outside');
    const ids = await withSpan('logging', {}, async (span) => {
      logger.child({ sample: 's1' }).info('inside');
      return span.spanContext();
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).toMatchObject({ message: 'inside', sample: 's1', trace_id: ids.traceId, span_id: ids.spanId });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
