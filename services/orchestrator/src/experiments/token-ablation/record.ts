// The record one sample of this experiment stores: written by token-ablation.ts, read by aggregate.ts.
import type { ViewCounts } from '../common/geometry.ts';
import type { Task } from '../tasks.ts';

export type AblationValue = {
  model: string;
  task: Task;
  /** `clean`, `object±p`, `ig-k`, `random-k`, `register`. */
  condition: string;
  score: number;
  iou: number | null;
  answer: string;
  removed: ViewCounts;
  tokens: ViewCounts;
};

export function paddingCondition(p: number): string {
  return p === 0 ? 'object' : `object${p > 0 ? '+' : ''}${p}`;
}
