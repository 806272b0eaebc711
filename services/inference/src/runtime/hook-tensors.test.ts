// The factored knockout feeds: expanded as the graph expands them (a query/key pair is blocked
// when some term marks both), they give the dense [L, B, T, keys] bias of the knockout's
// definition — a decode step's over a KV buffer's whole key axis — while their size grows with
// L·(T + keys), not T·keys.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as io from '../graph/decoder-io.ts';
import type { Intervention, Knockout } from '../interventions/intervention.ts';
import { knockoutFactors, type Step } from './hook-tensors.ts';

/** Dense blocked[l][b][t][key] straight from the knockout's definition. */
function denseBlocked(variants: Intervention[], layers: number, step: Step): boolean[][][][] {
  const S = step.start + step.length;
  const K = step.keys ?? S;
  return Array.from({ length: layers }, (_, l) =>
    variants.map((v) =>
      Array.from({ length: step.length }, (_, t) => {
        const q = step.start + t;
        return Array.from({ length: K }, (_, key) =>
          (v.knockouts ?? []).some((k) => k.layers.includes(l) && key < S && k.keyPositions.includes(key) && ((k.queryPositions ?? []).includes(q) || (k.queriesFrom !== undefined && q >= k.queriesFrom))),
        );
      }),
    ),
  );
}

/** The factors' expansion: term counts Σ_r queries[l, b, t, r] · keys[l, b, r, key] > 0. */
function expand(feeds: ReturnType<typeof knockoutFactors>): boolean[][][][] {
  const queries = feeds[io.KNOCKOUT_QUERIES];
  const keys = feeds[io.KNOCKOUT_KEYS];
  const [L, B, T, R] = queries.dims;
  const K = keys.dims[3];
  const q = queries.data as Float32Array;
  const k = keys.data as Float32Array;
  return Array.from({ length: L }, (_, l) =>
    Array.from({ length: B }, (_, b) =>
      Array.from({ length: T }, (_, t) =>
        Array.from({ length: K }, (_, key) => {
          let terms = 0;
          for (let r = 0; r < R; r++) terms += q[((l * B + b) * T + t) * R + r] * k[((l * B + b) * R + r) * K + key];
          return terms > 0;
        }),
      ),
    ),
  );
}

describe('knockoutFactors', () => {
  test('a decode step over a KV buffer: the factors span `keys` columns, blocked keys only within the cache', () => {
    const variants: Intervention[] = [{}, { knockouts: [{ layers: [1], keyPositions: [0, 2, 9], queriesFrom: 5 }] }];
    const step = { start: 6, length: 1, keys: 10 };
    const feeds = knockoutFactors(variants, 2, step);
    expect(feeds[io.KNOCKOUT_QUERIES].dims).toEqual([2, 2, 1, 1]);
    expect(feeds[io.KNOCKOUT_KEYS].dims).toEqual([2, 2, 1, 10]);
    // Key 9 lies after the query (position 6): the graph masks that slot as unfilled, so no term marks it.
    expect(expand(feeds)[1][1][0]).toEqual([true, false, true, false, false, false, false, false, false, false]);
    expect(expand(feeds)).toEqual(denseBlocked(variants, 2, step));
  });

  test('expanded, the factors equal the dense knockout mask of any variants and step', () => {
    const L = 3;
    const positions = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 5 });
    const knockout: fc.Arbitrary<Knockout> = fc.record(
      { layers: fc.uniqueArray(fc.integer({ min: 0, max: L - 1 }), { minLength: 1, maxLength: L }), keyPositions: positions, queryPositions: positions, queriesFrom: fc.integer({ min: 0, max: 12 }) },
      { requiredKeys: ['layers', 'keyPositions'] },
    );
    const variant = fc.record({ knockouts: fc.array(knockout, { maxLength: 3 }) });
    const step = fc.integer({ min: 0, max: 8 }).chain((start) => fc.record({ start: fc.constant(start), length: fc.integer({ min: 1, max: 4 }), keys: fc.integer({ min: start + 4, max: 14 }) }));
    fc.assert(
      fc.property(fc.array(variant, { minLength: 1, maxLength: 4 }), step, (variants, s) => {
        expect(expand(knockoutFactors(variants, L, s))).toEqual(denseBlocked(variants, L, s));
      }),
    );
  });

  test('the fed size is O(L·B·R·(T + keys)): a 1,792-token knockout in 4 of 36 layers stays under 2 MB', () => {
    const T = 1_900;
    const image = Array.from({ length: 1_792 }, (_, i) => 10 + i);
    const variants: Intervention[] = Array.from({ length: 2 }, () => ({ knockouts: [{ layers: [0, 1, 2, 3], keyPositions: image, queriesFrom: 1_802 }] }));
    const feeds = knockoutFactors(variants, 36, { start: 0, length: T });
    const bytes = Object.values(feeds).reduce((sum, t) => sum + (t.data as Float32Array).byteLength, 0);
    expect(bytes).toBe(4 * 36 * 2 * 1 * (T + T));
    // The dense [L, B, 1, T, T] bias it replaces: 1 040 MB.
    expect(bytes).toBeLessThan((4 * 36 * 2 * T * T) / 500);
  });
});
