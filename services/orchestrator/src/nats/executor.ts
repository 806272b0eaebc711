// Coordinator side of NATS mode: publishes a stage's jobs to the work queue (each in its own
// trace) and waits until every job has a record or a final failure in KV.
import { tracer } from '@locscope/server-kit';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { Job } from '../experiment.ts';
import { RunInterruptedError, type JobExecutor, type JobFinished } from '../execution/runner.ts';
import { jobId, keyPart, keyToken } from '../keys.ts';
import type { JobFailure } from '../store/records.ts';
import type { KvRecordStore } from './kv-store.ts';
import { compactJson } from '../canonical-json.ts';
import { traceHeaders } from './messages.ts';
import { jobSubject } from './names.ts';
import type { NatsRetry } from './retry.ts';

const decoder = new TextDecoder();

export interface NatsExecutorOptions {
  js: JetStreamClient;
  records: KV;
  store: KvRecordStore;
  /** Publishes and watches wait out NATS outages through it. */
  retry: NatsRetry;
  signal?: AbortSignal;
}

export class NatsExecutor implements JobExecutor {
  /** Distinguishes this coordinator's publishes from an earlier one's in the duplicate window. */
  private readonly attempt = randomUUID().slice(0, 8);

  constructor(private readonly options: NatsExecutorOptions) {}

  async execute(jobs: Job[], onFinished: JobFinished): Promise<void> {
    if (jobs.length === 0) return;
    const { records, store, retry, signal } = this.options;
    const run = jobs[0].run;
    const pending = new Map(jobs.map((j) => [jobId(j), j]));
    for (const job of jobs) await store.clearFailure(job);

    // Watch before publishing, so no completion can slip between the two.
    const experiments = [...new Set(jobs.map((j) => j.experiment))];
    // A watch is an ordered consumer: after a reconnect it resumes where it stopped, so no completion is missed.
    const watchers = await Promise.all(
      experiments.map((e) => retry('records watch', () => records.watch({ key: `*.${run}.${keyToken(e)}.*`, ignoreDeletes: true }))),
    );
    let onAbort = () => {};
    const finished = new Promise<void>((resolve, reject) => {
      onAbort = () => reject(new RunInterruptedError(run, { cause: signal?.reason }));
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const watcher of watchers) {
        void (async () => {
          for await (const entry of watcher) {
            const [kind, , experiment, sample] = entry.key.split('.');
            const id = `${experiment}.${sample}`;
            if (!pending.has(id) || entry.operation !== 'PUT') continue;
            pending.delete(id);
            const event = { experiment: keyPart(experiment), sample: keyPart(sample) };
            if (kind === 'r') await onFinished({ ...event, ok: true });
            else await onFinished({ ...event, ok: false, error: (JSON.parse(decoder.decode(entry.value)) as JobFailure).error });
            if (pending.size === 0) resolve();
          }
        })().catch(reject);
      }
    });

    // Awaited after publishing; an interruption during publishing must not surface as an unhandled rejection.
    finished.catch(() => undefined);
    try {
      await this.publish(jobs);
      await finished;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      for (const watcher of watchers) watcher.stop();
    }
  }

  private async publish(jobs: Job[]): Promise<void> {
    const { js, retry } = this.options;
    for (const job of jobs) {
      // One trace per sample: the publish span is its root; the worker continues it.
      const span = tracer().startSpan(`enqueue ${job.experiment}/${job.sample}`, {
        attributes: { 'locscope.run': job.run, 'locscope.experiment': job.experiment, 'locscope.sample': job.sample },
      }, ROOT_CONTEXT);
      try {
        const body = compactJson(job);
        const headers = traceHeaders(trace.setSpan(ROOT_CONTEXT, span));
        // Retried with the same message id: a publish whose ack was lost in an outage is not queued twice.
        await retry('job publish', () => js.publish(jobSubject(job.run), body, { msgID: `${job.run}.${jobId(job)}.${this.attempt}`, headers }));
      } finally {
        span.end();
      }
    }
  }
}
