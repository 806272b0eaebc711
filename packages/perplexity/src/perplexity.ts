// Perplexity under teacher forcing: exp of the mean negative log-probability of the masked tokens.
import { InvalidArgumentError } from '@locscope/server-kit';

/** Natural-log probabilities above 0 are impossible; float noise of a near-certain token is tolerated. */
export const LOG_PROB_TOLERANCE = 1e-4;

export interface Perplexity {
  perplexity: number;
  /** Mean negative log-probability of the counted tokens (nats). */
  meanNll: number;
  /** How many tokens the mask kept. */
  tokens: number;
}

export function maskedPerplexity(logProbs: ArrayLike<number>, mask: ArrayLike<boolean | number>): Perplexity {
  if (logProbs.length !== mask.length) {
    throw new InvalidArgumentError(`${mask.length} mask entries for ${logProbs.length} log-probs`, { field: 'mask' });
  }
  let sum = 0;
  let count = 0;
  for (let i = 0; i < logProbs.length; i++) {
    if (!mask[i]) continue;
    const lp = logProbs[i];
    if (!(lp <= LOG_PROB_TOLERANCE && lp > -Infinity)) {
      throw new InvalidArgumentError(`must be a finite natural-log probability ≤ 0, got ${lp}`, { field: `log_probs[${i}]` });
    }
    sum -= Math.min(0, lp);
    count++;
  }
  if (count === 0) throw new InvalidArgumentError('selects no token', { field: 'mask' });
  const meanNll = sum / count;
  return { perplexity: Math.exp(meanNll), meanNll, tokens: count };
}
