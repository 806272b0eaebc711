// Bounded concurrency with a bounded queue: work past the queue is refused at once with
// RESOURCE_EXHAUSTED instead of piling up, and queued work whose caller gave up is dropped.
import PQueue from 'p-queue';
import { CancelledError, ResourceExhaustedError } from '@locscope/server-kit';

export class Admission {
  private readonly queue: PQueue;

  constructor(
    maxConcurrent: number,
    private readonly maxQueued: number,
  ) {
    this.queue = new PQueue({ concurrency: maxConcurrent });
  }

  /** Runs `work` when a slot frees up; rejects when the queue is full or `signal` aborts first. */
  async run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.queue.size >= this.maxQueued) {
      throw new ResourceExhaustedError(
        `server busy: ${this.queue.pending} running and ${this.queue.size} queued (limit ${this.maxQueued})`,
      );
    }
    try {
      return (await this.queue.add(
        () => {
          signal.throwIfAborted();
          return work();
        },
        { signal },
      )) as T;
    } catch (error) {
      if (signal.aborted) throw new CancelledError('request cancelled or deadline exceeded before it ran', { cause: error });
      throw error;
    }
  }

  get running(): number {
    return this.queue.pending;
  }

  get queued(): number {
    return this.queue.size;
  }
}
