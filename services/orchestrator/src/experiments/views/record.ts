// The record one sample of this experiment stores: written by views.ts, read by aggregate.ts.
import type { Task } from '../tasks.ts';

export type SizeName = 'small' | 'medium' | 'large';

export type ViewsValue = {
  model: string;
  task: Task;
  /** `clean` or `<view>/<padding>`. */
  condition: string;
  size: SizeName;
  /** Views the image has; 1 means no local/global split. */
  views: number;
  /** Share of the ablated view's tokens removed. */
  share: number;
  score: number;
  iou: number | null;
  answer: string;
};
