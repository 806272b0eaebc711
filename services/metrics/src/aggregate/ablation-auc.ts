// Normalized area under a cumulative head-ablation curve (paper Fig. 5).
//
// Normalization: the curve is accuracy y(x) against the fraction x of heads removed. Accuracies are
// divided by the unablated accuracy y(0) and the trapezoidal area is divided by the x-range:
//
//   nAUC = 1/(x_max − x_min) · ∫ y(x)/y(0) dx
//
// so a curve that never drops scores 1, one that falls to 0 at once scores ≈ 0, and curves of
// different models or x-grids are comparable. With `relativeToBaseline: false` the raw accuracies
// are integrated (still divided by the x-range), i.e. the mean accuracy over the curve.
import { InvalidArgumentError } from '@locscope/server-kit';

export interface AblationPoint {
  /** Fraction (or count) of heads removed; the first point is the unablated model. */
  removed: number;
  accuracy: number;
}

export interface AblationAucOptions {
  relativeToBaseline?: boolean;
}

export function normalizedAblationAuc(curve: readonly AblationPoint[], options: AblationAucOptions = {}): number {
  const relative = options.relativeToBaseline ?? true;
  if (curve.length < 2) throw new InvalidArgumentError(`needs at least 2 points, got ${curve.length}`, { field: 'curve' });
  curve.forEach((p, i) => {
    if (!Number.isFinite(p.removed) || !Number.isFinite(p.accuracy)) {
      throw new InvalidArgumentError('removed and accuracy must be finite', { field: `curve[${i}]` });
    }
    if (i > 0 && !(p.removed > curve[i - 1].removed)) {
      throw new InvalidArgumentError(`removed must increase, got ${p.removed} after ${curve[i - 1].removed}`, { field: `curve[${i}].removed` });
    }
  });
  const scale = relative ? curve[0].accuracy : 1;
  if (relative && !(scale > 0)) throw new InvalidArgumentError('unablated accuracy must be > 0 to normalize by it', { field: 'curve[0].accuracy' });
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    area += ((curve[i].accuracy + curve[i - 1].accuracy) / 2) * (curve[i].removed - curve[i - 1].removed);
  }
  return area / scale / (curve[curve.length - 1].removed - curve[0].removed);
}
