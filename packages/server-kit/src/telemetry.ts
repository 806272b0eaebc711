// OpenTelemetry tracing setup. One provider per process; exporters chosen by configuration:
// OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set, an in-memory exporter for tests, none otherwise.
import { context, propagation, trace, type Context, type Span, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP traces endpoint; defaults to OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces). */
  otlpEndpoint?: string;
  /** Also keep finished spans in memory (tests read them from `Telemetry.memory`). */
  inMemory?: boolean;
}

export interface Telemetry {
  tracer: Tracer;
  /** Finished spans, when `inMemory` was requested. */
  memory: InMemorySpanExporter | undefined;
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

/** Installs the global tracer provider once; later calls return the first setup. */
export function setupTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  const processors: SpanProcessor[] = [];
  const memory = options.inMemory ? new InMemorySpanExporter() : undefined;
  if (memory) processors.push(new SimpleSpanProcessor(memory));
  const endpoint = options.otlpEndpoint ?? otlpEndpointFromEnv();
  if (endpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint })));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  active = {
    tracer: trace.getTracer('locscope'),
    memory,
    shutdown: async () => {
      await provider.shutdown();
      active = undefined;
    },
  };
  return active;
}

function otlpEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '') + '/v1/traces';
  return undefined;
}

/** The locscope tracer (a no-op tracer until setupTelemetry ran). */
export function tracer(): Tracer {
  return trace.getTracer('locscope');
}

/** Runs `fn` inside a new active span; records errors and always ends the span. */
export async function withSpan<T>(
  name: string,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Writes the active trace context into a string carrier (gRPC metadata, NATS headers). */
export function injectTraceContext(carrier: Record<string, string>, ctx: Context = context.active()): void {
  propagation.inject(ctx, carrier);
}

/** Reads a trace context from a string carrier. */
export function extractTraceContext(carrier: Record<string, string>): Context {
  return propagation.extract(context.active(), carrier);
}
