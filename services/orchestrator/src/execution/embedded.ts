// The embedded default: one process, services started in-process on loopback ports when an
// experiment first calls them, records in the run directory.
import type { Logger } from '@locscope/server-kit';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { Dataset } from '../dataset.ts';
import { renderReport } from '../report/render.ts';
import type { ServiceClients } from '../services/clients.ts';
import { RunDirectory } from '../store/run-directory.ts';
import { LocalExecutor } from './local-executor.ts';
import type { Stage } from './plan.ts';
import { runSuite, type SuiteOutcome } from './runner.ts';
import { eventLogSink } from './event-log.ts';
import { progressBarSink, stateFileSink } from './sinks.ts';
import type { RunSink } from './state.ts';

export interface EmbeddedRunOptions {
  runId: string;
  outDir: string;
  profile: string;
  stages: Stage[];
  clients: ServiceClients;
  loadDataset(config: ResolvedConfig): Promise<Dataset>;
  logger: Logger;
  concurrency?: number;
  signal?: AbortSignal;
  /** Extra observers; the state file, the event log and (on a terminal) the progress bar are always on. */
  sinks?: RunSink[];
  /** Draw the progress bar on a terminal (default true; a server running many runs turns it off). */
  progressBar?: boolean;
}

export async function runEmbedded(options: EmbeddedRunOptions): Promise<SuiteOutcome> {
  const directory = new RunDirectory(options.outDir, options.runId);
  const bar = options.progressBar === false ? undefined : progressBarSink();
  return runSuite({
    runId: options.runId,
    profile: options.profile,
    stages: options.stages,
    directory,
    store: directory,
    executor: new LocalExecutor({
      store: directory,
      artifacts: directory.artifacts,
      clients: options.clients,
      logger: options.logger,
      concurrency: options.concurrency,
      signal: options.signal,
    }),
    sinks: [stateFileSink(directory), eventLogSink(directory), ...(bar ? [bar] : []), ...(options.sinks ?? [])],
    loadDataset: options.loadDataset,
    render: renderReport,
    signal: options.signal,
    logger: options.logger,
  });
}
