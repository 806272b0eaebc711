// §2.2 from control-set records: per model how many pairs are correct on the original, wrong on
// the inpainted image, and kept; and the probing subset (kept by every model of the run).
import type { ResolvedConfig } from '../../config/resolve.ts';
import type { SampleRecord } from '../../experiment.ts';
import type { Aggregate, Cell } from '../../report/model.ts';
import { modelsPresent } from '../common/summary.ts';
import type { ControlSetParams } from './params.ts';
import type { ControlSetValue } from './record.ts';

export type ControlSetSummary = {
  kept: Record<string, string[]>;
  /** Object ids of the probing subset (sorted). */
  probingSet: string[];
};

export function aggregateControlSet(records: SampleRecord<ControlSetValue>[], config: ResolvedConfig<ControlSetParams>): Aggregate {
  const models = modelsPresent(config.models, records);
  const kept: Record<string, string[]> = {};
  const rows: Cell[][] = [];
  for (const model of models) {
    const of = records.filter((r) => r.value.model === model);
    kept[model] = of.filter((r) => r.value.kept).map((r) => r.value.object).sort();
    rows.push([model, of.length, of.filter((r) => r.value.original).length, of.filter((r) => !r.value.inpainted).length, kept[model].length]);
  }
  const keptSets = models.map((m) => new Set(kept[m]));
  const union = [...new Set(models.flatMap((m) => kept[m]))].sort();
  const probingSet = config.params.intersectAcrossModels ? union.filter((id) => keptSets.every((s) => s.has(id))) : union;
  rows.push([config.params.intersectAcrossModels ? 'all models (intersection)' : 'any model (union)', null, null, null, probingSet.length]);
  const summary: ControlSetSummary = { kept, probingSet };
  return {
    experiment: 'control-set',
    title: 'Object-removed control set (paper §2.2)',
    summary,
    tables: [
      {
        id: 'control-set',
        title: 'Pairs per model: list classification correct on the original, wrong on the inpainted image, kept (both)',
        columns: ['model', 'objects', 'correct on original', 'wrong on inpainted', 'kept'],
        rows,
      },
    ],
    figures: [],
    notes: [`Inpainting: ${config.params.inpaint.method}, mask dilated by ${config.params.inpaint.dilate} px (paper: LaMa).`],
  };
}
