// Spans made by hand where no instrumentation sees the work (samples, enqueues, gRPC handlers)
// and the trace context carried in string carriers (gRPC metadata, NATS headers).
import { context, propagation, trace, type Context, type Span, SpanStatusCode, type Tracer } from '@opentelemetry/api';

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
