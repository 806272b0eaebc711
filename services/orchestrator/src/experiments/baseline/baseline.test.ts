import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config/load.ts';
import type { SampleRecord } from '../../experiment.ts';
import { registerStudyExperiments } from '../index.ts';
import { baselineExperiment } from './index.ts';

registerStudyExperiments();

const config = parseConfig('experiment: baseline\nversion: 1\ndescription: d\nmodels: [m]\n', 'baseline.yaml', 'paper');
const record = (sample: string, variant: string, value: SampleRecord['value']): SampleRecord => ({ run: 'r', experiment: 'baseline', sample, variant, seed: 0, value });

describe('baseline aggregate', () => {
  it('averages success over the IoU thresholds and counts classification hits', () => {
    // IoU 0.95 passes all three thresholds, 0.75 two, 0.55 one, 0.2 none: success 3/4, 2/4, 1/4 → 0.5.
    const records = [0.95, 0.75, 0.55, 0.2].flatMap((iou, i) => [
      record(`s${i}`, 'm/localization', { answer: '', iou }),
      record(`s${i}`, 'm/classification', { answer: '', correct: i !== 3 }),
    ]);
    const aggregate = baselineExperiment.aggregate(records as never, config as never);
    expect(aggregate.summary).toEqual({ m: { samples: 4, localization: 0.5, success: { '0.5': 0.75, '0.7': 0.5, '0.9': 0.25 }, classification: 0.75 } });
    expect(aggregate.tables[0].rows).toEqual([['m', 4, 75, 50, 25, 50, 75]]);
  });

  it('leaves a model without records empty instead of inventing numbers', () => {
    const aggregate = baselineExperiment.aggregate([], config as never);
    expect(aggregate.tables[0].rows).toEqual([['m', 0, null, null, null, null, null]]);
  });
});
