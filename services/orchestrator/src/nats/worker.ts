// A NATS worker: pulls jobs from the work queue, runs each with the experiment's module, stores
// the records in KV, then acks. A worker that dies mid-job never acks, so the job is redelivered
// after the ack wait; a job whose records are already stored is acked without recomputing.
// Through a NATS outage a worker waits: pulls back off, record writes are retried until the server
// is back. On `signal` (SIGTERM) it stops pulling at once and hands its running jobs back (nak).
import type { Logger } from '@locscope/server-kit';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import { backoff, type NatsConnection } from '@nats-io/transport-node';
import { executeJob } from '../execution/job.ts';
import type { ServiceClients } from '../services/clients.ts';
import { unlessClosed, type NatsConnectionWatch } from './connection-watch.ts';
import { publishSampleEvent } from './events.ts';
import { KvRecordStore, objectArtifacts } from './kv-store.ts';
import { contextFromHeaders, decodeJob } from './messages.ts';
import { JOB_STREAM, WORKER_CONSUMER } from './names.ts';
import { DEFAULT_ACK_WAIT_MS, ensureResources } from './resources.ts';
import { natsRetry, type NatsRetry } from './retry.ts';
import { ThrottledWarning } from './throttled-warning.ts';
import { countDelivery, countJob } from './job-metrics.ts';

/** How long one pull waits for a job before asking again. */
const PULL_EXPIRES_MS = 2_000;
/** Delays (ms, jittered) after consecutive failed pulls: a broken consumer costs one request every ~10 s, not a spin. */
const PULL_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000, 10_000];
/** At most one "pull failed" line per this interval, with the count since the last one. */
const PULL_ERROR_LOG_INTERVAL_MS = 30_000;
/** Delay before a failed job is offered again. */
const RETRY_DELAY_MS = 1_000;

export interface WorkerOptions {
  nc: NatsConnection;
  /** The connection's state: retries wait on it, and a connection closed for good stops the worker. */
  watch: NatsConnectionWatch;
  clients: ServiceClients;
  logger: Logger;
  /** Jobs processed at once by this process. */
  concurrency: number;
  signal: AbortSignal;
}

interface JobContext extends WorkerOptions {
  consumer: Consumer;
  store: KvRecordStore;
  retry: NatsRetry;
  worker: string;
}

/** Resolves when `signal` aborts (stopped) and rejects with the reason when the connection closes for good. */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { nc, watch, logger, signal } = options;
  const retry = natsRetry(watch, logger, signal);
  const resources = await retry('worker setup', () => ensureResources(nc));
  const consumer = await retry('consumer lookup', () => resources.js.consumers.get(JOB_STREAM, WORKER_CONSUMER));
  const worker = `${hostname()}:${process.pid}`;
  const context: JobContext = { ...options, consumer, store: new KvRecordStore(resources.records, retry), retry, worker };
  const pullErrors = new ThrottledWarning(logger, 'pull failed', PULL_ERROR_LOG_INTERVAL_MS);
  logger.info('worker started', { concurrency: options.concurrency, server: nc.getServer(), worker });
  const loop = async () => {
    const delays = backoff(PULL_RETRY_DELAYS_MS);
    let failures = 0;
    while (!signal.aborted && !watch.closed) {
      let message: JsMsg | null;
      try {
        message = await pullUnlessStopped(consumer, signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted || watch.closed) break;
        pullErrors.record(error);
        await sleep(delays.backoff(failures++), undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (message) await handle(message, resources.artifacts, context);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  pullErrors.flush();
  if (watch.closed && !signal.aborted) throw watch.closed;
  logger.info('worker stopped');
}

/**
 * One pull, abandoned when `signal` aborts: during an outage a pull waits for the reconnect, and
 * SIGTERM must not wait with it. A job the abandoned pull still brings is handed back at once.
 */
async function pullUnlessStopped(consumer: Consumer, signal: AbortSignal): Promise<JsMsg | null> {
  if (signal.aborted) return null;
  const pull = consumer.next({ expires: PULL_EXPIRES_MS });
  let onAbort!: () => void;
  const stopped = new Promise<null>((resolve) => {
    onAbort = () => {
      void pull.then(
        (late) => {
          if (!late) return;
          countDelivery(late.info.deliveryCount);
          settle('naked', () => late.nak());
        },
        () => undefined,
      );
      resolve(null);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pull, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Acks, naks or terms a job (unless the connection is gone: see unlessClosed) and counts it. */
function settle(event: 'acked' | 'naked' | 'terminated', action: () => void): void {
  unlessClosed(action);
  countJob(event);
}

async function handle(message: JsMsg, artifactStore: ObjectStore, context: JobContext): Promise<void> {
  const { nc, logger, signal, store } = context;
  countDelivery(message.info.deliveryCount);
  let job;
  try {
    job = decodeJob(message.data);
  } catch (error) {
    logger.error('dropping undecodable job message', { error, seq: message.seq });
    settle('terminated', () => message.term('undecodable job'));
    return;
  }
  const key = { run: job.run, experiment: job.experiment, sample: job.sample };
  let heartbeat: NodeJS.Timeout | undefined;
  let maxDeliver = -1;
  try {
    if (await store.has(key)) {
      settle('acked', () => message.ack());
      return;
    }
    // The run's queue settings are the consumer's, which the coordinator of the run sets when it
    // starts: read them per job, never once per process (a worker started earlier held 60000 ms
    // while the run asked for 1500, so its heartbeats came too late and jobs ran twice).
    const { config } = await context.retry('consumer info', () => context.consumer.info());
    const ackWaitMs = config.ack_wait ? config.ack_wait / 1e6 : DEFAULT_ACK_WAIT_MS;
    maxDeliver = config.max_deliver ?? -1;
    logger.debug('job received', { ...key, delivery: message.info.deliveryCount, ackWaitMs, maxDeliver });
    // Keeps the job ours while it runs: each heartbeat restarts the server's ack-wait timer.
    heartbeat = setInterval(() => unlessClosed(() => message.working()), Math.max(200, ackWaitMs / 3));
    const result = await executeJob(
      job,
      { clients: context.clients, artifacts: objectArtifacts(artifactStore, job.run, context.retry), logger: logger.child(key), signal },
      contextFromHeaders(message.headers),
    );
    await store.put(result);
    publishSampleEvent(nc, { ...key, ok: true, worker: context.worker });
    settle('acked', () => message.ack());
  } catch (error) {
    if (signal.aborted || context.watch.closed) {
      // This worker is stopping: hand the job back at once, without spending a delivery on a failure.
      settle('naked', () => message.nak());
      return;
    }
    const attempts = message.info.deliveryCount;
    const text = (error as Error)?.message ?? String(error);
    if (maxDeliver > 0 && attempts >= maxDeliver) {
      logger.error('job failed for good', { ...key, attempts, error });
      await store.putFailure({ key, error: text, attempts });
      publishSampleEvent(nc, { ...key, ok: false, error: text, worker: context.worker });
      settle('terminated', () => message.term(text));
    } else {
      logger.warn('job failed, will be redelivered', { ...key, attempts, error });
      settle('naked', () => message.nak(RETRY_DELAY_MS));
    }
  } finally {
    clearInterval(heartbeat);
  }
}
