// `--plugin` module that registers the test-only arith experiment (CLI and worker-process tests).
import { registerExperiment } from '../registry.ts';
import { arithExperiment } from './arith-experiment.ts';

registerExperiment(arithExperiment);
