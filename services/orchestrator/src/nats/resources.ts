// Creates (or opens) the job and event streams, consumer, KV buckets and object store a run needs. Idempotent:
// the coordinator and every worker call it on start, in any order.
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { ARTIFACTS_BUCKET, EVENT_STREAM, EVENT_SUBJECTS, JOB_STREAM, JOB_SUBJECTS, RECORDS_BUCKET, RUNS_BUCKET, WORKER_CONSUMER } from './names.ts';

/** Time a worker has to ack (it extends it with heartbeats while a sample runs); then the job is redelivered. */
export const DEFAULT_ACK_WAIT_MS = 60_000;
/** Deliveries before a job is recorded as failed. */
export const DEFAULT_MAX_DELIVER = 4;
/** How long run events stay replayable (WatchRun from a sequence number). */
const EVENT_MAX_AGE_NS = 7 * 24 * 3600 * 1e9;
/** Publishes of the same job id within this window are dropped by the server. */
const DUPLICATE_WINDOW_NS = 120 * 1e9;

export interface QueueOptions {
  ackWaitMs: number;
  maxDeliver: number;
}

export interface NatsResources {
  js: JetStreamClient;
  records: KV;
  runs: KV;
  artifacts: ObjectStore;
}

/**
 * `queue` given (the coordinator): the worker consumer is created or updated with it. Omitted
 * (a worker): an existing consumer is left as configured, a missing one gets the defaults.
 */
export async function ensureResources(nc: NatsConnection, queue?: QueueOptions): Promise<NatsResources> {
  const jsm = await jetstreamManager(nc);
  const stream = {
    name: JOB_STREAM,
    subjects: [JOB_SUBJECTS],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: DUPLICATE_WINDOW_NS,
  };
  const streamExists = await jsm.streams.info(JOB_STREAM).then(
    () => true,
    () => false,
  );
  if (!streamExists) await jsm.streams.add(stream);
  // Run events are published as plain messages; this stream captures them for replay.
  const eventsExist = await jsm.streams.info(EVENT_STREAM).then(
    () => true,
    () => false,
  );
  if (!eventsExist) {
    await jsm.streams.add({
      name: EVENT_STREAM,
      subjects: [EVENT_SUBJECTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: EVENT_MAX_AGE_NS,
    });
  }
  const settings = queue ?? { ackWaitMs: DEFAULT_ACK_WAIT_MS, maxDeliver: DEFAULT_MAX_DELIVER };
  const limits = { ack_wait: settings.ackWaitMs * 1e6, max_deliver: settings.maxDeliver };
  const exists = await jsm.consumers.info(JOB_STREAM, WORKER_CONSUMER).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await jsm.consumers.add(JOB_STREAM, { durable_name: WORKER_CONSUMER, ack_policy: AckPolicy.Explicit, filter_subject: JOB_SUBJECTS, ...limits });
  } else if (queue) {
    await jsm.consumers.update(JOB_STREAM, WORKER_CONSUMER, limits);
  }
  const js = jetstream(nc);
  const kvm = new Kvm(js);
  return {
    js,
    records: await kvm.create(RECORDS_BUCKET, { history: 1 }),
    runs: await kvm.create(RUNS_BUCKET, { history: 1 }),
    artifacts: await new Objm(js).create(ARTIFACTS_BUCKET),
  };
}
