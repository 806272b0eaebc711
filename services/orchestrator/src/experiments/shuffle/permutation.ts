// Seeded shuffles of visual tokens as moves (dst ← src): pure-rand's xoroshiro128+ with its
// unbiased integer distribution (the generator masks uses for random tokens), Fisher–Yates order.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A permutation of 0..n-1, the same for the same (n, seed) on every machine. */
export function seededPermutation(n: number, seed: number): number[] {
  // pure-rand seeds from a 32-bit signed integer; `| 0` maps [0, 2^32) onto it one to one.
  const rng = xoroshiro128plus(seed | 0);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Moves that permute `tokens` among themselves: tokens[i] ← tokens[perm[i]]. */
export function shuffleMoves(tokens: number[], seed: number): { dst: number; src: number }[] {
  const perm = seededPermutation(tokens.length, seed);
  return tokens.map((dst, i) => ({ dst, src: tokens[perm[i]] })).filter((m) => m.dst !== m.src);
}
