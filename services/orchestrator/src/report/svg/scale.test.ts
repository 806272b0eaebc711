import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { niceDomain, niceTicks } from './scale.ts';

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('nice ticks', () => {
  it('are increasing, evenly spaced round numbers covering the range', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        fc.pre(Math.abs(a - b) > 1e-6);
        const [min, max] = a < b ? [a, b] : [b, a];
        const ticks = niceTicks(min, max, 5);
        expect(ticks.length).toBeGreaterThanOrEqual(1);
        expect(ticks.length).toBeLessThanOrEqual(12);
        const step = ticks.length > 1 ? ticks[1] - ticks[0] : max - min;
        for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBeCloseTo(step, 6);
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
        expect(ticks[0]).toBeGreaterThanOrEqual(min - step * 1e-6);
        expect(ticks[ticks.length - 1]).toBeLessThanOrEqual(max + step * 1e-6);
      }),
    );
  });

  it('give a domain that contains the data', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const [min, max] = a < b ? [a, b] : [b, a];
        const [lo, hi] = niceDomain(min, max);
        expect(lo).toBeLessThanOrEqual(min);
        expect(hi).toBeGreaterThanOrEqual(max);
      }),
    );
  });

  it('end for values a few ulps apart (stepping by less than the float spacing never advanced)', () => {
    const next = (x: number) => x + Math.abs(x) * Number.EPSILON;
    for (const x of [0.7, 1e5, -3.25]) {
      expect(niceTicks(x, next(x))).toEqual([x]);
      const [lo, hi] = niceDomain(x, next(x));
      expect(lo <= x && hi >= next(x)).toBe(true);
    }
  });
});
