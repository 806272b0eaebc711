// views (paper §3.1.2, Tab. 3, Fig. 10; InternVL only): remove the object's tokens (padding −1, 0,
// +1) from the local tiles only or from the global thumbnail only, both tasks, and break the
// effect down by COCO object size. Images seen as a single view (one tile, no thumbnail) have no
// local/global split and only get their clean run recorded.
import type { Experiment, RecordValue } from '../../experiment.ts';
import { evaluateVariants, readImage } from '../common/evaluate.ts';
import { globalViewIndex, projectObject, viewSizes } from '../common/geometry.ts';
import { replaceTokens, variant } from '../common/interventions.ts';
import { planAblationJobs, replacementFor, type AblationInput } from '../common/mean-embedding.ts';
import { PROBING_SET_SOURCE } from '../common/objects.ts';
import { modelInfo } from '../model-info.ts';
import type { Task } from '../tasks.ts';
import { aggregateViews } from './aggregate.ts';
import type { SizeName, ViewsValue } from './record.ts';
import { viewsParams, type ViewsParams } from './params.ts';

/** COCO size bucket of an object area with the config's limits (small < limits[0] ≤ medium < limits[1] ≤ large). */
export function sizeName(area: number, limits: number[]): SizeName {
  return area < limits[0] ? 'small' : area < limits[1] ? 'medium' : 'large';
}

export const viewsExperiment: Experiment<ViewsParams, AblationInput, ViewsValue> = {
  id: 'views',
  version: 2,
  params: viewsParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAblationJobs(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const info = await modelInfo(calls, input.model);
    const projection = await projectObject(calls, info, input.object, params.paddings);
    const g = globalViewIndex(projection.views);
    const split = projection.views.length > 1;
    const sizes = viewSizes(projection.views);
    const replacement = await replacementFor(calls, input.model, params.replacement, input.meanImages);
    const conditions = [
      { name: 'clean', tokens: [] as number[], share: 0 },
      ...(split
        ? params.views.flatMap((view) =>
            params.paddings.map((p) => {
              const perView = projection.byPadding.get(p)!;
              const tokens = perView.filter((_, v) => (view === 'global') === (v === g)).flat();
              return { name: `${view}/${p}`, tokens, share: tokens.length / (view === 'global' ? sizes.global : sizes.local) };
            }),
          )
        : []),
    ];
    const variants = conditions.map((c) => variant(c.name, c.tokens.length > 0 ? [replaceTokens(c.tokens, replacement)] : []));
    const image = await readImage(input.object.imagePath);
    const size = sizeName(input.object.area, params.sizeLimits);
    const records: RecordValue<ViewsValue>[] = [];
    for (const task of params.tasks) {
      const outcomes = await evaluateVariants(calls, input, config, task, variants, image);
      conditions.forEach((c, i) =>
        records.push({
          variant: `${task}/${c.name}`,
          seed: 0,
          value: { model: input.model, task, condition: c.name, size, views: projection.views.length, share: c.share, score: outcomes[i].score, iou: outcomes[i].iou, answer: outcomes[i].answer },
        }),
      );
    }
    return records;
  },
  aggregate: aggregateViews,
};
