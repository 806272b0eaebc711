// Runs jobs in this process with bounded concurrency (the embedded default, and each NATS worker's
// inner loop uses the same executeJob). A job's records are written durably before it counts.
import type { Logger } from '@locscope/server-kit';
import pLimit from 'p-limit';
import type { Job } from '../experiment.ts';
import type { ServiceClients } from '../services/clients.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { RecordStore } from '../store/records.ts';
import { executeJob } from './job.ts';
import type { JobExecutor, JobFinished } from './runner.ts';

/** Two cores: one job computing while another waits on a service is the sweet spot. */
export const DEFAULT_CONCURRENCY = 2;

export interface LocalExecutorOptions {
  store: RecordStore;
  artifacts: ArtifactStore;
  clients: ServiceClients;
  logger: Logger;
  concurrency?: number;
  /** Stops starting new jobs (running ones finish and are stored). */
  signal?: AbortSignal;
}

export class LocalExecutor implements JobExecutor {
  constructor(private readonly options: LocalExecutorOptions) {}

  async execute(jobs: Job[], onFinished: JobFinished): Promise<void> {
    const { store, artifacts, clients, logger, signal } = this.options;
    const limit = pLimit(this.options.concurrency ?? DEFAULT_CONCURRENCY);
    const context = { clients, artifacts, logger, signal: signal ?? new AbortController().signal };
    await Promise.all(
      jobs.map((job) =>
        limit(async () => {
          if (signal?.aborted) return;
          const event = { experiment: job.experiment, sample: job.sample };
          try {
            await store.put(await executeJob(job, context));
            await onFinished({ ...event, ok: true });
          } catch (error) {
            // Stopped by the interruption itself: not a failure of the sample; resuming reruns it.
            if (signal?.aborted) return;
            const message = (error as Error)?.message ?? String(error);
            logger.warn('sample failed', { ...event, error });
            await store.putFailure({ key: { run: job.run, experiment: job.experiment, sample: job.sample }, error: message, attempts: 1 });
            await onFinished({ ...event, ok: false, error: message });
          }
        }),
      ),
    );
  }
}
