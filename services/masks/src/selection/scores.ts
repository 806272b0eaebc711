// Selections from per-token values: register tokens (high embedding norm) and top-k by
// attribution score.
import { InvalidArgumentError } from '@locscope/server-kit';

/** Register tokens have a norm above mean + this many standard deviations (paper §3.1). */
export const REGISTER_STD_FACTOR = 2;

function checkFinite(values: ArrayLike<number>, field: string): void {
  if (values.length === 0) throw new InvalidArgumentError('is empty', { field });
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new InvalidArgumentError(`value ${i} is ${values[i]}`, { field });
  }
}

export interface RegisterTokens {
  indices: number[];
  mean: number;
  /** Population standard deviation (ddof 0) of the norms. */
  std: number;
  threshold: number;
}

/** Tokens whose embedding norm exceeds mean + 2σ over all given tokens. */
export function registerTokens(norms: ArrayLike<number>, field = 'norms'): RegisterTokens {
  checkFinite(norms, field);
  const n = norms.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += norms[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (norms[i] - mean) ** 2;
  const std = Math.sqrt(squares / n);
  const threshold = mean + REGISTER_STD_FACTOR * std;
  const indices: number[] = [];
  for (let i = 0; i < n; i++) if (norms[i] > threshold) indices.push(i);
  return { indices, mean, std, threshold };
}

/** The k highest-scoring tokens, best first; equal scores keep the lower index first. */
export function topKTokens(scores: ArrayLike<number>, k: number, field = 'scores'): number[] {
  checkFinite(scores, field);
  if (!Number.isInteger(k) || k < 0 || k > scores.length) {
    throw new InvalidArgumentError(`must be an integer in [0, ${scores.length}] (tokens scored), got ${k}`, { field: 'k' });
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, k);
}
