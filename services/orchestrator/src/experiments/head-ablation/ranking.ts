// Head groups of Fig. 5 from CMA's mean MF per head: task-critical heads are the highest-MF heads
// of that task; low-importance heads those with MF closest to zero on localization (the task
// Fig. 5 measures).
import { InvalidArgumentError } from '@locscope/server-kit';
import type { CmaModelSummary } from '../cma/aggregate.ts';
import type { HeadAblationParams } from './params.ts';

export type HeadGroup = HeadAblationParams['groups'][number];

/** Head indices (layer-major) in removal order; ties keep the lower index first. */
export function rankHeads(group: HeadGroup, cma: CmaModelSummary): number[] | null {
  const source = group === 'classification-critical' ? cma.mf.binary : cma.mf.localization;
  if (!source) return null;
  const order = source.map((_, i) => i);
  const key = group === 'low-importance' ? (i: number) => Math.abs(source[i]) : (i: number) => -source[i];
  return order.sort((a, b) => key(a) - key(b) || a - b);
}

/** Heads removed at each fraction of all heads (rounded to the nearest count). */
export function headCount(fraction: number, total: number): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new InvalidArgumentError(`must be in [0, 1], got ${fraction}`, { field: 'params.fractions' });
  return Math.round(fraction * total);
}
