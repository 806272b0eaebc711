// Seeded pseudo-random numbers for everything statistical here, so results are reproducible.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export type SeededRandom = {
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
};

export function seededRandom(seed: number): SeededRandom {
  const rng = xoroshiro128plus(seed | 0);
  return { int: (min, max) => uniformInt(rng, min, max) };
}
