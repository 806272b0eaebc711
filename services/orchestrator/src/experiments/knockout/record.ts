// The record one sample of this experiment stores: written by knockout.ts, read by aggregate.ts.
import type { Task } from '../tasks.ts';

export type KnockoutValue = {
  model: string;
  task: Task;
  /** `clean`, `L<first>-<last>` or `all`. */
  condition: string;
  /** Layers blocked (empty for clean). */
  layers: number[];
  score: number;
  iou: number | null;
  answer: string;
};

export const CLEAN = 'clean';
