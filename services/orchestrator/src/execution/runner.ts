// Runs a suite of experiments stage by stage: plan, skip finished jobs, execute the rest (in this
// process or through NATS workers — the executor decides), aggregate, render the report.
import type { Logger } from '@locscope/server-kit';
import type { Job } from '../experiment.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import type { Dataset } from '../dataset.ts';
import { MissingError } from '../errors.ts';
import { CancelledError } from '@locscope/server-kit';
import type { Aggregate } from '../report/model.ts';
import type { RecordStore } from '../store/records.ts';
import type { RunDirectory } from '../store/run-directory.ts';
import { aggregateStage } from './aggregate.ts';
import { buildManifest, mergeManifests, type RunManifest } from './manifest.ts';
import { planStage, type Stage } from './plan.ts';
import { RunTracker, type RunSink, type RunState, type RunWaiting, type SampleEvent } from './state.ts';
import { runMetricsSink } from './run-metrics.ts';

export type JobFinished = (event: Omit<SampleEvent, 'run'>) => Promise<void>;

export interface JobExecutor {
  /** Runs `jobs` (none finished yet); resolves once each has a stored result or failure. */
  execute(jobs: Job[], onFinished: JobFinished): Promise<void>;
}

/** The run stopped (signal) before every job finished; re-running the same run id resumes it. */
export class RunInterruptedError extends CancelledError {
  constructor(run: string, options: { cause?: unknown } = {}) {
    const reason = options.cause instanceof Error ? ` (${options.cause.message})` : '';
    super(`run ${run} interrupted${reason}; run it again with --run-id ${run} to resume`, options);
  }
}

/** Subscribes to what the run waits for (undefined: nothing); returns the unsubscribe function. */
export type WaitSource = (report: (waiting: RunWaiting | undefined) => void) => () => void;

export interface SuiteOptions {
  runId: string;
  profile: string;
  stages: Stage[];
  /** Manifest, state, aggregates and report live here. */
  directory: RunDirectory;
  /** Records: the directory itself when embedded, JetStream KV with NATS. */
  store: RecordStore;
  executor: JobExecutor;
  sinks: RunSink[];
  loadDataset(config: ResolvedConfig): Promise<Dataset>;
  /** Renders the report from the aggregates; returns the HTML file's path. */
  render(directory: RunDirectory, aggregates: Aggregate[]): Promise<string>;
  /** Aborting stops the run as `interrupted` (resumable), with the abort reason in the state. */
  signal?: AbortSignal;
  /** Shown in the run state while set (the NATS connection during an outage). */
  waits?: WaitSource;
  logger: Logger;
}

export interface SuiteOutcome {
  state: RunState;
  report: string;
  aggregates: Aggregate[];
}

export async function runSuite(options: SuiteOptions): Promise<SuiteOutcome> {
  const { runId, stages, directory, store, logger } = options;
  const manifest = buildManifest(runId, options.profile, stages);
  const existing = await directory.readJson<RunManifest>('run.json');
  await directory.writeJson(existing ? mergeManifests(existing, manifest) : manifest, 'run.json');
  if (existing) logger.info('resuming run', { run: runId, directory: directory.path });

  const tracker = new RunTracker(runId, stages.map((s) => s.experiment.id), [...options.sinks, runMetricsSink()]);
  const unsubscribe = options.waits?.((waiting) => void tracker.waiting(waiting).catch((error: unknown) => logger.warn('run state not written', { error })));
  const aggregates = new Map<string, Aggregate>();
  let failedJobs = 0;
  let report: string;
  try {
    for (const stage of stages) await runStage(stage);
    report = await options.render(directory, [...aggregates.values()]);
  } catch (error) {
    // Whatever stops the run is recorded in its state, so `status` never shows a dead run as running.
    const stopped = options.signal?.aborted ? new RunInterruptedError(runId, { cause: options.signal.reason }) : undefined;
    await tracker.finished(stopped ? 'interrupted' : 'failed', { error: (stopped ?? (error as Error))?.message ?? String(error) });
    throw stopped ?? error;
  } finally {
    unsubscribe?.();
  }
  await tracker.finished(failedJobs > 0 ? 'failed' : 'done', failedJobs > 0 ? { report, error: `${failedJobs} jobs failed` } : { report });
  return { state: tracker.state, report, aggregates: [...aggregates.values()] };

  async function runStage(stage: Stage): Promise<void> {
    const id = stage.experiment.id;
    let dataset: Promise<Dataset> | undefined;
    const jobs = await planStage(stage, {
      runId,
      config: stage.config,
      dataset: () => (dataset ??= options.loadDataset(stage.config)),
      upstream: async (dep) => {
        const found = aggregates.get(dep) ?? (await directory.readJson<Aggregate>('aggregates', `${dep}.json`));
        if (!found) throw new MissingError(`${id} needs the aggregate of ${dep}, which this run has not produced`, { field: 'experiments' });
        return found;
      },
    });
    const finished = await Promise.all(jobs.map((job) => store.has(job)));
    const todo = jobs.filter((_, i) => !finished[i]);
    await tracker.stageStarted(id, jobs.length, jobs.length - todo.length);
    logger.info('experiment planned', { run: runId, experiment: id, jobs: jobs.length, todo: todo.length });
    await options.executor.execute(todo, (event) => tracker.jobFinished(event));
    options.signal?.throwIfAborted();
    const planned = new Set(jobs.map((j) => j.sample));
    const results = (await store.list(runId, id)).filter((r) => planned.has(r.key.sample));
    const done = new Set(results.map((r) => r.key.sample));
    const failures = (await store.failures(runId, id)).filter((f) => planned.has(f.key.sample) && !done.has(f.key.sample));
    failedJobs += failures.length;
    const aggregate = aggregateStage(stage, results, failures, jobs.length);
    await directory.writeJson(aggregate, 'aggregates', `${id}.json`);
    aggregates.set(id, aggregate);
    await tracker.stageDone(id);
  }
}
