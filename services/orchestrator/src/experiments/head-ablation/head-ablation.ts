// head-ablation (paper §3.3.3, Fig. 5): zero the outputs of the top-MF heads of each task (from
// cma's aggregate), and of the lowest-|MF| heads as control, cumulatively over growing fractions
// of all heads; localization accuracy of each step. Every (group, fraction) is a variant of one
// batched Generate per object.
import type { Experiment, RecordValue } from '../../experiment.ts';
import type { CmaModelSummary } from '../cma/aggregate.ts';
import { evaluateVariants } from '../common/evaluate.ts';
import { ablateHeads, variant } from '../common/interventions.ts';
import { PROBING_SET_SOURCE, planAnalysisObjects } from '../common/objects.ts';
import type { ObjectJobInput } from '../common/samples.ts';
import { aggregateHeadAblation } from './aggregate.ts';
import type { HeadAblationValue } from './record.ts';
import { headAblationParams, type HeadAblationParams } from './params.ts';
import { headCount, rankHeads, type HeadGroup } from './ranking.ts';

export type HeadAblationInput = ObjectJobInput & {
  heads: number;
  /** Removal order (layer-major head indices) per group; groups CMA could not rank are absent. */
  rankings: Partial<Record<HeadGroup, number[]>>;
};

const CLEAN = 'clean';

export const headAblationExperiment: Experiment<HeadAblationParams, HeadAblationInput, HeadAblationValue> = {
  id: 'head-ablation',
  version: 2,
  params: headAblationParams,
  dependsOn: [PROBING_SET_SOURCE, 'cma'],
  async plan(ctx) {
    const cma = (await ctx.upstream('cma')).summary as { models: Record<string, CmaModelSummary> };
    const jobs = await planAnalysisObjects(ctx, { models: ctx.config.models.filter((m) => cma.models[m]) });
    return jobs.map((job) => {
      const ranked = cma.models[job.input.model];
      const rankings: Partial<Record<HeadGroup, number[]>> = {};
      for (const group of ctx.config.params.groups) {
        const order = rankHeads(group, ranked);
        if (order) rankings[group] = order;
      }
      return { ...job, input: { ...job.input, heads: ranked.heads, rankings } };
    });
  },
  async runSample(job, calls) {
    const { input, config } = job;
    const total = Object.values(input.rankings)[0]?.length ?? 0;
    const steps = Object.entries(input.rankings).flatMap(([group, order]) =>
      config.params.fractions.map((fraction) => ({ group: group as HeadGroup, fraction, heads: order.slice(0, headCount(fraction, total)) })),
    );
    const toHead = (i: number) => ({ layer: Math.floor(i / input.heads), head: i % input.heads });
    // Steps that remove no head are all the unablated run: evaluated once.
    const variants = [variant(CLEAN), ...steps.filter((s) => s.heads.length > 0).map((s) => variant(`${s.group}@${s.fraction}`, [ablateHeads(s.heads.map(toHead))]))];
    const outcomes = new Map((await evaluateVariants(calls, input, config, 'localization', variants)).map((o) => [o.variant, o]));
    return steps.map((s): RecordValue<HeadAblationValue> => {
      const outcome = outcomes.get(s.heads.length > 0 ? `${s.group}@${s.fraction}` : CLEAN)!;
      return {
        variant: `${s.group}/${s.fraction}`,
        seed: 0,
        value: { model: input.model, task: 'localization', condition: s.group, fraction: s.fraction, removed: s.heads.length, score: outcome.score, iou: outcome.iou, answer: outcome.answer },
      };
    });
  },
  aggregate: aggregateHeadAblation,
};
