// Fig. 1 from containerization records: for every (padding p, GT scaling s) the localization
// score, averaged over objects per seed, then mean ± std over seeds.
import { meanStd } from '@locscope/metrics';
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, HeatmapFigure } from '../../report/model.ts';
import { groupBy, mean, modelsPresent, percent, percentWithStd, sampleCount } from '../common/summary.ts';
import type { ContainerizationParams } from './params.ts';
import type { ContainerizationValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

export function aggregateContainerization(records: SampleRecord<ContainerizationValue>[], config: ResolvedConfig<ContainerizationParams>): Aggregate {
  const { paddings, scalings } = config.params;
  const models = modelsPresent(config.models, records);
  const figures: HeatmapFigure[] = [];
  const rows: Cell[][] = [];
  const summary: Record<string, { mean: (number | null)[][]; std: (number | null)[][] }> = {};
  for (const model of models) {
    const stats = paddings.map((p) =>
      scalings.map((_, si) => {
        const cell = records.filter((r) => r.value.model === model && r.value.padding === p);
        if (cell.length === 0) return null;
        const perSeed = [...groupBy(cell, (r) => String(r.seed)).values()].map((g) => mean(g.map((r) => r.value.scores[si]))!);
        return meanStd(perSeed);
      }),
    );
    summary[model] = { mean: stats.map((row) => row.map((c) => c?.mean ?? null)), std: stats.map((row) => row.map((c) => c?.std ?? null)) };
    paddings.forEach((p, pi) => rows.push([model, p, ...stats[pi].map((c) => percentWithStd(c))]));
    figures.push({
      kind: 'heatmap',
      id: `containerization-${model}`,
      title: `${model}: localization (%) of padded inputs against scaled GT boxes`,
      xLabel: 'GT scaling s (token rings)',
      yLabel: 'padding p (token rings)',
      xTicks: scalings.map(String),
      yTicks: paddings.map(String),
      values: stats.map((row) => row.map((c) => percent(c?.mean ?? null))),
      labels: stats.map((row) => row.map((c) => percentWithStd(c) ?? '')),
      range: [0, 100],
    });
  }
  return {
    experiment: 'containerization',
    title: 'Object containerization (paper Fig. 1)',
    summary: { matrix: summary, paddings, scalings, objects: Object.fromEntries(models.map((m) => [m, sampleCount(records.filter((r) => r.value.model === m))])) },
    tables: [
      {
        id: 'matrix',
        title: 'Localization (%, mean ± std over seeds) by padding p (rows) and GT scaling s (columns)',
        columns: ['model', 'padding', ...scalings.map((s) => `s=${s}`)],
        rows,
      },
    ],
    figures,
    notes: [objectsNote(records, config.params.objects), `Padding rings are filled with tokens copied from inside the object (${config.params.seeds.length} seeds); padding 0 is the unmodified image.`],
  };
}
