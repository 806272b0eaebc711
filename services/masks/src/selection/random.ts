// Seeded random token selections (reproducible across runs and machines): pure-rand's
// xoroshiro128+ with its unbiased integer distribution.
import { InvalidArgumentError } from '@locscope/server-kit';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export function checkSeed(seed: number, field = 'seed'): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`must be an integer in [0, 2^32), got ${seed}`, { field });
  }
}

export function seededGenerator(seed: number): RandomGenerator {
  checkSeed(seed);
  // pure-rand seeds from a 32-bit signed integer; `| 0` maps [0, 2^32) onto it one to one.
  return xoroshiro128plus(seed | 0);
}

/** A uniform index in [0, n). */
export function randomIndex(rng: RandomGenerator, n: number): number {
  return uniformInt(rng, 0, n - 1);
}

export interface RandomTokensOptions {
  /** Token indices that must not be chosen (e.g. the object's own tokens); none by default. */
  exclude?: readonly number[];
}

/**
 * k distinct tokens out of [0, tokenCount), uniformly, minus `exclude`; ascending. A partial
 * Fisher–Yates shuffle, so the draw depends only on (tokenCount, exclude, k, seed).
 */
export function randomTokens(tokenCount: number, k: number, seed: number, options: RandomTokensOptions = {}): number[] {
  const excluded = new Set(options.exclude ?? []);
  for (const index of excluded) {
    if (!Number.isInteger(index) || index < 0 || index >= tokenCount) {
      throw new InvalidArgumentError(`token ${index} out of range [0, ${tokenCount})`, { field: 'exclude' });
    }
  }
  const pool: number[] = [];
  for (let i = 0; i < tokenCount; i++) if (!excluded.has(i)) pool.push(i);
  if (!Number.isInteger(k) || k < 0 || k > pool.length) {
    throw new InvalidArgumentError(`must be an integer in [0, ${pool.length}] (tokens available), got ${k}`, { field: 'k' });
  }
  const rng = seededGenerator(seed);
  for (let i = 0; i < k; i++) {
    const j = i + randomIndex(rng, pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}
