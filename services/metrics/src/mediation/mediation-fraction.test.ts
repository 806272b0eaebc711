import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanMediationFractions, mediationFraction } from './mediation-fraction.ts';

describe('mediation fraction', () => {
  it('follows eq. 1: 1 when patching closes the gap, 0 when it does nothing, < 0 when it widens it', () => {
    expect(mediationFraction(10, 2, 2)).toBe(1);
    expect(mediationFraction(10, 2, 10)).toBe(0);
    expect(mediationFraction(10, 2, 6)).toBe(0.5);
    expect(mediationFraction(10, 2, 14)).toBe(-0.5);
  });

  it('excludes pairs whose base and source perplexities are closer than the threshold, and counts them', () => {
    expect(mediationFraction(5, 4.9995, 4.9)).toBeNull();
    const summary = meanMediationFractions(
      [
        { base: 10, source: 2, patched: [2, 10, 6] },
        { base: 3, source: 3, patched: [1, 1, 1] },
        { base: 4, source: 2, patched: [3, 4, 5] },
      ],
      0.01,
    );
    expect(Array.from(summary.meanMf)).toEqual([0.75, 0, 0]);
    expect(summary).toMatchObject({ pairsUsed: 2, pairsExcluded: 1 });
  });

  it('rejects inconsistent component counts and impossible perplexities, naming the field', () => {
    expect(() => meanMediationFractions([])).toThrow(/^pairs: /);
    expect(() => meanMediationFractions([{ base: 2, source: 1, patched: [1, 2] }, { base: 2, source: 1, patched: [1] }])).toThrow(/^pairs\[1\]\.patched: /);
    expect(() => meanMediationFractions([{ base: Number.NaN, source: 1, patched: [1] }])).toThrow(/^pairs\[0\]\.base: /);
    expect(() => meanMediationFractions([{ base: 3, source: 1, patched: [0] }])).toThrow(/^pairs\[0\]\.patched\[0\]: /);
  });

  it('is affine in the patched perplexity: P_patched = P_base − MF·(P_base − P_src)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (base, source, mf) => {
        fc.pre(Math.abs(base - source) > 0.1);
        const patched = base - mf * (base - source);
        return Math.abs(mediationFraction(base, source, patched)! - mf) < 1e-9;
      }),
    );
  });
});
