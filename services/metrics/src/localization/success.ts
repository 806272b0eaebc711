// Localization score of paper §2.3: success rate at IoU thresholds 0.5/0.7/0.9, and their mean.
import { InvalidArgumentError } from '@locscope/server-kit';

export const DEFAULT_IOU_THRESHOLDS = [0.5, 0.7, 0.9] as const;

export interface LocalizationScore {
  /** Success rate in [0, 1] per threshold, keyed by the threshold as printed ("0.5"). */
  success: Record<string, number>;
  /** Mean of the success rates (the paper's localization score), in [0, 1]. */
  localization: number;
}

/**
 * A sample succeeds at threshold t when IoU ≥ t (pycocotools' matching rule; the paper's "exceeds"
 * differs only for IoU exactly equal to t). A missing box counts as IoU 0.
 */
export function localizationScore(ious: readonly number[], thresholds: readonly number[] = DEFAULT_IOU_THRESHOLDS): LocalizationScore {
  if (ious.length === 0) throw new InvalidArgumentError('no samples to score', { field: 'ious' });
  if (thresholds.length === 0) throw new InvalidArgumentError('at least one IoU threshold is needed', { field: 'thresholds' });
  ious.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`IoU must be in [0, 1], got ${v}`, { field: `ious[${i}]` });
  });
  const success: Record<string, number> = {};
  for (const [i, t] of thresholds.entries()) {
    if (!(t > 0 && t <= 1)) throw new InvalidArgumentError(`threshold must be in (0, 1], got ${t}`, { field: `thresholds[${i}]` });
    success[String(t)] = ious.filter((v) => v >= t).length / ious.length;
  }
  const rates = Object.values(success);
  return { success, localization: rates.reduce((a, b) => a + b, 0) / rates.length };
}
