// What a run without an explicit experiment list runs (`locscope run` without --experiments,
// SubmitRun without experiments). Its own module, so that planning (which every experiment's tests
// import) does not load the whole study's modules through the study's experiment list.
import type { Logger } from '@locscope/server-kit';
import { NotWiredError } from '../errors.ts';
import { STUDY_EXPERIMENTS } from '../experiments/index.ts';
import { findExperiment } from '../registry.ts';

/**
 * What a run without an explicit experiment list runs: every configured experiment with a wired
 * module, study order first; the rest are named in a warning.
 */
export function defaultExperiments(configured: string[], logger: Logger): string[] {
  const order = (id: string) => {
    const i = (STUDY_EXPERIMENTS as readonly string[]).indexOf(id);
    return i === -1 ? STUDY_EXPERIMENTS.length : i;
  };
  const sorted = [...configured].sort((a, b) => order(a) - order(b) || (a < b ? -1 : 1));
  const wired = sorted.filter((id) => findExperiment(id));
  const unwired = sorted.filter((id) => !findExperiment(id));
  if (unwired.length > 0) logger.warn('experiments not wired to the services yet, skipped', { experiments: unwired });
  if (wired.length === 0) throw new NotWiredError(`none of the configured experiments is wired yet (${unwired.join(', ')})`);
  return wired;
}
