// Probe sessions are owned, capped per caller, expire and are evicted least recently used past the
// disk budget (issue 13: one client could hold every session, with no owner and no expiry).
import { NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeBatch } from '../probes/probe-data.ts';
import { ProbeSessionStore } from './probe-sessions.ts';

const shape = { dim: 4, gridRows: 2, gridCols: 2 };
/** `n` tokens: n × (4 dims × 4 bytes + 12 bytes of labels) = 28·n bytes on disk. */
const batch = (n: number): ProbeBatch => ({ features: new Float32Array(n * 4), rows: new Int32Array(n), cols: new Int32Array(n), groups: new Int32Array(n) });
const stores: ProbeSessionStore[] = [];
const store = (...args: ConstructorParameters<typeof ProbeSessionStore>) => {
  const s = new ProbeSessionStore(...args);
  stores.push(s);
  return s;
};

afterEach(() => stores.splice(0).forEach((s) => s.removeAllSync()));

describe('ProbeSessionStore', () => {
  it("hides a session from other callers and caps each caller's sessions", async () => {
    const sessions = store({ maxSessions: 8, maxSessionsPerOwner: 2 });
    const id = await sessions.create(shape, 'alice');
    expect(() => sessions.shapeOf(id, 'bob')).toThrowError(NotFoundError);
    await expect(sessions.delete(id, 'bob')).rejects.toThrowError(NotFoundError);
    await sessions.create(shape, 'alice');
    await expect(sessions.create(shape, 'alice')).rejects.toThrowError(ResourceExhaustedError);
    await sessions.create(shape, 'bob');
    expect(sessions.shapeOf(id, 'alice')).toEqual(shape);
  });

  it('removes a session unused for its TTL', async () => {
    let now = 0;
    const sessions = store({ ttlMs: 1000 }, () => now);
    const id = await sessions.create(shape, 'alice');
    now = 900;
    expect(await sessions.append(id, 'alice', batch(1), 'data')).toBe(1);
    now = 1800;
    expect(sessions.shapeOf(id, 'alice')).toEqual(shape);
    now = 2900;
    expect(() => sessions.shapeOf(id, 'alice')).toThrowError(NotFoundError);
  });

  it('removes the least recently used idle sessions past the total byte budget', async () => {
    let now = 0;
    const sessions = store({ maxTotalBytes: 28 * 10 }, () => now);
    const [a, b, c] = [await sessions.create(shape, 'x'), await sessions.create(shape, 'y'), await sessions.create(shape, 'z')];
    for (const id of [a, b, c]) {
      now++;
      await sessions.append(id, id === a ? 'x' : id === b ? 'y' : 'z', batch(3), 'data');
    }
    now++;
    sessions.shapeOf(a, 'x');
    // 9 tokens held, 10 fit: two more evict b, the least recently used.
    await sessions.append(c, 'z', batch(2), 'data');
    expect(() => sessions.shapeOf(b, 'y')).toThrowError(NotFoundError);
    expect(sessions.shapeOf(a, 'x')).toEqual(shape);
    await expect(sessions.append(c, 'z', batch(20), 'data')).rejects.toThrowError(ResourceExhaustedError);
    // Refused without removing anything.
    expect(sessions.shapeOf(a, 'x')).toEqual(shape);
  });
});
