// NATS mode of `locscope run`: jobs go to the JetStream work queue and any number of workers
// (`locscope worker`, or in-process ones started here) run them; records live in KV. The local run
// NATS mode of `locscope run`: jobs go to the JetStream work queue and any number of workers
// (`locscope worker`, or in-process ones started here) run them; records live in KV. The local run
// directory still holds the manifest, aggregates and report, and every report file is also put in
// the object store under `<run>/report/` (where the orchestrator service reads it back). Through a
// NATS outage the run waits (its state says "waiting for NATS"); a connection closed for good stops
// it as `interrupted`, with the reason.
import type { Logger } from '@locscope/server-kit';
import type { NatsConnection } from '@nats-io/transport-node';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { Dataset } from '../dataset.ts';
import type { Stage } from '../execution/plan.ts';
import { runSuite, type SuiteOutcome } from '../execution/runner.ts';
import { progressBarSink, stateFileSink } from '../execution/sinks.ts';
import type { RunSink } from '../execution/state.ts';
import { renderReport } from '../report/render.ts';
import type { ServiceClients } from '../services/clients.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import { RunDirectory } from '../store/run-directory.ts';
import type { NatsConnectionWatch } from './connection-watch.ts';
import { natsRunSink } from './events.ts';
import { NatsExecutor } from './executor.ts';
import { KvRecordStore, objectArtifacts } from './kv-store.ts';
import { ensureResources, type QueueOptions } from './resources.ts';
import { natsRetry } from './retry.ts';
import { runWorker } from './worker.ts';

/** In-process workers of a NATS run unless `--workers` says otherwise. */
export const DEFAULT_LOCAL_WORKERS = 1;

export interface NatsRunOptions extends QueueOptions {
  nc: NatsConnection;
  watch: NatsConnectionWatch;
  runId: string;
  outDir: string;
  profile: string;
  stages: Stage[];
  clients: ServiceClients;
  loadDataset(config: ResolvedConfig): Promise<Dataset>;
  logger: Logger;
  /** Workers started in this process (0: rely on external `locscope worker` processes). */
  localWorkers: number;
  signal?: AbortSignal;
  sinks?: RunSink[];
  /** Draw the progress bar on a terminal (default true; a server running many runs turns it off). */
  progressBar?: boolean;
}

export async function runWithNats(options: NatsRunOptions): Promise<SuiteOutcome> {
  const { nc, watch, logger } = options;
  const lost = new AbortController();
  const stopOnClose = watch.subscribe((state) => {
    if (!state.connected && state.closed) lost.abort(state.closed);
  });
  if (watch.closed) lost.abort(watch.closed);
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  const retry = natsRetry(watch, logger, signal);
  const stopWorkers = new AbortController();
  const abort = () => stopWorkers.abort(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  let workers: Promise<void> = Promise.resolve();
  try {
    const resources = await retry('run setup', () => ensureResources(nc, options));
    const store = new KvRecordStore(resources.records, retry);
    const directory = new RunDirectory(options.outDir, options.runId);
    if (options.localWorkers > 0) {
      workers = runWorker({ ...options, concurrency: options.localWorkers, signal: stopWorkers.signal, logger: logger.child({ worker: 'local' }) });
    }
    const bar = options.progressBar === false ? undefined : progressBarSink();
    const outcome = await runSuite({
      runId: options.runId,
      profile: options.profile,
      stages: options.stages,
      directory,
      store,
      executor: new NatsExecutor({ js: resources.js, records: resources.records, store, retry, signal }),
      sinks: [stateFileSink(directory), natsRunSink(nc, resources.runs, retry, logger), ...(bar ? [bar] : []), ...(options.sinks ?? [])],
      loadDataset: options.loadDataset,
      // Uploaded before the run counts as finished: whoever sees its done event can fetch the report.
      render: async (dir, aggregates) => {
        const page = await renderReport(dir, aggregates);
        await uploadReport(dir, objectArtifacts(resources.artifacts, options.runId, retry));
        return page;
      },
      signal,
      waits: (report) => watch.subscribe((state) => report(state.connected ? undefined : { for: 'NATS', since: state.since.toISOString() })),
      logger,
    });
    return outcome;
  } finally {
    stopWorkers.abort();
    signal.removeEventListener('abort', abort);
    stopOnClose();
    await workers.catch((error: unknown) => logger.warn('local worker stopped', { error }));
  }
}

async function uploadReport(directory: RunDirectory, artifacts: ArtifactStore): Promise<void> {
  const root = directory.file('report');
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    await artifacts.put(`report/${relative(root, file).split(sep).join('/')}`, await readFile(file));
  }
}
