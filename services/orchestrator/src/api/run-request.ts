// A SubmitRun request → the run it means: id, profile and stages with their configs, resolved the
// way `locscope run` resolves its flags (same defaults, same dependency order), plus the
// request's dataset and per-experiment overrides. Every error names the request field.
import { InvalidArgumentError, type Logger } from '@locscope/server-kit';
import type { SubmitRunRequest } from '@locscope/proto/v1/orchestrator';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PROFILES, type Profile } from '../config/envelope.ts';
import { overrideConfig } from '../config/override.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { MissingError } from '../errors.ts';
import { defaultExperiments } from '../execution/default-experiments.ts';
import { orderStages } from '../execution/plan.ts';
import { checkRunId, newRunId } from '../keys.ts';
import type { RunPlan } from './backend.ts';

/** Profile of a request that names none (the CLI's default). */
export const DEFAULT_PROFILE: Profile = 'demo';

/** `configs` holds each profile's configs, loaded once when the server starts. */
export async function planRun(request: SubmitRunRequest, configs: Record<Profile, Map<string, ResolvedConfig>>, logger: Logger): Promise<RunPlan> {
  const runId = request.runId === '' ? newRunId() : checkRunId(request.runId, 'run_id');
  const profile = (request.profile || DEFAULT_PROFILE) as Profile;
  if (!PROFILES.includes(profile)) {
    throw new InvalidArgumentError(`unknown profile "${request.profile}" (known: ${PROFILES.join(', ')})`, { field: 'profile' });
  }
  const resolved = new Map(configs[profile]);
  for (const [id, override] of Object.entries(request.configOverrides)) {
    const field = `config_overrides["${id}"]`;
    const config = resolved.get(id);
    if (!config) throw new InvalidArgumentError(`no config for experiment "${id}"`, { field });
    resolved.set(id, overrideConfig(config, override ?? {}, field));
  }
  if (request.dataset) {
    const dataset = await checkDataset(request.dataset);
    for (const [id, config] of resolved) resolved.set(id, { ...config, dataset });
  }
  request.experiments.forEach((id, i) => {
    if (id === '') throw new InvalidArgumentError('experiment ids must be non-empty', { field: `experiments[${i}]` });
  });
  const requested = request.experiments.length > 0 ? request.experiments : defaultExperiments([...resolved.keys()], logger);
  const stages = orderStages(requested, resolved);
  const ids = new Set(stages.map((s) => s.experiment.id));
  for (const id of Object.keys(request.configOverrides)) {
    if (!ids.has(id)) {
      throw new InvalidArgumentError(`experiment "${id}" is not part of this run (${[...ids].join(', ')})`, { field: `config_overrides["${id}"]` });
    }
  }
  return { runId, profile, stages };
}

/** Both paths must exist on the server now, so a typo fails the call instead of the run. */
async function checkDataset(dataset: { annotations: string; images: string }): Promise<{ annotations: string; images: string }> {
  for (const [field, kind] of [
    ['annotations', 'file'],
    ['images', 'directory'],
  ] as const) {
    const path = dataset[field];
    if (path === '') throw new InvalidArgumentError('must name a path on the server', { field: `dataset.${field}` });
    const info = await stat(resolve(path)).catch(() => undefined);
    if (!info || (kind === 'file' ? !info.isFile() : !info.isDirectory())) {
      throw new MissingError(`no ${kind} ${path} on the server`, { field: `dataset.${field}` });
    }
  }
  return { annotations: dataset.annotations, images: dataset.images };
}
