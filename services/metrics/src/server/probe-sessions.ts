// Probe sessions of the gRPC API: each holds one layer's features in a ProbeFeatureFile on the
// server's disk until it is trained and deleted. A session belongs to the caller that created it
// (CallContext.owner; others get NOT_FOUND), one caller may hold only some of the sessions (issue
// 13: one client could hold all of them), a session unused for `ttlMs` is removed, and past the
// total byte budget the least recently used idle sessions are removed to make room.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { FailedPreconditionError, NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import { ProbeFeatureFile } from '../probes/feature-file.ts';
import { checkProbeShape, type ProbeBatch, type ProbeShape } from '../probes/probe-data.ts';

export interface ProbeSessionLimits {
  /** Sessions open at once. */
  maxSessions?: number;
  /** Sessions one caller may hold at once. */
  maxSessionsPerOwner?: number;
  /** Bytes (features + labels) one session may spill to disk. */
  maxSessionBytes?: number;
  /** Bytes all sessions may spill together; past it the least recently used idle ones are removed. */
  maxTotalBytes?: number;
  /** A session unused this long is removed. */
  ttlMs?: number;
  /** Parent directory of the session files (default: the OS temp dir). */
  directory?: string;
}

export const DEFAULT_PROBE_SESSION_LIMITS = {
  maxSessions: 8,
  maxSessionsPerOwner: 4,
  maxSessionBytes: 8 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
  ttlMs: 60 * 60 * 1000,
} as const;

interface Session {
  owner: string;
  file: ProbeFeatureFile;
  /** Set while an append or a training pass uses the file. */
  busy: boolean;
  lastUsed: number;
}

export class ProbeSessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly limits: Required<Omit<ProbeSessionLimits, 'directory'>>;
  private readonly directory: string | undefined;

  constructor(
    options: ProbeSessionLimits = {},
    /** Milliseconds now (tests pass their own clock). */
    private readonly now: () => number = Date.now,
  ) {
    const { directory, ...limits } = options;
    this.limits = { ...DEFAULT_PROBE_SESSION_LIMITS, ...limits };
    this.directory = directory;
  }

  async create(shape: ProbeShape, owner: string): Promise<string> {
    await this.removeExpired();
    if (this.sessions.size >= this.limits.maxSessions) {
      throw new ResourceExhaustedError(`${this.sessions.size} probe sessions are open (limit ${this.limits.maxSessions}, max-probe-sessions); delete one first`, { field: 'session_id' });
    }
    const owned = [...this.sessions.values()].filter((s) => s.owner === owner).length;
    if (owned >= this.limits.maxSessionsPerOwner) {
      throw new ResourceExhaustedError(`this caller holds ${owned} probe sessions (limit ${this.limits.maxSessionsPerOwner} per caller, max-probe-sessions-per-caller); delete one first`, { field: 'session_id' });
    }
    checkProbeShape(shape);
    const id = randomUUID();
    this.sessions.set(id, { owner, file: await ProbeFeatureFile.create(shape, this.directory), busy: false, lastUsed: this.now() });
    return id;
  }

  shapeOf(id: string, owner: string): ProbeShape {
    return this.get(id, owner).file.shape;
  }

  /** Appends a batch (errors name `field`); returns the session's token count. */
  async append(id: string, owner: string, batch: ProbeBatch, field: string): Promise<number> {
    return this.use(id, owner, async (file) => {
      const bytes = batch.rows.length * (file.shape.dim * 4 + 12);
      if (file.byteSize + bytes > this.limits.maxSessionBytes) {
        throw new ResourceExhaustedError(`session would exceed ${this.limits.maxSessionBytes} bytes (max-probe-session-bytes)`, { field });
      }
      await this.makeRoom(bytes, field);
      await file.append(batch, field);
      return file.tokenCount;
    });
  }

  /** Runs `fn` with the session's file, one user at a time. */
  async use<T>(id: string, owner: string, fn: (file: ProbeFeatureFile) => Promise<T>): Promise<T> {
    const session = this.get(id, owner);
    if (session.busy) throw new FailedPreconditionError('session is busy with another append or training call', { field: 'session_id' });
    session.busy = true;
    try {
      return await fn(session.file);
    } finally {
      session.busy = false;
      session.lastUsed = this.now();
    }
  }

  async delete(id: string, owner: string): Promise<void> {
    const session = this.get(id, owner);
    this.sessions.delete(id);
    await session.file.remove();
  }

  /** Synchronous cleanup for process exit. */
  removeAllSync(): void {
    for (const session of this.sessions.values()) rmSync(session.file.directory, { recursive: true, force: true });
    this.sessions.clear();
  }

  /** Another caller's session is NOT_FOUND as well: ids are not to be probed. */
  private get(id: string, owner: string): Session {
    const session = this.sessions.get(id);
    if (!session || session.owner !== owner || this.expired(session)) throw new NotFoundError(`no probe session "${id}"`, { field: 'session_id' });
    session.lastUsed = this.now();
    return session;
  }

  private expired(session: Session): boolean {
    return !session.busy && this.now() - session.lastUsed > this.limits.ttlMs;
  }

  private async removeExpired(): Promise<void> {
    for (const [id, session] of this.sessions) {
      if (!this.expired(session)) continue;
      this.sessions.delete(id);
      await session.file.remove();
    }
  }

  /** Removes least recently used idle sessions until `bytes` more fit in the total budget. */
  private async makeRoom(bytes: number, field: string): Promise<void> {
    const sizeOf = (sessions: Session[]) => sessions.reduce((n, s) => n + s.file.byteSize, 0);
    const idle = [...this.sessions.entries()].filter(([, s]) => !s.busy).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    let total = sizeOf([...this.sessions.values()]);
    // Nothing is removed for an append that would not fit even then.
    if (total - sizeOf(idle.map(([, s]) => s)) + bytes > this.limits.maxTotalBytes) {
      throw new ResourceExhaustedError(`probe sessions would exceed ${this.limits.maxTotalBytes} bytes on disk together (max-probe-sessions-bytes)`, { field });
    }
    for (const [id, session] of idle) {
      if (total + bytes <= this.limits.maxTotalBytes) break;
      total -= session.file.byteSize;
      this.sessions.delete(id);
      await session.file.remove();
    }
  }
}
