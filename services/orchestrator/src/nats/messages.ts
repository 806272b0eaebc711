// Job messages and events on the wire: canonical JSON bodies, W3C trace context in headers.
import { extractTraceContext, injectTraceContext, InvalidArgumentError } from '@locscope/server-kit';
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Context } from '@opentelemetry/api';
import type { Job } from '../experiment.ts';

const decoder = new TextDecoder();

export function decodeJob(data: Uint8Array): Job {
  let job: unknown;
  try {
    job = JSON.parse(decoder.decode(data));
  } catch (error) {
    throw new InvalidArgumentError(`job message is not JSON: ${(error as Error).message}`, { field: 'job', cause: error });
  }
  const j = job as Partial<Job>;
  if (typeof j.run !== 'string' || typeof j.experiment !== 'string' || typeof j.sample !== 'string' || typeof j.version !== 'number' || !j.config) {
    throw new InvalidArgumentError('job message lacks run, experiment, sample, version or config', { field: 'job' });
  }
  return j as Job;
}

/** Headers carrying the given (or active) trace context. */
export function traceHeaders(ctx?: Context): MsgHdrs {
  const carrier: Record<string, string> = {};
  injectTraceContext(carrier, ctx);
  const h = headers();
  for (const [key, value] of Object.entries(carrier)) h.set(key, value);
  return h;
}

export function contextFromHeaders(h: MsgHdrs | undefined): Context {
  const carrier: Record<string, string> = {};
  if (h) for (const key of h.keys()) carrier[key.toLowerCase()] = h.get(key);
  return extractTraceContext(carrier);
}
