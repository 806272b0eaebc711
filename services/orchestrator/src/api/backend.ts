// Where the orchestrator service's runs execute and their state lives: the embedded backend (this
// process, a run directory) or the NATS backend (workers, KV, the event stream, the object store).
import type { RunManifest } from '../execution/manifest.ts';
import type { SequencedEvent } from '../execution/event-log.ts';
import type { Stage } from '../execution/plan.ts';
import type { SuiteOutcome } from '../execution/runner.ts';
import type { RunState } from '../execution/state.ts';

export interface RunPlan {
  runId: string;
  profile: string;
  stages: Stage[];
}

export interface ReportFile {
  /** Relative to the run's report/ folder, '/'-separated. */
  path: string;
  size: number;
}

export interface RunBackend {
  /** Runs (or resumes) the plan until it finishes or `signal` aborts (then RunInterruptedError). */
  execute(plan: RunPlan, signal: AbortSignal): Promise<SuiteOutcome>;
  /** The manifest stored by an earlier execution of the run, if any. */
  manifest(runId: string): Promise<RunManifest | undefined>;
  state(runId: string): Promise<RunState | undefined>;
  states(): Promise<RunState[]>;
  /** The run's events after `after`, live, up to and including the next done event. */
  events(runId: string, after: number, signal: AbortSignal): AsyncIterable<SequencedEvent>;
  reportFiles(runId: string): Promise<ReportFile[]>;
  readReportFile(runId: string, path: string): Promise<Uint8Array | undefined>;
  /** Drops the run's queued work (a cancelled NATS run's jobs must not keep workers busy). */
  withdraw(runId: string): Promise<void>;
  close(): Promise<void>;
}
