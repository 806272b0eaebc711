// Tab. 3 and Fig. 10 from views records (objects whose image has a local/global split only):
// accuracy and change per view and padding, and the change per COCO size bucket.
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, HeatmapFigure } from '../../report/model.ts';
import { deltaPoints, mean, modelsPresent, percent, sampleCount } from '../common/summary.ts';
import type { ViewsParams } from './params.ts';
import type { SizeName, ViewsValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

const SIZES: SizeName[] = ['small', 'medium', 'large'];

function label(condition: string): string {
  if (condition === 'clean') return 'Baseline';
  const [view, p] = condition.split('/');
  const padding = Number(p);
  return `${view === 'global' ? 'Global' : 'Local'} ${padding === 0 ? 'object' : `${padding > 0 ? '+' : '−'}${Math.abs(padding)} padding`}`;
}

export function aggregateViews(records: SampleRecord<ViewsValue>[], config: ResolvedConfig<ViewsParams>): Aggregate {
  const params = config.params;
  const split = records.filter((r) => r.value.views > 1);
  const models = modelsPresent(config.models, split);
  const conditions = ['clean', ...params.views.flatMap((v) => params.paddings.map((p) => `${v}/${p}`))];
  const score = (rs: SampleRecord<ViewsValue>[]) => mean(rs.map((r) => r.value.score));
  const rows: Cell[][] = [];
  const figures: HeatmapFigure[] = [];
  const summary: Record<string, Record<string, Record<string, Record<string, number | null>>>> = {};
  for (const model of models) {
    const ofModel = split.filter((r) => r.value.model === model);
    summary[model] = {};
    for (const c of conditions) {
      const ofCondition = ofModel.filter((r) => r.value.condition === c);
      const row: Cell[] = [model, label(c), percent(mean(ofCondition.filter((r) => r.value.task === params.tasks[0]).map((r) => r.value.share)))];
      for (const task of params.tasks) {
        const value = score(ofCondition.filter((r) => r.value.task === task));
        const base = score(ofModel.filter((r) => r.value.condition === 'clean' && r.value.task === task));
        row.push(percent(value), deltaPoints(value, base));
      }
      rows.push(row);
    }
    for (const task of params.tasks) {
      const bySize: Record<string, number | null> = {};
      const values = conditions.slice(1).map((c) =>
        SIZES.map((size) => {
          const of = (cond: string) => ofModel.filter((r) => r.value.task === task && r.value.size === size && r.value.condition === cond);
          const delta = deltaPoints(score(of(c)), score(of('clean')));
          bySize[`${c}/${size}`] = delta;
          return delta;
        }),
      );
      summary[model][task] = { bySize };
      figures.push({
        kind: 'heatmap',
        id: `views-size-${model}-${task}`,
        title: `${model}: ${task} change (points) by object size when one view's object tokens are removed`,
        xLabel: 'object size',
        yLabel: 'ablation',
        xTicks: SIZES.map((s) => `${s} (n=${sampleCount(ofModel.filter((r) => r.value.size === s))})`),
        yTicks: conditions.slice(1).map(label),
        values,
        diverging: true,
      });
    }
  }
  const single = sampleCount(records.filter((r) => r.value.views === 1));
  return {
    experiment: 'views',
    title: 'Global vs local view ablation (paper Tab. 3, Fig. 10)',
    summary: { bySize: summary, objects: Object.fromEntries(models.map((m) => [m, sampleCount(split.filter((r) => r.value.model === m))])), singleView: single },
    tables: [
      {
        id: 'tab3',
        title: 'Accuracy (%) with object tokens removed from one view; Token (%) = share of that view’s tokens; Δ in points',
        columns: ['model', 'strategy', 'token (%)', ...params.tasks.flatMap((t) => [`${t} (%)`, `Δ${t}`])],
        rows,
      },
    ],
    figures,
    notes: [objectsNote(records, config.params.objects), ...(single > 0 ? [`${single} objects are in images the model sees as a single view (no thumbnail); they are left out.`] : [])],
  };
}
