// Progress of a run, as `locscope status` shows it and as the `progress` events carry it. One
// tracker per run; sinks (state file, progress bar, NATS subjects) observe every change.

/** `interrupted`: stopped (signal, lost connection) before every job finished; re-running the run id resumes it. */
export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

/** What a running run is waiting for instead of making progress (e.g. NATS during an outage). */
export interface RunWaiting {
  for: string;
  /** ISO time the wait began. */
  since: string;
}

export interface ExperimentProgress {
  total: number;
  /** Jobs with stored records (including those finished before a resume). */
  done: number;
  failed: number;
  status: 'pending' | 'running' | 'done';
}

export interface RunState {
  run: string;
  status: RunStatus;
  experiments: Record<string, ExperimentProgress>;
  /** Path of the HTML report once written. */
  report?: string;
  error?: string;
  waiting?: RunWaiting;
}

export interface SampleEvent {
  run: string;
  experiment: string;
  sample: string;
  ok: boolean;
  error?: string;
  /** `host:pid` of the NATS worker that ran it. */
  worker?: string;
}

export interface RunSink {
  state(state: RunState): void | Promise<void>;
  sample?(event: SampleEvent): void | Promise<void>;
  done?(state: RunState): void | Promise<void>;
}

export class RunTracker {
  readonly state: RunState;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    run: string,
    experiments: string[],
    private readonly sinks: RunSink[],
  ) {
    this.state = {
      run,
      status: 'running',
      experiments: Object.fromEntries(experiments.map((e) => [e, { total: 0, done: 0, failed: 0, status: 'pending' }])),
    };
  }

  stageStarted(experiment: string, total: number, done: number): Promise<void> {
    Object.assign(this.state.experiments[experiment], { total, done, failed: 0, status: 'running' });
    return this.emit((s) => s.state(this.state));
  }

  jobFinished(event: Omit<SampleEvent, 'run'>): Promise<void> {
    const progress = this.state.experiments[event.experiment];
    if (event.ok) progress.done += 1;
    else progress.failed += 1;
    const full = { run: this.state.run, ...event };
    return this.emit(async (s) => {
      await s.sample?.(full);
      await s.state(this.state);
    });
  }

  stageDone(experiment: string): Promise<void> {
    this.state.experiments[experiment].status = 'done';
    return this.emit((s) => s.state(this.state));
  }

  /** Sets (or with undefined clears) what the run is waiting for. */
  waiting(waiting: RunWaiting | undefined): Promise<void> {
    if (waiting) this.state.waiting = waiting;
    else delete this.state.waiting;
    return this.emit((s) => s.state(this.state));
  }

  finished(status: RunStatus, details: { report?: string; error?: string }): Promise<void> {
    delete this.state.waiting;
    Object.assign(this.state, { status }, details);
    return this.emit(async (s) => {
      await s.state(this.state);
      await s.done?.(this.state);
    });
  }

  /** Sinks see changes one at a time, in order (a state file must never go backwards). */
  private emit(fn: (sink: RunSink) => void | Promise<void>): Promise<void> {
    const snapshot = this.sinks;
    this.chain = this.chain.then(async () => {
      for (const sink of snapshot) await fn(sink);
    });
    return this.chain;
  }
}
