// Per-group summaries (e.g. by COCO object-size bucket): mean ± std and bootstrap CI of each group.
import { sizeBucket, type SizeBucket } from '@locscope/masks';
import { InvalidArgumentError } from '@locscope/server-kit';
import { bootstrapMeanCi, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.ts';
import { DEFAULT_STD_DDOF, meanStd } from './seed-stats.ts';

export interface GroupSummary extends ConfidenceInterval {
  std: number;
  n: number;
}

export interface SummaryOptions extends BootstrapOptions {
  /** See DEFAULT_STD_DDOF. */
  ddof?: 0 | 1;
}

/** Mean ± std and bootstrap CI of one set of values. */
export function summarize(values: readonly number[], options: SummaryOptions = {}, field = 'values'): GroupSummary {
  const { std, n } = meanStd(values, options.ddof ?? DEFAULT_STD_DDOF, field);
  return { ...bootstrapMeanCi(values, options, field), std, n };
}

/** Groups `values[i]` by `keys[i]`; groups appear in first-seen order. */
export function breakdown<K extends string>(values: readonly number[], keys: readonly K[], options: SummaryOptions = {}): Map<K, GroupSummary> {
  if (values.length !== keys.length) throw new InvalidArgumentError(`${keys.length} keys for ${values.length} values`, { field: 'keys' });
  const groups = new Map<K, number[]>();
  keys.forEach((key, i) => {
    const group = groups.get(key) ?? [];
    group.push(values[i]);
    groups.set(key, group);
  });
  const summaries = new Map<K, GroupSummary>();
  for (const [key, group] of groups) summaries.set(key, summarize(group, options, `values[${key}]`));
  return summaries;
}

/** Breakdown by COCO object-size bucket (small < 32², medium < 96², large) of the object areas. */
export function sizeBreakdown(values: readonly number[], areas: readonly number[], options: SummaryOptions = {}): Map<SizeBucket, GroupSummary> {
  if (values.length !== areas.length) throw new InvalidArgumentError(`${areas.length} areas for ${values.length} values`, { field: 'areas' });
  return breakdown(values, areas.map((area, i) => sizeBucket(area, `areas[${i}]`)), options);
}
