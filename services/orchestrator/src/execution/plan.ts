// Planning: the experiments to run in dependency order, and each one's jobs.
import { InvalidArgumentError } from '@locscope/server-kit';
import type { AnyExperiment, Job, PlanContext } from '../experiment.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { NotWiredError } from '../errors.ts';
import { findExperiment } from '../registry.ts';

export interface Stage {
  experiment: AnyExperiment;
  config: ResolvedConfig;
}

/**
 * Stages for `requested` (their dependencies added), dependencies first, ties in request order.
 * Throws when an experiment has no config or no module.
 */
export function orderStages(requested: string[], configs: Map<string, ResolvedConfig>): Stage[] {
  const ordered: Stage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      throw new InvalidArgumentError(`experiment dependency cycle: ${[...path, id].join(' → ')}`, { field: 'experiments' });
    }
    const config = configs.get(id);
    if (!config) {
      const valid = [...configs.keys()].sort().join(', ');
      throw new InvalidArgumentError(`no config for experiment "${id}" (valid: ${valid})`, { field: 'experiments' });
    }
    const experiment = findExperiment(id);
    if (!experiment) {
      throw new NotWiredError(`experiment "${id}" is configured (${config.source}) but its module is not wired to the services yet`);
    }
    state.set(id, 'visiting');
    for (const dep of experiment.dependsOn) visit(dep, [...path, id]);
    state.set(id, 'done');
    ordered.push({ experiment, config });
  };
  for (const id of requested) visit(id, []);
  return ordered;
}

/** The stage's jobs; sample ids must be unique (they are the record keys). */
export async function planStage(stage: Stage, ctx: PlanContext<unknown>): Promise<Job[]> {
  const planned = await stage.experiment.plan(ctx);
  const seen = new Set<string>();
  return planned.map(({ sample, input }) => {
    if (seen.has(sample)) {
      throw new InvalidArgumentError(`${stage.experiment.id}: plan produced sample "${sample}" twice`, { field: 'plan' });
    }
    seen.add(sample);
    return {
      run: ctx.runId,
      experiment: stage.experiment.id,
      sample,
      version: stage.experiment.version,
      config: stage.config,
      input,
    };
  });
}
