// A NATS worker: pulls jobs from the work queue, runs each with the experiment's module, stores
// the records in KV, then acks. A worker that dies mid-job never acks, so the job is redelivered
// after the ack wait; a job whose records are already stored is acked without recomputing.
import type { Logger } from '@locscope/server-kit';
import { hostname } from 'node:os';
import type { JsMsg } from '@nats-io/jetstream';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { executeJob } from '../execution/job.ts';
import type { ServiceClients } from '../services/clients.ts';
import { publishSampleEvent } from './events.ts';
import { KvRecordStore, objectArtifacts } from './kv-store.ts';
import { contextFromHeaders, decodeJob } from './messages.ts';
import { JOB_STREAM, WORKER_CONSUMER } from './names.ts';
import { DEFAULT_ACK_WAIT_MS, ensureResources } from './resources.ts';

/** How long one pull waits for a job before asking again (lets `signal` stop an idle worker). */
const PULL_EXPIRES_MS = 2_000;
/** Delay before a failed job is offered again. */
const RETRY_DELAY_MS = 1_000;

export interface WorkerOptions {
  nc: NatsConnection;
  clients: ServiceClients;
  logger: Logger;
  /** Jobs processed at once by this process. */
  concurrency: number;
  signal: AbortSignal;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  const { nc, logger, signal } = options;
  const resources = await ensureResources(nc);
  const store = new KvRecordStore(resources.records);
  const consumer = await resources.js.consumers.get(JOB_STREAM, WORKER_CONSUMER);
  // Ack wait and max deliveries are the consumer's (set by the coordinator), not this process's.
  const { config } = await consumer.info();
  const queue = { ackWaitMs: config.ack_wait ? config.ack_wait / 1e6 : DEFAULT_ACK_WAIT_MS, maxDeliver: config.max_deliver ?? -1 };
  const worker = `${hostname()}:${process.pid}`;
  logger.info('worker started', { concurrency: options.concurrency, server: nc.getServer(), worker, ...queue });
  const loop = async () => {
    while (!signal.aborted) {
      const message = await consumer.next({ expires: PULL_EXPIRES_MS }).catch((error: unknown) => {
        if (!signal.aborted) logger.warn('pull failed', { error });
        return null;
      });
      if (message) await handle(message, store, resources.artifacts, { ...options, ...queue, worker });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  logger.info('worker stopped');
}

async function handle(
  message: JsMsg,
  store: KvRecordStore,
  artifactStore: ObjectStore,
  options: WorkerOptions & { ackWaitMs: number; maxDeliver: number; worker: string },
): Promise<void> {
  const { nc, logger, signal } = options;
  let job;
  try {
    job = decodeJob(message.data);
  } catch (error) {
    logger.error('dropping undecodable job message', { error, seq: message.seq });
    message.term('undecodable job');
    return;
  }
  const key = { run: job.run, experiment: job.experiment, sample: job.sample };
  if (await store.has(key)) {
    message.ack();
    return;
  }
  logger.debug('job received', { ...key, delivery: message.info.deliveryCount });
  // Keeps the job ours while it runs: each heartbeat restarts the server's ack-wait timer.
  const heartbeat = setInterval(() => message.working(), Math.max(200, options.ackWaitMs / 3));
  try {
    const result = await executeJob(
      job,
      { clients: options.clients, artifacts: objectArtifacts(artifactStore, job.run), logger: logger.child(key), signal },
      contextFromHeaders(message.headers),
    );
    await store.put(result);
    publishSampleEvent(nc, { ...key, ok: true, worker: options.worker });
    message.ack();
  } catch (error) {
    if (signal.aborted) {
      // This worker is stopping: hand the job back at once, without spending a delivery on a failure.
      message.nak();
      return;
    }
    const attempts = message.info.deliveryCount;
    const text = (error as Error)?.message ?? String(error);
    if (options.maxDeliver > 0 && attempts >= options.maxDeliver) {
      logger.error('job failed for good', { ...key, attempts, error });
      await store.putFailure({ key, error: text, attempts });
      publishSampleEvent(nc, { ...key, ok: false, error: text, worker: options.worker });
      message.term(text);
    } else {
      logger.warn('job failed, will be redelivered', { ...key, attempts, error });
      message.nak(RETRY_DELAY_MS);
    }
  } finally {
    clearInterval(heartbeat);
  }
}
