// The record one sample of this experiment stores: written by position-probe.ts, read by aggregate.ts.
import type { Component } from './features.ts';

export type ProbeValue = {
  model: string;
  component: Component;
  layer: number;
  rowAccuracy: number;
  colAccuracy: number;
  accuracy: number;
  /** Held-out accuracy per grid position (null where no token was held out). */
  positionAccuracy: (number | null)[][];
};
