// Percentile bootstrap confidence interval of the mean over samples, with a seeded PRNG.
import { mean, quantileSorted } from 'simple-statistics';
import { InvalidArgumentError } from '@locscope/server-kit';
import { seededRandom } from './rng.ts';

export interface BootstrapOptions {
  /** Number of resamples. */
  resamples?: number;
  /** Coverage of the interval. */
  confidence?: number;
  seed?: number;
}

export const DEFAULT_BOOTSTRAP: Required<BootstrapOptions> = { resamples: 1000, confidence: 0.95, seed: 0 };

export interface ConfidenceInterval {
  mean: number;
  lower: number;
  upper: number;
}

/**
 * Resamples the values with replacement `resamples` times and takes the (1−c)/2 and (1+c)/2
 * quantiles (numpy's linear interpolation) of the resampled means.
 */
export function bootstrapMeanCi(values: readonly number[], options: BootstrapOptions = {}, field = 'values'): ConfidenceInterval {
  const { resamples, confidence, seed } = { ...DEFAULT_BOOTSTRAP, ...options };
  if (values.length === 0) throw new InvalidArgumentError('no values', { field });
  if (!Number.isInteger(resamples) || resamples < 1) throw new InvalidArgumentError(`must be a positive integer, got ${resamples}`, { field: 'resamples' });
  if (!(confidence > 0 && confidence < 1)) throw new InvalidArgumentError(`must be in (0, 1), got ${confidence}`, { field: 'confidence' });
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`must be finite, got ${v}`, { field: `${field}[${i}]` });
  });
  const random = seededRandom(seed);
  const n = values.length;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.int(0, n - 1)];
    means[r] = sum / n;
  }
  means.sort();
  const sorted = Array.from(means);
  const alpha = (1 - confidence) / 2;
  return { mean: mean([...values]), lower: quantileSorted(sorted, alpha), upper: quantileSorted(sorted, 1 - alpha) };
}
