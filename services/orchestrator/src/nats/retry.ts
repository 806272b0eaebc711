// Retrying NATS requests through an outage. During one, every JetStream request (KV get/put,
// publish acks, consumer info) times out after 5 s; right after a restart JetStream may answer
// "no responders" or 503 for a moment. Those are retried — after the reconnect when the client is
// disconnected, with a jittered backoff when it is connected — until they succeed, the connection
// closes for good, or `signal` aborts. Any other error (a refused request, a bad name) is thrown
// at once. Every operation retried must be idempotent (they are: keys are deterministic and job
// publishes carry a message id the server de-duplicates).
import type { Logger } from '@locscope/server-kit';
import { JetStreamApiError } from '@nats-io/jetstream';
import { backoff, ClosedConnectionError, NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnectionWatch } from './connection-watch.ts';

/** Delays (ms, jittered to 0.5–1.5×) between attempts while the client is connected. */
const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

export type NatsRetry = <T>(what: string, op: () => Promise<T>) => Promise<T>;

/** The same operation, attempted once: for callers that have no connection to watch (tests, one-shot reads). */
export const noRetry: NatsRetry = (_what, op) => op();

function isTransientNatsError(error: unknown): boolean {
  if (error instanceof TimeoutError || error instanceof NoRespondersError) return true;
  if (error instanceof RequestError) return error.isNoResponders() || error.cause instanceof TimeoutError;
  return error instanceof JetStreamApiError && error.status === 503;
}

/**
 * `signal` aborted: an operation is still attempted once (a final state write on SIGTERM must get
 * its chance), but a transient failure is then thrown instead of waited out.
 */
export function natsRetry(watch: NatsConnectionWatch, logger: Logger, signal?: AbortSignal): NatsRetry {
  return async (what, op) => {
    const delays = backoff(RETRY_DELAYS_MS);
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (error) {
        if (error instanceof ClosedConnectionError) throw watch.markClosed(error);
        if (!isTransientNatsError(error) || signal?.aborted) throw error;
        if (watch.closed) throw watch.closed;
        logger.debug('NATS request failed, retrying', { what, attempt, error });
        if (!watch.state.connected) await watch.connected(signal);
        else await sleep(delays.backoff(attempt), undefined, { signal });
      }
    }
  };
}
