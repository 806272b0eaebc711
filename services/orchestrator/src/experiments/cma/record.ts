// The record one sample of this experiment stores: written by cma.ts, read by aggregate.ts.
import type { CmaParams } from './params.ts';

export type CmaTask = CmaParams['tasks'][number];

export type CmaValue = {
  model: string;
  task: CmaTask;
  layers: number;
  heads: number;
  /** P_base (object removed) and P_src (object present). */
  base: number;
  source: number;
  /** P_patched per head, layer-major: index = layer · heads + head. */
  patched: number[];
};
