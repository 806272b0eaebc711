// Fig. 4 from CMA records: mean mediation fraction per head and task (pairs whose base and source
// perplexities are too close are excluded and counted), the overlap of the tasks' top-k heads,
// and the head ranking head-ablation reads from the summary.
import { meanMediationFractions, topK, topKOverlap } from '@locscope/metrics';
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, HeatmapFigure } from '../../report/model.ts';
import { groupBy, modelsPresent } from '../common/summary.ts';
import type { CmaParams } from './params.ts';
import type { CmaTask, CmaValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

/** What head-ablation reads: per model, the mean MF per head (layer-major) of each task. */
export type CmaModelSummary = {
  layers: number;
  heads: number;
  /** null when no pair of the task passed the perplexity-gap filter. */
  mf: Partial<Record<CmaTask, number[] | null>>;
  pairsUsed: Partial<Record<CmaTask, number>>;
  pairsExcluded: Partial<Record<CmaTask, number>>;
};

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function headLabel(index: number, heads: number): string {
  return `L${Math.floor(index / heads)}H${index % heads}`;
}

export function aggregateCma(records: SampleRecord<CmaValue>[], config: ResolvedConfig<CmaParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const summary: Record<string, CmaModelSummary> = {};
  const figures: HeatmapFigure[] = [];
  const overlapRows: Cell[][] = [];
  const topRows: Cell[][] = [];
  const notes: string[] = [];
  for (const model of models) {
    const byTask = groupBy(records.filter((r) => r.value.model === model), (r) => r.value.task);
    const first = records.find((r) => r.value.model === model)!.value;
    const entry: CmaModelSummary = { layers: first.layers, heads: first.heads, mf: {}, pairsUsed: {}, pairsExcluded: {} };
    for (const task of config.params.tasks) {
      const pairs = (byTask.get(task) ?? []).map((r) => ({ base: r.value.base, source: r.value.source, patched: r.value.patched }));
      if (pairs.length === 0) continue;
      const result = meanMediationFractions(pairs, config.params.minPerplexityGap);
      entry.pairsUsed[task] = result.pairsUsed;
      entry.pairsExcluded[task] = result.pairsExcluded;
      entry.mf[task] = result.pairsUsed > 0 ? Array.from(result.meanMf, round) : null;
      if (result.pairsExcluded > 0) notes.push(`${model} ${task}: ${result.pairsExcluded} of ${pairs.length} pairs excluded (|P_base − P_src| < ${config.params.minPerplexityGap}).`);
      const mf = entry.mf[task];
      if (!mf) continue;
      figures.push({
        kind: 'heatmap',
        id: `mf-${model}-${task}`,
        title: `${model}: mediation fraction per head, ${task} (${result.pairsUsed} pairs)`,
        xLabel: 'head',
        yLabel: 'layer',
        xTicks: Array.from({ length: entry.heads }, (_, h) => String(h)),
        yTicks: Array.from({ length: entry.layers }, (_, l) => String(l)),
        values: Array.from({ length: entry.layers }, (_, l) => mf.slice(l * entry.heads, (l + 1) * entry.heads)),
        diverging: true,
      });
      const best = topK(mf, Math.min(10, mf.length), `${model}.${task}.mf`);
      topRows.push([model, task, best.map((i) => `${headLabel(i, entry.heads)} (${mf[i].toFixed(2)})`).join(', ')]);
    }
    const [a, b] = config.params.tasks;
    const mfA = a ? entry.mf[a] : null;
    const mfB = b ? entry.mf[b] : null;
    if (mfA && mfB) {
      for (const k of config.params.topK.filter((k) => k <= mfA.length)) {
        const overlap = topKOverlap(mfA, mfB, k);
        overlapRows.push([model, k, overlap.shared.length, Math.round(overlap.fraction * 1000) / 1000, overlap.shared.map((i) => headLabel(i, entry.heads)).join(', ')]);
      }
    }
    summary[model] = entry;
  }
  return {
    experiment: 'cma',
    title: 'Causal mediation analysis per attention head (paper Fig. 4)',
    summary: { models: summary },
    tables: [
      { id: 'top-heads', title: 'Top-10 heads by mean MF', columns: ['model', 'task', 'heads (MF)'], rows: topRows },
      {
        id: 'overlap',
        title: `Shared heads among the top-k of ${config.params.tasks.join(' and ')}`,
        columns: ['model', 'k', 'shared', 'fraction', 'shared heads'],
        rows: overlapRows,
      },
    ],
    figures,
    notes: [
      objectsNote(records, config.params.objects),
      'MF = (P_base − P_patched) / (P_base − P_src) on masked teacher-forced perplexity; base = object inpainted, source = original; one head patched at every position after the image.',
      ...notes,
    ],
  };
}
