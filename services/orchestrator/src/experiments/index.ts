// The study's experiment modules that are wired to the services. An experiment whose config exists
// but whose module is not listed here is reported as "not wired" by `locscope run`.
import type { AnyExperiment } from '../experiment.ts';
import { registerExperiment } from '../registry.ts';

export const studyExperiments: AnyExperiment[] = [];

export function registerStudyExperiments(): void {
  for (const experiment of studyExperiments) registerExperiment(experiment);
}
