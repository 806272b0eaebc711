// Mediation fraction of paper §3.3.2, eq. 1: MF = (P_base − P_patched) / (P_base − P_src), with P the
// masked perplexity of the base (object removed), source (object present) and patched runs.
import { InvalidArgumentError } from '@locscope/server-kit';

/**
 * Pairs whose base and source perplexities differ by less than this are excluded: the denominator
 * is then noise and MF explodes. Absolute perplexity units.
 */
export const DEFAULT_MIN_PERPLEXITY_GAP = 1e-3;

/** MF of one pair for one component, or null when the pair is excluded by the gap threshold. */
export function mediationFraction(base: number, source: number, patched: number, minGap = DEFAULT_MIN_PERPLEXITY_GAP): number | null {
  const gap = base - source;
  return Math.abs(gap) < minGap ? null : (base - patched) / gap;
}

export interface PairPerplexities {
  base: number;
  source: number;
  /** Patched-run perplexity per component (e.g. per head, layer-major). */
  patched: ArrayLike<number>;
}

export interface MediationSummary {
  /** Mean MF per component over the pairs kept. */
  meanMf: Float64Array;
  /** Pairs used. */
  pairsUsed: number;
  /** Pairs excluded because |P_base − P_src| < minGap. */
  pairsExcluded: number;
}

/** Mean MF per component over pairs; every pair must report the same components. */
export function meanMediationFractions(pairs: readonly PairPerplexities[], minGap = DEFAULT_MIN_PERPLEXITY_GAP): MediationSummary {
  if (pairs.length === 0) throw new InvalidArgumentError('no pairs given', { field: 'pairs' });
  if (!(minGap >= 0)) throw new InvalidArgumentError(`must be ≥ 0, got ${minGap}`, { field: 'min_gap' });
  const components = pairs[0].patched.length;
  const sum = new Float64Array(components);
  let used = 0;
  pairs.forEach((pair, p) => {
    if (pair.patched.length !== components) {
      throw new InvalidArgumentError(`${pair.patched.length} components, pair 0 has ${components}`, { field: `pairs[${p}].patched` });
    }
    for (const [name, value] of [['base', pair.base], ['source', pair.source]] as const) {
      if (!(value > 0 && Number.isFinite(value))) {
        throw new InvalidArgumentError(`perplexity must be finite and > 0, got ${value}`, { field: `pairs[${p}].${name}` });
      }
    }
    if (Math.abs(pair.base - pair.source) < minGap) return;
    for (let c = 0; c < components; c++) {
      const patched = pair.patched[c];
      if (!(patched > 0 && Number.isFinite(patched))) {
        throw new InvalidArgumentError(`perplexity must be finite and > 0, got ${patched}`, { field: `pairs[${p}].patched[${c}]` });
      }
      sum[c] += mediationFraction(pair.base, pair.source, patched, minGap)!;
    }
    used++;
  });
  if (used > 0) for (let c = 0; c < components; c++) sum[c] /= used;
  else sum.fill(Number.NaN);
  return { meanMf: sum, pairsUsed: used, pairsExcluded: pairs.length - used };
}
