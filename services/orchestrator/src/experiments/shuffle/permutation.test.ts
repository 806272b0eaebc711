import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededPermutation, shuffleMoves } from './permutation.ts';

describe('seededPermutation', () => {
  it('is a permutation of 0..n-1, reproducible per seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0xffffffff }), (n, seed) => {
        const perm = seededPermutation(n, seed);
        expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(seededPermutation(n, seed)).toEqual(perm);
      }),
    );
  });

  it('gives different orders for different seeds', () => {
    expect(seededPermutation(64, 0)).not.toEqual(seededPermutation(64, 1));
  });
});

describe('shuffleMoves', () => {
  it('moves tokens only among the given ones, each source used once', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 80 }), fc.nat(), (tokens, seed) => {
        const moves = shuffleMoves(tokens, seed);
        const set = new Set(tokens);
        expect(moves.every((m) => set.has(m.dst) && set.has(m.src) && m.dst !== m.src)).toBe(true);
        expect(new Set(moves.map((m) => m.src)).size).toBe(moves.length);
        expect(new Set(moves.map((m) => m.dst))).toEqual(new Set(moves.map((m) => m.src)));
      }),
    );
  });
});
