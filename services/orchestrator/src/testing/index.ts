// Test support exported for the cross-service tests in /test: the test-only arith experiment.
export { arithExperiment, arithParams, arithValue } from './arith-experiment.ts';
