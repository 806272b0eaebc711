// Structured logging: one JSON object per line on stderr, so stdout stays free for command output.
// A line written inside a span carries its trace_id and span_id (the OpenTelemetry log data
// model's field names), so one sample's lines can be found across the orchestrator, workers and
// services, and next to its trace.
import { isSpanContextValid, trace } from '@opentelemetry/api';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line also carries `fields`. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to process.stderr. */
  write?: (line: string) => void;
  fields?: Record<string, unknown>;
}

/** Level from LOCSCOPE_LOG_LEVEL, defaulting to `info`. */
export function defaultLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const value = env.LOCSCOPE_LOG_LEVEL;
  return value && value in levelRank ? (value as LogLevel) : 'info';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = levelRank[options.level ?? defaultLogLevel()];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const base = options.fields ?? {};
  const emit = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (levelRank[level] < threshold) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...traceFields(), ...base, ...fields }, errorReplacer));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** The active span's ids, or nothing outside a span. */
function traceFields(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : undefined;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
