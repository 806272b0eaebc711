import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import fc from 'fast-check';
import { tokenLayout } from '../grid/layout.ts';
import { objectTokens } from '../grid/projection.ts';
import { containerize } from './containerize.ts';
import { randomTokens } from './random.ts';
import { registerTokens, topKTokens } from './scores.ts';
import { sizeBucket } from './size-bucket.ts';

describe('random tokens', () => {
  it('are k distinct in-range indices, reproducible per seed, and respect exclusions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (n, kRaw, seed) => {
        const exclude = [0, n - 1].filter((v, i, a) => a.indexOf(v) === i);
        const k = kRaw % (n - exclude.length + 1);
        const a = randomTokens(n, k, seed, { exclude });
        expect(a).toEqual(randomTokens(n, k, seed, { exclude }));
        expect(new Set(a).size).toBe(k);
        expect(a.every((i) => i >= 0 && i < n && !exclude.includes(i))).toBe(true);
      }),
    );
  });

  it('differ between seeds and reach every token', () => {
    expect(randomTokens(576, 48, 1)).not.toEqual(randomTokens(576, 48, 2));
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) randomTokens(20, 3, seed).forEach((i) => seen.add(i));
    expect(seen.size).toBe(20);
  });

  it('reject k larger than the tokens available, naming k', () => {
    expect(() => randomTokens(10, 11, 0)).toThrow(InvalidArgumentError);
    expect(() => randomTokens(10, 10, 0, { exclude: [3] })).toThrow(/^k:/);
  });
});

describe('register tokens and top-k', () => {
  it('select norms above mean + 2σ (population σ)', () => {
    const norms = [...Array(20).fill(1), 10];
    const result = registerTokens(norms);
    // mean = 30/21, σ² = Σ(x−mean)²/21.
    const mean = 30 / 21;
    const std = Math.sqrt((20 * (1 - mean) ** 2 + (10 - mean) ** 2) / 21);
    expect(result.mean).toBeCloseTo(mean, 12);
    expect(result.std).toBeCloseTo(std, 12);
    expect(result.indices).toEqual([20]);
    expect(registerTokens([2, 2, 2]).indices).toEqual([]);
  });

  it('top-k orders by score, ties by index, and rejects k beyond the scores', () => {
    expect(topKTokens([0.1, 0.9, 0.5, 0.9], 3)).toEqual([1, 3, 2]);
    expect(() => topKTokens([1, 2], 3)).toThrow(/^k:/);
    expect(() => topKTokens([1, NaN], 1)).toThrow(/^scores:/);
  });
});

describe('size buckets', () => {
  it('use the COCO thresholds 32² and 96²', () => {
    expect([0, 1023, 1024, 9215, 9216].map((a) => sizeBucket(a))).toEqual(['small', 'small', 'medium', 'medium', 'large']);
  });
});

describe('containerization', () => {
  // A 4×4 block in the middle of a 96×96 image: on a 12×12 LLaVA grid (8 px cells) it touches
  // 2×2 cells [5..6]², whose ring at p = 1 is the 12 cells around them.
  const mask = { width: 96, height: 96, data: new Uint8Array(96 * 96) };
  for (let y = 44; y < 52; y++) for (let x = 44; x < 52; x++) mask.data[y * 96 + x] = 1;
  const layout = tokenLayout('llava', 96, 96, { llavaGridSize: 12 });

  it('fills exactly the dilation ring with tokens from inside the object, reproducibly', () => {
    const object = objectTokens(layout, mask, 0).flat();
    const dilated = objectTokens(layout, mask, 1).flat();
    const result = containerize(layout, mask, 1, 7);
    expect(object).toEqual([5 * 12 + 5, 5 * 12 + 6, 6 * 12 + 5, 6 * 12 + 6]);
    expect(result.moves.map((m) => m.dst)).toEqual(dilated.filter((t) => !object.includes(t)));
    expect(result.moves.every((m) => object.includes(m.src))).toBe(true);
    expect(containerize(layout, mask, 1, 7)).toEqual(result);
    expect(containerize(layout, mask, 1, 8).moves).not.toEqual(result.moves);
  });

  it('grows the GT box by p cells of the global grid, clipped to the image', () => {
    expect(containerize(layout, mask, 0, 0)).toMatchObject({ moves: [], gtBox: [44, 44, 52, 52], grownBox: [44, 44, 52, 52] });
    expect(containerize(layout, mask, 2, 0).grownBox).toEqual([28, 28, 68, 68]);
    expect(containerize(layout, mask, 6, 0).grownBox).toEqual([0, 0, 96, 96]);
  });
});
