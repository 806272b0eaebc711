// Bounded concurrency with a bounded queue: work past the queue is refused at once with
// RESOURCE_EXHAUSTED instead of piling up, and queued work whose caller gave up is dropped. Callers
// share fairly: queued work runs in order of how much its caller already has running or waiting, so
// a caller with one request waits behind at most one request of each other caller, however many
// another caller has queued, and a caller with nothing outstanding is admitted even to a full queue
// (the queue then holds at most one more request per caller).
import PQueue from 'p-queue';
import { CancelledError, ResourceExhaustedError } from '@locscope/server-kit';

export class Admission {
  private readonly queue: PQueue;
  /** Requests running or waiting, per caller. */
  private readonly outstanding = new Map<string, number>();

  constructor(
    maxConcurrent: number,
    private readonly maxQueued: number,
  ) {
    this.queue = new PQueue({ concurrency: maxConcurrent });
  }

  /** Runs `work` when a slot frees up; rejects when the queue is full or `signal` aborts first. */
  async run<T>(work: () => Promise<T>, signal: AbortSignal, caller = ''): Promise<T> {
    const ahead = this.outstanding.get(caller) ?? 0;
    if (this.queue.size >= this.maxQueued && ahead > 0) {
      throw new ResourceExhaustedError(
        `server busy: ${this.queue.pending} running and ${this.queue.size} queued (limit ${this.maxQueued})`,
      );
    }
    this.outstanding.set(caller, ahead + 1);
    try {
      return (await this.queue.add(
        () => {
          signal.throwIfAborted();
          return work();
        },
        // p-queue runs higher priorities first, equal ones in arrival order.
        { signal, priority: -ahead },
      )) as T;
    } catch (error) {
      if (signal.aborted) throw new CancelledError('request cancelled or deadline exceeded before it ran', { cause: error });
      throw error;
    } finally {
      const left = (this.outstanding.get(caller) ?? 1) - 1;
      if (left === 0) this.outstanding.delete(caller);
      else this.outstanding.set(caller, left);
    }
  }

  get running(): number {
    return this.queue.pending;
  }

  get queued(): number {
    return this.queue.size;
  }
}
