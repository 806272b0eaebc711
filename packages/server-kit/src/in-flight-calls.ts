// The calls a server is handling, so that shutdown can enforce its grace period (issue 13: a
// call finished 19.9 s after SIGTERM despite a 10 s grace). When the grace is over every call
// still in flight is answered at once with the shutdown's status (UNAVAILABLE: retry elsewhere),
// its signal aborts so that its work is abandoned (worker threads are terminated, queued
// forwards dropped), and whatever the handler later returns is discarded.
import type { LocscopeError } from './errors.ts';

interface TrackedCall {
  abort: AbortController;
  end: (reason: LocscopeError) => void;
}

export interface CallTracking {
  /** Rejects with the shutdown's error when the grace period ends before the call does. */
  ended: Promise<never>;
  /** The call is over (answered): stop tracking it. */
  release(): void;
}

export class InFlightCalls {
  private readonly calls = new Set<TrackedCall>();

  get size(): number {
    return this.calls.size;
  }

  /** Tracks a call whose work `abort` cancels. */
  track(abort: AbortController): CallTracking {
    let end!: (reason: LocscopeError) => void;
    const ended = new Promise<never>((_, reject) => (end = reject));
    // Most calls finish normally: the rejection must not count as unhandled.
    ended.catch(() => undefined);
    const call = { abort, end };
    this.calls.add(call);
    return { ended, release: () => this.calls.delete(call) };
  }

  /** Answers every call in flight with `reason` and aborts its work. */
  endAll(reason: LocscopeError): number {
    const ended = this.calls.size;
    for (const call of this.calls) {
      call.end(reason);
      call.abort.abort(reason);
    }
    this.calls.clear();
    return ended;
  }
}
