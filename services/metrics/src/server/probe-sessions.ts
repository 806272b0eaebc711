// Probe sessions of the gRPC API: each holds one layer's features in a ProbeFeatureFile on the
// server's disk until it is trained and deleted. Bounded in number and size.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { FailedPreconditionError, NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import { ProbeFeatureFile } from '../probes/feature-file.ts';
import { checkProbeShape, type ProbeBatch, type ProbeShape } from '../probes/probe-data.ts';

export interface ProbeSessionLimits {
  /** Sessions open at once. */
  maxSessions?: number;
  /** Bytes (features + labels) one session may spill to disk. */
  maxSessionBytes?: number;
  /** Parent directory of the session files (default: the OS temp dir). */
  directory?: string;
}

export const DEFAULT_PROBE_SESSION_LIMITS = { maxSessions: 8, maxSessionBytes: 8 * 1024 ** 3 } as const;

interface Session {
  file: ProbeFeatureFile;
  /** Set while an append or a training pass uses the file. */
  busy: boolean;
}

export class ProbeSessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly maxSessions: number;
  private readonly maxSessionBytes: number;

  constructor(private readonly limits: ProbeSessionLimits = {}) {
    this.maxSessions = limits.maxSessions ?? DEFAULT_PROBE_SESSION_LIMITS.maxSessions;
    this.maxSessionBytes = limits.maxSessionBytes ?? DEFAULT_PROBE_SESSION_LIMITS.maxSessionBytes;
  }

  async create(shape: ProbeShape): Promise<string> {
    if (this.sessions.size >= this.maxSessions) {
      throw new ResourceExhaustedError(`${this.sessions.size} probe sessions are open (limit ${this.maxSessions}); delete one first`, { field: 'session_id' });
    }
    checkProbeShape(shape);
    const id = randomUUID();
    this.sessions.set(id, { file: await ProbeFeatureFile.create(shape, this.limits.directory), busy: false });
    return id;
  }

  shapeOf(id: string): ProbeShape {
    return this.get(id).file.shape;
  }

  /** Appends a batch (errors name `field`); returns the session's token count. */
  async append(id: string, batch: ProbeBatch, field: string): Promise<number> {
    return this.use(id, async (file) => {
      const bytes = batch.rows.length * (file.shape.dim * 4 + 12);
      if (file.byteSize + bytes > this.maxSessionBytes) {
        throw new ResourceExhaustedError(`session would exceed ${this.maxSessionBytes} bytes`, { field });
      }
      await file.append(batch, field);
      return file.tokenCount;
    });
  }

  /** Runs `fn` with the session's file, one user at a time. */
  async use<T>(id: string, fn: (file: ProbeFeatureFile) => Promise<T>): Promise<T> {
    const session = this.get(id);
    if (session.busy) throw new FailedPreconditionError('session is busy with another append or training call', { field: 'session_id' });
    session.busy = true;
    try {
      return await fn(session.file);
    } finally {
      session.busy = false;
    }
  }

  async delete(id: string): Promise<void> {
    const session = this.get(id);
    this.sessions.delete(id);
    await session.file.remove();
  }

  /** Synchronous cleanup for process exit. */
  removeAllSync(): void {
    for (const session of this.sessions.values()) rmSync(session.file.directory, { recursive: true, force: true });
    this.sessions.clear();
  }

  private get(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) throw new NotFoundError(`no probe session "${id}"`, { field: 'session_id' });
    return session;
  }
}
