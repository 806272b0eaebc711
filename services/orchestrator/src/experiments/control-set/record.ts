// The record one sample of this experiment stores: written by control-set.ts, read by aggregate.ts.

export type ControlSetValue = {
  model: string;
  object: string;
  original: boolean;
  inpainted: boolean;
  kept: boolean;
  answers: { original: string; inpainted: string };
};
