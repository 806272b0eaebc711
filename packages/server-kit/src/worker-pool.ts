// CPU-heavy request work off the event loop (issue 13: rasterizing a polygon or bootstrapping a
// summary blocked health checks for seconds, so a liveness probe would have killed the pod). A
// piscina pool of worker threads runs named exports of a task module; the handler awaits the
// result, the event loop keeps answering health and other calls, and a cancelled call (client
// gone, deadline, shutdown grace over) terminates the thread doing its work.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { CancelledError, LocscopeError, ResourceExhaustedError, UnavailableError } from './errors.ts';
import type { WorkerOutcome, WorkerTask } from './worker-tasks.ts';

export interface WorkerPoolOptions {
  /** Threads (default: all cores but one, at least 1). */
  threads?: number;
  /** Tasks waiting for a thread beyond which work is refused with RESOURCE_EXHAUSTED (default 64). */
  maxQueue?: number;
  /** V8 heap of each thread in MB; a task past it fails alone with RESOURCE_EXHAUSTED (default 1024). */
  maxHeapMb?: number;
}

export const DEFAULT_WORKER_MAX_QUEUE = 64;
export const DEFAULT_WORKER_MAX_HEAP_MB = 1024;

export function defaultWorkerThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A task failed in a way no request field explains (a bug in the task module). */
export class WorkerTaskError extends Error {
  constructor(task: string, cause: unknown) {
    super(`worker task "${task}" failed: ${(cause as Error)?.message ?? cause}`, { cause });
    this.name = 'WorkerTaskError';
  }
}

export class WorkerPool {
  private readonly pool: Piscina;

  /** `taskModule`: URL of a module whose named exports are the tasks (`new URL('./tasks.ts', import.meta.url)`). */
  constructor(taskModule: URL, options: WorkerPoolOptions = {}) {
    const threads = options.threads ?? defaultWorkerThreads();
    this.pool = new Piscina({
      filename: new URL('./worker-entry.mjs', import.meta.url).href,
      workerData: { taskModule: taskModule.href },
      minThreads: threads,
      maxThreads: threads,
      maxQueue: options.maxQueue ?? DEFAULT_WORKER_MAX_QUEUE,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? DEFAULT_WORKER_MAX_HEAP_MB },
    });
  }

  /** Runs task `name` on `input` (structured-cloned) in a worker; aborting `signal` terminates it. */
  async run<T>(name: string, input: unknown, signal: AbortSignal): Promise<T> {
    let outcome: WorkerOutcome;
    try {
      outcome = await this.pool.run({ name, input } satisfies WorkerTask, { signal });
    } catch (error) {
      throw this.translate(name, error, signal);
    }
    if ('error' in outcome) throw new LocscopeError(outcome.error.code, outcome.error.message, { field: outcome.error.field });
    return outcome.value as T;
  }

  /** Stops every thread (running tasks are abandoned). */
  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }

  private translate(name: string, error: unknown, signal: AbortSignal): Error {
    // Shutdown aborts with its own status; a client's cancel or deadline with a plain reason.
    if (signal.aborted && signal.reason instanceof LocscopeError) return signal.reason;
    if (signal.aborted) return new CancelledError(`${name} abandoned: ${(signal.reason as Error)?.message ?? 'call cancelled'}`, { cause: error });
    const code = (error as { code?: string })?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') return new ResourceExhaustedError(`${name} ran out of its worker's memory`, { cause: error });
    if ((error as Error)?.message?.includes('Task queue is at limit')) {
      return new ResourceExhaustedError(`server busy: ${this.pool.queueSize} tasks wait for a worker thread`, { cause: error });
    }
    if ((error as Error)?.message?.includes('Terminating worker thread')) return new UnavailableError(`${name} abandoned: the server is stopping`, { cause: error });
    return new WorkerTaskError(name, error);
  }
}

