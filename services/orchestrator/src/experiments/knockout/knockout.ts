// knockout (paper §3.3.1, Fig. 3): in groups of consecutive layers (all heads), and in all layers
// at once, every position after the image is blocked from attending to the object's tokens
// (also while decoding); both tasks, all groups of one task batched into one Generate.
import type { Experiment, RecordValue } from '../../experiment.ts';
import { evaluateVariants, readImage } from '../common/evaluate.ts';
import { allViews, projectObject } from '../common/geometry.ts';
import { knockout, variant } from '../common/interventions.ts';
import { PROBING_SET_SOURCE, planAnalysisObjects } from '../common/objects.ts';
import type { ObjectJobInput } from '../common/samples.ts';
import { modelInfo } from '../model-info.ts';
import type { Task } from '../tasks.ts';
import { aggregateKnockout } from './aggregate.ts';
import { CLEAN, type KnockoutValue } from './record.ts';
import { knockoutParams, type KnockoutParams } from './params.ts';

export const ALL_LAYERS = 'all';

/** Consecutive layer groups of `size` (the last one may be shorter), then all layers. */
export function layerGroups(layers: number, size: number, includeAll: boolean): { name: string; layers: number[] }[] {
  const groups = [];
  for (let first = 0; first < layers; first += size) {
    const members = Array.from({ length: Math.min(size, layers - first) }, (_, i) => first + i);
    groups.push({ name: `L${first}-${members[members.length - 1]}`, layers: members });
  }
  if (includeAll) groups.push({ name: ALL_LAYERS, layers: Array.from({ length: layers }, (_, i) => i) });
  return groups;
}

export const knockoutExperiment: Experiment<KnockoutParams, ObjectJobInput, KnockoutValue> = {
  id: 'knockout',
  version: 2,
  params: knockoutParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAnalysisObjects(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const info = await modelInfo(calls, input.model);
    const image = await readImage(input.object.imagePath);
    const objectTokens = allViews(await projectObject(calls, info, input.object, [params.objectPadding]), params.objectPadding);
    const conditions = [{ name: CLEAN, layers: [] as number[] }, ...layerGroups(info.layers, params.groupSize, params.includeAllLayers)];
    // An object without tokens (cannot happen with padding ≥ 0) would make every group the clean run.
    const variants = conditions.map((c) => variant(c.name, c.layers.length > 0 && objectTokens.length > 0 ? [knockout(c.layers, objectTokens)] : []));
    const records: RecordValue<KnockoutValue>[] = [];
    for (const task of params.tasks) {
      const outcomes = await evaluateVariants(calls, input, config, task, variants, image);
      conditions.forEach((c, i) =>
        records.push({
          variant: `${task}/${c.name}`,
          seed: 0,
          value: { model: input.model, task, condition: c.name, layers: c.layers, score: outcomes[i].score, iou: outcomes[i].iou, answer: outcomes[i].answer },
        }),
      );
    }
    return records;
  },
  aggregate: aggregateKnockout,
};
