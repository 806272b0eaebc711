// The record one sample of this experiment stores: written by shuffle.ts, read by aggregate.ts.
import type { Task } from '../tasks.ts';

export type ShuffleValue = {
  model: string;
  task: Task;
  /** `clean`, `full` or `object`. */
  condition: string;
  score: number;
  iou: number | null;
  answer: string;
};
