// Which objects the paper's per-object analyses run on (§2.2): the probing set — objects every
// model of the run names correctly with the object present and not once it is inpainted away, so
// the analyses rest on object evidence rather than context — or every selected object.
import { z } from 'zod';
import type { PlanContext, PlannedJob, SampleRecord } from '../../experiment.ts';
import type { ControlSetSummary } from '../control-set/aggregate.ts';
import { objectOfJob, planObjectJobs, type ObjectJobInput } from './samples.ts';

export const OBJECT_POOLS = ['probing', 'all'] as const;
export type ObjectPool = (typeof OBJECT_POOLS)[number];

/** The `objects` param of every per-object analysis; the paper's choice is the default. */
export const objectsParam = z.enum(OBJECT_POOLS).default('probing');

/** The experiment that computes the probing set; analyses list it in `dependsOn`. */
export const PROBING_SET_SOURCE = 'control-set';

const POOL_LABEL: Record<ObjectPool, string> = {
  probing: 'the probing set (kept by every model, paper §2.2)',
  all: 'all selected objects (the control set is not applied)',
};

/**
 * `planObjectJobs` over the config's object pool. With the probing set, the config's `samples`
 * and `seed` select among its objects (the paper's 50 CMA images come from the curated subset).
 */
export async function planAnalysisObjects<P extends { objects: ObjectPool }>(
  ctx: PlanContext<P>,
  options: { models?: string[] } = {},
): Promise<PlannedJob<ObjectJobInput>[]> {
  if (ctx.config.params.objects === 'all') return planObjectJobs(ctx, options);
  const { probingSet } = (await ctx.upstream(PROBING_SET_SOURCE)).summary as ControlSetSummary;
  const probing = new Set(probingSet);
  return planObjectJobs(ctx, { ...options, keep: (sample) => probing.has(sample.id) });
}

/** The report's line on which objects an aggregate rests (an empty pool explains its blank tables). */
export function objectsNote(records: readonly SampleRecord[], pool: ObjectPool): string {
  const objects = new Set(records.map((r) => objectOfJob(r.sample))).size;
  if (objects > 0) return `${objects} object${objects === 1 ? '' : 's'} of ${POOL_LABEL[pool]}.`;
  const why = pool === 'probing' ? ': the probing set is empty when no object is kept by every model (see control-set)' : '';
  return `No object of ${POOL_LABEL[pool]} has results, so there is nothing to analyse${why}.`;
}
