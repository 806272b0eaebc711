// Overlap of two head rankings (paper §3.3.2: shared heads among the top-10 / top-50 by MF).
import { InvalidArgumentError } from '@locscope/server-kit';

/** Indices of the k largest scores; ties go to the lower index so the result is deterministic. */
export function topK(scores: ArrayLike<number>, k: number, field = 'scores'): number[] {
  if (!Number.isInteger(k) || k < 1 || k > scores.length) {
    throw new InvalidArgumentError(`k must be an integer in [1, ${scores.length}], got ${k}`, { field: 'k' });
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.forEach((i) => {
    if (Number.isNaN(scores[i])) throw new InvalidArgumentError('is NaN', { field: `${field}[${i}]` });
  });
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, k);
}

export interface TopKOverlap {
  k: number;
  /** Components in both top-k sets, ascending. */
  shared: number[];
  /** shared.length / k. */
  fraction: number;
}

export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): TopKOverlap {
  if (a.length !== b.length) throw new InvalidArgumentError(`${b.length} scores, first ranking has ${a.length}`, { field: 'b' });
  const inA = new Set(topK(a, k, 'a'));
  const shared = topK(b, k, 'b').filter((i) => inA.has(i)).sort((x, y) => x - y);
  return { k, shared, fraction: shared.length / k };
}
