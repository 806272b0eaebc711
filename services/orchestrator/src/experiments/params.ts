// Every experiment of the study and its params schema. Configs are validated against these even
// before an experiment's module is wired, so a typo in a YAML file fails early.
import type { z } from 'zod';
import { baselineParams } from './baseline/params.ts';
import { cmaParams } from './cma/params.ts';
import { containerizationParams } from './containerization/params.ts';
import { controlSetParams } from './control-set/params.ts';
import { headAblationParams } from './head-ablation/params.ts';
import { knockoutParams } from './knockout/params.ts';
import { positionProbeParams } from './position-probe/params.ts';
import { shuffleParams } from './shuffle/params.ts';
import { tokenAblationParams } from './token-ablation/params.ts';
import { viewsParams } from './views/params.ts';

/** In the order the suite runs them (dependencies first). */
export const STUDY_EXPERIMENTS = [
  'baseline',
  'control-set',
  'token-ablation',
  'containerization',
  'shuffle',
  'views',
  'position-probe',
  'knockout',
  'cma',
  'head-ablation',
] as const;
export type StudyExperiment = (typeof STUDY_EXPERIMENTS)[number];

export const studyParamsSchemas: Record<StudyExperiment, z.ZodType> = {
  baseline: baselineParams,
  'control-set': controlSetParams,
  'token-ablation': tokenAblationParams,
  containerization: containerizationParams,
  shuffle: shuffleParams,
  views: viewsParams,
  'position-probe': positionProbeParams,
  knockout: knockoutParams,
  cma: cmaParams,
  'head-ablation': headAblationParams,
};
