// Aggregation statistics. Reference numbers are numpy's (np.std, np.trapz) for the same inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizedAblationAuc } from './ablation-auc.ts';
import { bootstrapMeanCi } from './bootstrap.ts';
import { breakdown, sizeBreakdown } from './breakdown.ts';
import { dropFromBaseline } from './drops.ts';
import { seededRandom } from './rng.ts';
import { meanStd } from './seed-stats.ts';
import { topK, topKOverlap } from './top-k-overlap.ts';

describe('meanStd', () => {
  it('matches numpy (ddof=1 by default, ddof=0 on request)', () => {
    const seeds = [35.52, 35.57, 35.09];
    expect(meanStd(seeds).mean).toBeCloseTo(35.39333333333334, 12);
    expect(meanStd(seeds).std).toBeCloseTo(0.26388128644019593, 12);
    expect(meanStd(seeds, 0).std).toBeCloseTo(0.2154581681492299, 12);
    expect(meanStd([4])).toEqual({ mean: 4, std: 0, n: 1 });
  });
  it('rejects empty and non-finite input naming the field', () => {
    expect(() => meanStd([])).toThrow(/^values: /);
    expect(() => meanStd([1, Number.NaN])).toThrow(/^values\[1\]: /);
  });
});

describe('bootstrapMeanCi', () => {
  it('is reproducible for a seed and changes with it', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i * 7919) % 13);
    expect(bootstrapMeanCi(values, { seed: 5 })).toEqual(bootstrapMeanCi(values, { seed: 5 }));
    expect(bootstrapMeanCi(values, { seed: 5 })).not.toEqual(bootstrapMeanCi(values, { seed: 6 }));
  });

  it('brackets the sample mean and collapses for constant data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.integer(), (values, seed) => {
        const ci = bootstrapMeanCi(values, { seed, resamples: 200 });
        return ci.lower <= ci.upper && ci.lower <= ci.mean + 1e-9 && ci.mean <= ci.upper + 1e-9;
      }),
      { numRuns: 50 },
    );
    expect(bootstrapMeanCi([0.3, 0.3, 0.3])).toEqual({ mean: 0.3, lower: 0.3, upper: 0.3 });
  });

  it('covers the true mean of a known distribution about 95 % of the time', () => {
    const random = seededRandom(11);
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      // Bernoulli(0.3) successes, like per-sample localization hits.
      const sample = Array.from({ length: 60 }, () => (random.int(0, 999) < 300 ? 1 : 0));
      const ci = bootstrapMeanCi(sample, { seed: t, resamples: 400 });
      if (ci.lower <= 0.3 && 0.3 <= ci.upper) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.99);
  });

  it('rejects bad options naming them', () => {
    expect(() => bootstrapMeanCi([1], { resamples: 0 })).toThrow(/^resamples: /);
    expect(() => bootstrapMeanCi([1], { confidence: 1 })).toThrow(/^confidence: /);
  });
});

describe('breakdown', () => {
  it('groups by key and by COCO size bucket', () => {
    const byKey = breakdown([1, 0, 1, 1], ['a', 'b', 'a', 'b'], { resamples: 50 });
    expect([...byKey.keys()]).toEqual(['a', 'b']);
    expect(byKey.get('a')).toMatchObject({ mean: 1, n: 2 });
    const bySize = sizeBreakdown([1, 0, 1, 0], [100, 32 ** 2, 96 ** 2 - 1, 96 ** 2], { resamples: 50 });
    expect(bySize.get('small')).toMatchObject({ mean: 1, n: 1 });
    expect(bySize.get('medium')).toMatchObject({ mean: 0.5, n: 2 });
    expect(bySize.get('large')).toMatchObject({ mean: 0, n: 1 });
    expect(() => breakdown([1], [])).toThrow(/^keys: /);
  });
});

describe('dropFromBaseline', () => {
  it('reports percentage-point drops as Tab. 1 does', () => {
    // LLaVA-7B baseline 35.34 %, object tokens ablated 5.92 % → ↓29.4.
    expect(dropFromBaseline(35.34, 5.92).absolute).toBeCloseTo(29.42, 10);
    expect(dropFromBaseline(35.34, 5.92).relative).toBeCloseTo(29.42 / 35.34, 10);
    expect(dropFromBaseline(0, 0).relative).toBeNull();
  });
});

describe('normalizedAblationAuc', () => {
  it('matches np.trapz of the baseline-normalized curve over the x-range', () => {
    const curve = [
      { removed: 0, accuracy: 0.8 },
      { removed: 0.5, accuracy: 0.4 },
      { removed: 1, accuracy: 0.2 },
    ];
    expect(normalizedAblationAuc(curve)).toBeCloseTo(0.5625, 12);
    expect(normalizedAblationAuc(curve, { relativeToBaseline: false })).toBeCloseTo(0.45, 12);
  });

  it('is 1 for a flat curve and independent of the x units', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 10 }), fc.double({ min: 0.1, max: 100, noNaN: true }), (ys, unit) => {
        const curve = [{ removed: 0, accuracy: 0.7 }, ...ys.map((accuracy, i) => ({ removed: i + 1, accuracy }))];
        const scaled = curve.map((p) => ({ ...p, removed: p.removed * unit }));
        return Math.abs(normalizedAblationAuc(curve) - normalizedAblationAuc(scaled)) < 1e-9;
      }),
    );
    expect(normalizedAblationAuc([{ removed: 0, accuracy: 0.3 }, { removed: 10, accuracy: 0.3 }])).toBeCloseTo(1, 12);
  });

  it('rejects unusable curves naming the point', () => {
    expect(() => normalizedAblationAuc([{ removed: 0, accuracy: 1 }])).toThrow(/^curve: /);
    expect(() => normalizedAblationAuc([{ removed: 0, accuracy: 1 }, { removed: 0, accuracy: 1 }])).toThrow(/^curve\[1\]\.removed: /);
    expect(() => normalizedAblationAuc([{ removed: 0, accuracy: 0 }, { removed: 1, accuracy: 0 }])).toThrow(/^curve\[0\]\.accuracy: /);
  });
});

describe('top-k overlap', () => {
  it('ranks by score with ties to the lower index and counts shared components', () => {
    expect(topK([0.1, 0.9, 0.5, 0.9], 2)).toEqual([1, 3]);
    const overlap = topKOverlap([0.9, 0.8, 0.1, 0.7, 0], [0.1, 0.95, 0.9, 0.8, 0], 3);
    expect(overlap).toEqual({ k: 3, shared: [1, 3], fraction: 2 / 3 });
    expect(topKOverlap([1, 2, 3], [1, 2, 3], 3).fraction).toBe(1);
  });
  it('rejects bad k and mismatched rankings', () => {
    expect(() => topK([1, 2], 3)).toThrow(/^k: /);
    expect(() => topKOverlap([1, 2], [1], 1)).toThrow(/^b: /);
    expect(() => topK([1, Number.NaN], 1)).toThrow(/^scores\[1\]: /);
  });
});
