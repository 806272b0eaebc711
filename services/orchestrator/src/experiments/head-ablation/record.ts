// The record one sample of this experiment stores: written by head-ablation.ts, read by aggregate.ts.
import type { HeadGroup } from './ranking.ts';

export type HeadAblationValue = {
  model: string;
  task: 'localization';
  condition: HeadGroup;
  fraction: number;
  removed: number;
  score: number;
  iou: number | null;
  answer: string;
};
