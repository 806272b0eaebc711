// Run progress as metrics: a sink like the state file, counting the samples this process saw
// finish (a resumed run's earlier samples are in its state, not counted again).
import { defineInstruments } from '@locscope/server-kit';
import type { RunSink } from './state.ts';

const instruments = defineInstruments((meter) => ({
  samples: meter.createCounter('locscope.run.samples', { unit: '{sample}', description: 'Samples finished, by experiment and outcome (done or failed)' }),
}));

export function runMetricsSink(): RunSink {
  return {
    state: () => {},
    sample: (event) => instruments().samples.add(1, { experiment: event.experiment, outcome: event.ok ? 'done' : 'failed' }),
  };
}
