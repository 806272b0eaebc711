// The record one sample of this experiment stores: written by containerization.ts, read by aggregate.ts.

export type ContainerizationValue = {
  model: string;
  padding: number;
  /** Localization score (mean success over the IoU thresholds) against the GT box grown by each scaling, in `params.scalings` order. */
  scores: number[];
  ious: number[];
  answer: string;
};
