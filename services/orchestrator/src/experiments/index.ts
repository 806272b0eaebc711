// The study's experiment modules that are wired to the services. An experiment whose config exists
// but whose module is not listed here is reported as "not wired" by `locscope run`.
import type { AnyExperiment } from '../experiment.ts';
import { registerExperiment } from '../registry.ts';
import { baselineExperiment } from './baseline/index.ts';
import { cmaExperiment } from './cma/cma.ts';
import { knockoutExperiment } from './knockout/knockout.ts';
import { tokenAblationExperiment } from './token-ablation/token-ablation.ts';

export const studyExperiments: AnyExperiment[] = [baselineExperiment, tokenAblationExperiment, knockoutExperiment, cmaExperiment];

export function registerStudyExperiments(): void {
  for (const experiment of studyExperiments) registerExperiment(experiment);
}
