// The study's experiments: the one list of them, in the order the suite runs them. An experiment
// whose config exists but whose module is not registered is reported as "not wired" by `locscope run`.
import type { AnyExperiment } from '../experiment.ts';
import { registerExperiment } from '../registry.ts';
import { baselineExperiment } from './baseline/index.ts';
import { cmaExperiment } from './cma/cma.ts';
import { containerizationExperiment } from './containerization/containerization.ts';
import { controlSetExperiment } from './control-set/control-set.ts';
import { headAblationExperiment } from './head-ablation/head-ablation.ts';
import { knockoutExperiment } from './knockout/knockout.ts';
import { positionProbeExperiment } from './position-probe/position-probe.ts';
import { shuffleExperiment } from './shuffle/shuffle.ts';
import { tokenAblationExperiment } from './token-ablation/token-ablation.ts';
import { viewsExperiment } from './views/views.ts';

export const studyExperiments: AnyExperiment[] = [
  baselineExperiment,
  controlSetExperiment,
  tokenAblationExperiment,
  containerizationExperiment,
  shuffleExperiment,
  viewsExperiment,
  positionProbeExperiment,
  knockoutExperiment,
  cmaExperiment,
  headAblationExperiment,
];

/** The study's experiment ids, in the order the suite runs them (dependencies first). */
export const STUDY_EXPERIMENTS: readonly string[] = studyExperiments.map((experiment) => experiment.id);

export function registerStudyExperiments(): void {
  for (const experiment of studyExperiments) registerExperiment(experiment);
}
