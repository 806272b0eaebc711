// The run manifest pins what a run id means: which experiments, module versions and configs.
// Re-running the id with anything different is refused instead of silently mixing results.
import { createHash } from 'node:crypto';
import { compactJson } from '../canonical-json.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { RunConflictError } from '../errors.ts';
import type { Stage } from './plan.ts';

export interface RunManifest {
  run: string;
  profile: string;
  experiments: { id: string; moduleVersion: number; configHash: string }[];
}

export function configHash(config: ResolvedConfig): string {
  const { source: _source, ...content } = config;
  return createHash('sha256').update(compactJson(content)).digest('hex');
}

export function buildManifest(run: string, profile: string, stages: Stage[]): RunManifest {
  return {
    run,
    profile,
    experiments: stages.map(({ experiment, config }) => ({
      id: experiment.id,
      moduleVersion: experiment.version,
      configHash: configHash(config),
    })),
  };
}

/**
 * A resumed run may run a subset of (or add experiments to) the original run, but an experiment
 * present in both must be identical.
 */
export function mergeManifests(existing: RunManifest, next: RunManifest): RunManifest {
  if (existing.profile !== next.profile) {
    throw new RunConflictError(`run ${next.run} was started with profile "${existing.profile}", not "${next.profile}"`);
  }
  const merged = new Map(existing.experiments.map((e) => [e.id, e]));
  for (const entry of next.experiments) {
    const old = merged.get(entry.id);
    if (old && (old.moduleVersion !== entry.moduleVersion || old.configHash !== entry.configHash)) {
      throw new RunConflictError(
        `run ${next.run}: experiment ${entry.id} changed since the run started (config or module version); use a new --run-id`,
      );
    }
    merged.set(entry.id, entry);
  }
  // Map keeps insertion order: the original run's experiments first, then any added ones.
  return { ...next, experiments: [...merged.values()] };
}
