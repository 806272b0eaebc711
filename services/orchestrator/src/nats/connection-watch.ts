// Follows one NATS connection's state for everything that must react to it: retries wait for a
// reconnect instead of spinning, the run state and logs say "waiting for NATS", health endpoints
// answer from it, and a connection closed for good stops the run or worker with its reason.
// An outage is logged when it starts, then at most once per LOG_INTERVAL_MS with how long it has
// lasted and how many reconnect attempts failed, and once when it ends: never once per attempt.
import { UnavailableError, type Logger } from '@locscope/server-kit';
import { ClosedConnectionError, type NatsConnection } from '@nats-io/transport-node';

const LOG_INTERVAL_MS = 30_000;

/** The connection closed and will not reconnect (e.g. its credentials were refused twice). */
export class NatsClosedError extends UnavailableError {
  constructor(cause: unknown) {
    const why = cause instanceof Error && !(cause instanceof ClosedConnectionError) ? `: ${cause.message}` : '';
    super(`NATS connection closed${why}`, { field: 'nats', cause });
  }
}

/**
 * Runs a publish-like action (an event, an ack, a heartbeat) that is moot once the connection is
 * closed for good: then it is dropped instead of thrown (the watch stops the run or worker with
 * the reason; the server redelivers unacked jobs).
 */
export function unlessClosed(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof ClosedConnectionError)) throw error;
  }
}

export type NatsState = { connected: true } | { connected: false; since: Date; closed?: NatsClosedError };

export class NatsConnectionWatch {
  private current: NatsState = { connected: true };
  private readonly listeners = new Set<(state: NatsState) => void>();
  private attempts = 0;
  private lastLog = 0;

  constructor(
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') this.disconnected();
        else if (status.type === 'reconnecting') this.reconnecting();
        else if (status.type === 'reconnect') this.reconnected(status.server);
      }
    })();
    void nc.closed().then((error) => this.closedForGood(error));
  }

  get state(): NatsState {
    return this.current;
  }

  get closed(): NatsClosedError | undefined {
    return this.current.connected ? undefined : this.current.closed;
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (state: NatsState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once connected; rejects when the connection closes for good or `signal` aborts. */
  async connected(signal?: AbortSignal): Promise<void> {
    if (this.current.connected) return;
    if (this.closed) throw this.closed;
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        stop();
        reject(signal!.reason);
      };
      const unsubscribe = this.subscribe((state) => {
        if (!state.connected && !state.closed) return;
        stop();
        if (state.connected) resolve();
        else reject(state.closed);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private disconnected(): void {
    if (!this.current.connected) return;
    this.attempts = 0;
    this.lastLog = Date.now();
    this.set({ connected: false, since: new Date(this.lastLog) });
    this.logger.warn('waiting for NATS', { since: new Date(this.lastLog).toISOString() });
  }

  private reconnecting(): void {
    this.attempts += 1;
    if (this.current.connected || Date.now() - this.lastLog < LOG_INTERVAL_MS) return;
    this.lastLog = Date.now();
    this.logger.warn('waiting for NATS', { since: this.current.since.toISOString(), seconds: this.downSeconds(), failedAttempts: this.attempts });
  }

  private reconnected(server: string): void {
    if (this.current.connected) return;
    this.logger.info('NATS reconnected', { server, downSeconds: this.downSeconds(), failedAttempts: this.attempts });
    this.set({ connected: true });
  }

  /**
   * Records that the connection is closed as soon as an operation fails for it, before nats.js
   * reports it (a closed connection fails operations synchronously, its `closed()` settles later);
   * returns the error to throw.
   */
  markClosed(cause: unknown): NatsClosedError {
    if (!this.closed) this.set({ connected: false, since: this.current.connected ? new Date() : this.current.since, closed: new NatsClosedError(cause) });
    return this.closed!;
  }

  private closedForGood(error: Error | void): void {
    // Closed without an error: this process closed it on its way out.
    if (error) this.logger.error('NATS connection closed for good', { error: error.message });
    this.markClosed(error);
  }

  private downSeconds(): number {
    return this.current.connected ? 0 : Math.round((Date.now() - this.current.since.getTime()) / 1000);
  }

  private set(state: NatsState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}
