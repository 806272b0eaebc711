// Fig. 5 from head-ablation records: localization accuracy against the fraction of heads removed
// per group, and each curve's normalized AUC (1 = no drop).
import { normalizedAblationAuc } from '@locscope/metrics';
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, LinesFigure } from '../../report/model.ts';
import { mean, modelsPresent, percent, sampleCount } from '../common/summary.ts';
import type { HeadAblationParams } from './params.ts';
import type { HeadAblationValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

export function aggregateHeadAblation(records: SampleRecord<HeadAblationValue>[], config: ResolvedConfig<HeadAblationParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const fractions = [...config.params.fractions].sort((a, b) => a - b);
  const rows: Cell[][] = [];
  const figures: LinesFigure[] = [];
  const summary: Record<string, Record<string, { accuracy: (number | null)[]; auc: number | null }>> = {};
  const notes: string[] = [];
  for (const model of models) {
    summary[model] = {};
    const series = [];
    for (const group of config.params.groups) {
      const ofGroup = records.filter((r) => r.value.model === model && r.value.condition === group);
      if (ofGroup.length === 0) {
        notes.push(`${model}: no ${group} ranking (CMA kept no pair for its task).`);
        continue;
      }
      const accuracy = fractions.map((f) => mean(ofGroup.filter((r) => r.value.fraction === f).map((r) => r.value.score)));
      const curve = fractions.flatMap((f, i) => (accuracy[i] === null ? [] : [{ removed: f, accuracy: accuracy[i]! }]));
      const auc = curve.length >= 2 && curve[0].accuracy > 0 ? Math.round(normalizedAblationAuc(curve) * 1000) / 1000 : null;
      if (auc === null) notes.push(`${model} ${group}: no normalized AUC (the unablated accuracy is 0 or the curve has fewer than 2 points).`);
      summary[model][group] = { accuracy, auc };
      rows.push([model, group, ...accuracy.map(percent), auc]);
      series.push({ name: group, points: curve.map((p) => [p.removed * 100, percent(p.accuracy)!] as [number, number]) });
    }
    figures.push({
      kind: 'lines',
      id: `head-ablation-${model}`,
      title: `${model}: localization under cumulative head ablation`,
      xLabel: 'heads removed (%)',
      yLabel: 'localization (%)',
      series,
      yRange: [0, 100],
    });
  }
  return {
    experiment: 'head-ablation',
    title: 'Cumulative head ablation (paper Fig. 5)',
    summary: { curves: summary, fractions, objects: Object.fromEntries(models.map((m) => [m, sampleCount(records.filter((r) => r.value.model === m))])) },
    tables: [
      {
        id: 'head-ablation',
        title: 'Localization (%) by fraction of heads removed, and normalized AUC',
        columns: ['model', 'heads', ...fractions.map((f) => `${Math.round(f * 1000) / 10}%`), 'nAUC'],
        rows,
      },
    ],
    figures,
    notes: [objectsNote(records, config.params.objects), 'Heads ranked by mean MF from cma (critical: highest MF of the task; low-importance: |MF| closest to 0 on localization); outputs zeroed at every position.', ...notes],
  };
}
