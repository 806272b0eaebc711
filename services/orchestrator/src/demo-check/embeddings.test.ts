import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { meanRow, replaceRows } from './embeddings.ts';

const matrix = (rows: number, hidden: number) => fc.float32Array({ minLength: rows * hidden, maxLength: rows * hidden, noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 });

describe('meanRow', () => {
  it('is the per-column mean over every row of every matrix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (hidden, rowsA, rowsB) =>
        fc.assert(
          fc.property(matrix(rowsA, hidden), matrix(rowsB, hidden), (a, b) => {
            const mean = meanRow([a, b], hidden);
            for (let c = 0; c < hidden; c++) {
              let sum = 0;
              for (let r = 0; r < rowsA; r++) sum += a[r * hidden + c];
              for (let r = 0; r < rowsB; r++) sum += b[r * hidden + c];
              expect(mean[c]).toBeCloseTo(Math.fround(sum / (rowsA + rowsB)), 2);
            }
          }),
          { numRuns: 5 },
        ),
      ),
      { numRuns: 20 },
    );
  });

  it('refuses to average nothing', () => {
    expect(() => meanRow([], 4)).toThrow(/no rows/);
  });
});

describe('replaceRows', () => {
  it('changes exactly the listed rows, leaving the input untouched', () => {
    fc.assert(
      fc.property(matrix(6, 3), fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 6 }), (m, rows) => {
        const before = m.slice();
        const row = Float32Array.of(7, 8, 9);
        const out = replaceRows(m, rows, row, 3);
        expect(m).toEqual(before);
        for (let r = 0; r < 6; r++) {
          const got = Array.from(out.subarray(r * 3, r * 3 + 3));
          expect(got).toEqual(rows.includes(r) ? [7, 8, 9] : Array.from(m.subarray(r * 3, r * 3 + 3)));
        }
      }),
    );
  });

  it('names a row outside the matrix', () => {
    expect(() => replaceRows(new Float32Array(6), [2], new Float32Array(3), 3)).toThrow(/row 2 is outside \[0, 2\)/);
  });
});
