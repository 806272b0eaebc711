// Fig. 3 from knockout records: accuracy per layer group and task against the unmodified model.
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell, LinesFigure } from '../../report/model.ts';
import { conditionScore, deltaPoints, modelsPresent, percent, sampleCount } from '../common/summary.ts';
import type { KnockoutParams } from './params.ts';
import { CLEAN, type KnockoutValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

/** Conditions in layer order as the records hold them (the model's depth fixes the groups). */
function groupsOf(records: SampleRecord<KnockoutValue>[], model: string): { name: string; first: number }[] {
  const seen = new Map<string, number>();
  for (const r of records) {
    if (r.value.model === model && r.value.condition !== CLEAN && !seen.has(r.value.condition)) {
      // `all` sorts after every group.
      seen.set(r.value.condition, r.value.condition === 'all' ? Number.MAX_SAFE_INTEGER : r.value.layers[0]);
    }
  }
  return [...seen.entries()].map(([name, first]) => ({ name, first })).sort((a, b) => a.first - b.first);
}

export function aggregateKnockout(records: SampleRecord<KnockoutValue>[], config: ResolvedConfig<KnockoutParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const tasks = config.params.tasks;
  const summary: Record<string, Record<string, Record<string, number | null>>> = {};
  const rows: Cell[][] = [];
  const figures: LinesFigure[] = [];
  for (const model of models) {
    const groups = groupsOf(records, model);
    summary[model] = {};
    for (const task of tasks) {
      summary[model][task] = Object.fromEntries([CLEAN, ...groups.map((g) => g.name)].map((c) => [c, conditionScore(records, model, task, c)?.mean ?? null]));
    }
    for (const g of groups) {
      rows.push([model, g.name, ...tasks.flatMap((t) => [percent(summary[model][t][g.name]), deltaPoints(summary[model][t][g.name], summary[model][t][CLEAN])])]);
    }
    figures.push({
      kind: 'lines',
      id: `knockout-${model}`,
      title: `${model}: accuracy with attention to the object blocked (${config.params.groupSize}-layer groups)`,
      xLabel: 'blocked layers',
      yLabel: 'accuracy (%)',
      xTicks: groups.map((g) => g.name),
      series: tasks.map((t) => ({
        name: t,
        points: groups.flatMap((g, i) => {
          const v = percent(summary[model][t][g.name]);
          return v === null ? [] : [[i, v] as [number, number]];
        }),
      })),
      references: tasks.flatMap((t) => {
        const v = percent(summary[model][t][CLEAN]);
        return v === null ? [] : [{ name: `${t} (unmodified)`, y: v }];
      }),
      yRange: [0, 100],
    });
  }
  return {
    experiment: 'knockout',
    title: 'Attention knockout by layer group (paper Fig. 3)',
    summary: { accuracy: summary, objects: Object.fromEntries(models.map((m) => [m, sampleCount(records.filter((r) => r.value.model === m))])) },
    tables: [
      {
        id: 'knockout',
        title: 'Accuracy (%) with attention from after-image positions to object tokens blocked; Δ in points against the unmodified model',
        columns: ['model', 'layers', ...tasks.flatMap((t) => [`${t} (%)`, `Δ${t}`])],
        rows,
      },
    ],
    figures,
    notes: [objectsNote(records, config.params.objects), `Object tokens with padding ${config.params.objectPadding}; all heads of each listed layer; queries: every position after the image, generated tokens included.`],
  };
}
