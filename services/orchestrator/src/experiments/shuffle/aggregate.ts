// Tab. 2 from shuffle records: per task and mode, accuracy (mean ± std over seeds) and the change
// against the unshuffled run, per model.
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell } from '../../report/model.ts';
import { conditionScore, deltaPoints, modelsPresent, percent, percentWithStd, sampleCount } from '../common/summary.ts';
import type { ShuffleParams } from './params.ts';
import type { ShuffleValue } from './record.ts';
import { objectsNote } from '../common/objects.ts';

const LABELS: Record<string, string> = { clean: 'Baseline', full: 'Full', object: 'Object' };

export function aggregateShuffle(records: SampleRecord<ShuffleValue>[], config: ResolvedConfig<ShuffleParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const rows: Cell[][] = [];
  const summary: Record<string, Record<string, Record<string, { mean: number; std: number } | null>>> = {};
  for (const task of config.params.tasks) {
    for (const condition of ['clean', ...config.params.modes]) {
      const row: Cell[] = [task, LABELS[condition]];
      for (const model of models) {
        const stats = conditionScore(records, model, task, condition);
        const base = conditionScore(records, model, task, 'clean');
        ((summary[model] ??= {})[task] ??= {})[condition] = stats && { mean: stats.mean, std: stats.std };
        row.push(condition === 'clean' ? percent(stats?.mean ?? null) : percentWithStd(stats), deltaPoints(stats?.mean ?? null, base?.mean ?? null));
      }
      rows.push(row);
    }
  }
  return {
    experiment: 'shuffle',
    title: 'Token shuffling: full vs within-object (paper Tab. 2)',
    summary: { accuracy: summary, objects: Object.fromEntries(models.map((m) => [m, sampleCount(records.filter((r) => r.value.model === m))])) },
    tables: [
      {
        id: 'tab2',
        title: `Accuracy (%, mean ± std over ${config.params.seeds.length} seeds) and Δ in points against the unshuffled input`,
        columns: ['task', 'mode', ...models.flatMap((m) => [m, `${m} Δ`])],
        rows,
      },
    ],
    figures: [],
    notes: [objectsNote(records, config.params.objects), 'Full: all visual tokens (every view) permuted; Object: only the tokens of the object mask permuted among themselves.'],
  };
}
