// Mean ± standard deviation of a metric over repeated runs (seeds), as the paper reports them.
import { mean, sampleStandardDeviation, standardDeviation } from 'simple-statistics';
import { InvalidArgumentError } from '@locscope/server-kit';

export interface MeanStd {
  mean: number;
  std: number;
  n: number;
}

/**
 * Delta degrees of freedom of the std: 1 (sample std, unbiased variance) by default, since seeds
 * are a sample of possible runs; 0 gives numpy's np.std default.
 */
export const DEFAULT_STD_DDOF = 1;

export function meanStd(values: readonly number[], ddof: 0 | 1 = DEFAULT_STD_DDOF, field = 'values'): MeanStd {
  if (values.length === 0) throw new InvalidArgumentError('no values', { field });
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new InvalidArgumentError(`must be finite, got ${v}`, { field: `${field}[${i}]` });
  });
  const std = values.length < 2 ? 0 : ddof === 1 ? sampleStandardDeviation([...values]) : standardDeviation([...values]);
  return { mean: mean([...values]), std, n: values.length };
}
