// Shared aggregation: group per-sample records, average scores over samples, and mean ± std over
// seeds (per-seed means first, as the paper reports seeds), formatted as percentages for tables.
import { meanStd } from '@locscope/metrics';
import type { SampleRecord } from '../../experiment.ts';

/** The fields every per-object record value carries. */
export type ScoredValue = { model: string; task: string; score: number };

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean score over samples per seed, then mean ± std (sample std) over seeds; null without records. */
export function seedMeanStd<V extends ScoredValue>(records: readonly SampleRecord<V>[]): { mean: number; std: number; seeds: number } | null {
  if (records.length === 0) return null;
  const perSeed = [...groupBy(records, (r) => String(r.seed)).values()].map((group) => mean(group.map((r) => r.value.score))!);
  const stats = meanStd(perSeed);
  return { mean: stats.mean, std: stats.std, seeds: stats.n };
}

/** A fraction as a percentage with two decimals (the paper's tables), null stays empty. */
export function percent(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 100;
}

/** "35.34 ± 0.20" style cell text. */
export function percentWithStd(stats: { mean: number; std: number } | null): string | null {
  return stats === null ? null : `${percent(stats.mean)!.toFixed(2)} ± ${percent(stats.std)!.toFixed(2)}`;
}

/** Signed change against a baseline, in percentage points ("↓29.4" / "↑0.1" in the paper). */
export function deltaPoints(value: number | null, baseline: number | null): number | null {
  return value === null || baseline === null ? null : Math.round((value - baseline) * 1000) / 10;
}

/** Models in the config's order, restricted to those with records. */
export function modelsPresent(configModels: readonly string[], records: readonly { value: { model: string } }[]): string[] {
  const seen = new Set(records.map((r) => r.value.model));
  return configModels.filter((m) => seen.has(m));
}

/** Distinct samples (objects) behind a set of records. */
export function sampleCount(records: readonly SampleRecord[]): number {
  return new Set(records.map((r) => r.sample)).size;
}

/** Seed-averaged score of one (model, task, condition) cell; null when no record has it. */
export function conditionScore<V extends ScoredValue & { condition: string }>(
  records: readonly SampleRecord<V>[],
  model: string,
  task: string,
  condition: string,
): { mean: number; std: number; seeds: number } | null {
  return seedMeanStd(records.filter((r) => r.value.model === model && r.value.task === task && r.value.condition === condition));
}
