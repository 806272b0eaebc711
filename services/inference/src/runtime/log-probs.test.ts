import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { rowNorms, tokenLogProb } from './log-probs.ts';

const row = fc.array(fc.float({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 40 }).map((a) => Float32Array.from(a));

describe('tokenLogProb', () => {
  test('probabilities of a row sum to 1 and each is at most 1', () => {
    fc.assert(
      fc.property(row, (logits) => {
        let total = 0;
        for (let t = 0; t < logits.length; t++) {
          const lp = tokenLogProb(logits, 0, logits.length, t);
          expect(lp).toBeLessThanOrEqual(1e-12);
          total += Math.exp(lp);
        }
        expect(total).toBeCloseTo(1, 9);
      }),
    );
  });

  test('is invariant to adding a constant to every logit', () => {
    fc.assert(
      fc.property(row, fc.float({ min: -1000, max: 1000, noNaN: true }), (logits, c) => {
        const shifted = logits.map((v) => v + c);
        const t = logits.length - 1;
        expect(tokenLogProb(shifted, 0, logits.length, t)).toBeCloseTo(tokenLogProb(logits, 0, logits.length, t), 2);
      }),
    );
  });

  test('reads the row at its offset', () => {
    const logits = Float32Array.from([9, 9, 0, Math.log(3)]);
    expect(tokenLogProb(logits, 2, 2, 1)).toBeCloseTo(Math.log(3 / 4), 6);
  });
});

describe('rowNorms', () => {
  test('equals the Euclidean norm of each row', () => {
    expect(Array.from(rowNorms(Float32Array.from([3, 4, 0, 0, 5, 12]), 2))).toEqual([5, 0, 13]);
  });
});
