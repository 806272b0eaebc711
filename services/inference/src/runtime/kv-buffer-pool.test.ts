import { describe, expect, test } from 'vitest';
import { KvBufferPool } from './kv-buffer-pool.ts';

describe('KvBufferPool', () => {
  test('memory given back is reused, zeroed, for a request that fits', () => {
    const pool = new KvBufferPool(1024);
    const first = pool.take(64);
    first.fill(7);
    pool.give(first.subarray(8, 16));
    const again = pool.take(32);
    expect(again.buffer).toBe(first.buffer);
    expect(again.length).toBe(32);
    expect(again.every((x) => x === 0)).toBe(true);
    // Taken: a concurrent caller gets its own memory.
    expect(pool.take(32).buffer).not.toBe(first.buffer);
  });

  test('keeps one idle array, the larger, and none over maxBytes', () => {
    const pool = new KvBufferPool(1024);
    const small = pool.take(16);
    const large = pool.take(128);
    pool.give(large);
    pool.give(small);
    expect(pool.take(100).buffer).toBe(large.buffer);
    const huge = pool.take(512);
    pool.give(huge);
    expect(pool.take(512).buffer).not.toBe(huge.buffer);
  });
});
