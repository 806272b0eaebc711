// The orchestrator service's runs: starts them on the backend, keeps the ones running in this
// process (to cancel them and to answer a repeated SubmitRun), and reads everything else from the
// backend's store. Submits are handled one at a time, so two SubmitRuns of one id cannot both start it.
import { FailedPreconditionError, type Logger } from '@locscope/server-kit';
import type { SubmitRunRequest } from '@locscope/proto/v1/orchestrator';
import type { Profile } from '../config/envelope.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { MissingError, RunConflictError } from '../errors.ts';
import type { SequencedEvent } from '../execution/event-log.ts';
import { buildManifest, mergeManifests, type RunManifest } from '../execution/manifest.ts';
import { RunInterruptedError } from '../execution/runner.ts';
import type { RunState } from '../execution/state.ts';
import { checkRunId } from '../keys.ts';
import type { ReportFile, RunBackend } from './backend.ts';
import { planRun } from './run-request.ts';

interface ActiveRun {
  manifest: RunManifest;
  controller: AbortController;
  /** Settles when the execution has stopped (never rejects). */
  stopped: Promise<void>;
}

export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private submits: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly backend: RunBackend,
    private readonly configs: Record<Profile, Map<string, ResolvedConfig>>,
    private readonly logger: Logger,
  ) {}

  /** Starts or resumes the run; a run already running here, or done, is returned as it is. */
  submit(request: SubmitRunRequest): Promise<{ state: RunState; created: boolean }> {
    const next = this.submits.then(() => this.submitNow(request));
    this.submits = next.catch(() => undefined);
    return next;
  }

  private async submitNow(request: SubmitRunRequest): Promise<{ state: RunState; created: boolean }> {
    const plan = await planRun(request, this.configs, this.logger);
    const { runId } = plan;
    const manifest = buildManifest(runId, plan.profile, plan.stages);
    const running = this.active.get(runId);
    if (running) {
      mergeManifests(running.manifest, manifest);
      const missing = manifest.experiments.map((e) => e.id).filter((id) => !running.manifest.experiments.some((e) => e.id === id));
      if (missing.length > 0) {
        throw new RunConflictError(`run ${runId} is running without ${missing.join(', ')}; wait for it or cancel it, then submit again`);
      }
      return { state: (await this.backend.state(runId)) ?? pendingState(manifest), created: false };
    }
    const stored = await this.backend.manifest(runId);
    if (stored) {
      mergeManifests(stored, manifest);
      const state = await this.backend.state(runId);
      const covered = manifest.experiments.every((e) => state?.experiments[e.id]?.status === 'done');
      if (state?.status === 'done' && covered) return { state, created: false };
    }
    this.start(plan, manifest);
    return { state: pendingState(manifest), created: true };
  }

  private start(plan: Parameters<RunBackend['execute']>[0], manifest: RunManifest): void {
    const controller = new AbortController();
    const stopped = this.backend.execute(plan, controller.signal).then(
      (outcome) => this.logger.info('run finished', { run: plan.runId, status: outcome.state.status }),
      (error: unknown) => {
        if (error instanceof RunInterruptedError) this.logger.info('run cancelled', { run: plan.runId });
        else this.logger.error('run failed', { run: plan.runId, error });
      },
    );
    this.active.set(plan.runId, { manifest, controller, stopped });
    void stopped.finally(() => this.active.delete(plan.runId));
  }

  async get(runId: string): Promise<RunState> {
    const state = await this.backend.state(checkRunId(runId, 'run_id'));
    if (state) return state;
    // Submitted, but its first stage is still being planned: nothing is stored yet.
    const running = this.active.get(runId);
    if (running) return pendingState(running.manifest);
    throw new MissingError(`no run "${runId}"`, { field: 'run_id', resource: { type: 'run', name: runId } });
  }

  async list(): Promise<RunState[]> {
    const states = await this.backend.states();
    return states.sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
  }

  async watch(runId: string, after: number, signal: AbortSignal): Promise<AsyncIterable<SequencedEvent>> {
    await this.get(runId);
    return this.backend.events(runId, after, signal);
  }

  /** Stops the run (running samples finish and are stored) and returns its final state. */
  async cancel(runId: string): Promise<RunState> {
    const running = this.active.get(checkRunId(runId, 'run_id'));
    if (!running) {
      const state = await this.get(runId);
      throw new FailedPreconditionError(`run ${runId} is not running in this orchestrator (status ${state.status})`, { field: 'run_id' });
    }
    running.controller.abort(new Error('cancelled by CancelRun'));
    await this.backend.withdraw(runId);
    await running.stopped;
    return this.get(runId);
  }

  async reportFiles(runId: string, paths: string[]): Promise<ReportFile[]> {
    const state = await this.get(runId);
    const files = await this.backend.reportFiles(runId);
    if (files.length === 0) throw new FailedPreconditionError(`run ${runId} has no report yet (status ${state.status})`, { field: 'run_id' });
    if (paths.length === 0) return files;
    return paths.map((path, i) => {
      const file = files.find((f) => f.path === path);
      if (!file) throw new MissingError(`run ${runId}'s report has no file "${path}"`, { field: `paths[${i}]`, resource: { type: 'report file', name: `${runId}/report/${path}` } });
      return file;
    });
  }

  async readReportFile(runId: string, path: string): Promise<Uint8Array> {
    const data = await this.backend.readReportFile(runId, path);
    if (!data) throw new MissingError(`run ${runId}'s report file "${path}" disappeared while it was read`, { field: 'paths' });
    return data;
  }

  /** Cancels every run of this process (each stays resumable), then closes the backend. */
  async close(): Promise<void> {
    const running = [...this.active.values()];
    for (const run of running) run.controller.abort(new Error('orchestrator shutting down'));
    await Promise.all(running.map((r) => r.stopped));
    await this.backend.close();
  }
}

/** What a run looks like before its first stage is planned (the tracker's initial state). */
function pendingState(manifest: RunManifest): RunState {
  return {
    run: manifest.run,
    status: 'running',
    experiments: Object.fromEntries(manifest.experiments.map((e) => [e.id, { total: 0, done: 0, failed: 0, status: 'pending' as const }])),
  };
}
