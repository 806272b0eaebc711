import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { baselineExperiment } from '../baseline/index.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { containerizationExperiment } from './containerization.ts';
import type { ContainerizationValue } from './record.ts';

describe('containerization on the demo LLaVA', () => {
  it('scores padded inputs against scaled GT boxes; padding 0 against scaling 0 is the baseline', async () => {
    const run = await runForTest([
      CONTROL_SET_FOR_TEST,
      { experiment: baselineExperiment, samples: 2, params: { tasks: ['localization'] } },
      { experiment: containerizationExperiment, samples: 2, params: { objects: 'all', paddings: [0, 1], scalings: [0, 1], seeds: [0, 1] } },
    ]);
    expect(run.failures).toBe(0);
    const records = run.records.get('containerization') as SampleRecord<ContainerizationValue>[];
    // Per object: padding 0 once, padding 1 per seed.
    expect(records).toHaveLength(2 * 3);
    const baseline = run.records.get('baseline') as SampleRecord<{ answer: string; iou: number }>[];
    for (const r of records.filter((r) => r.value.padding === 0)) {
      const reference = baseline.find((b) => b.sample === r.sample.split('/')[1])!;
      expect(r.value.answer).toBe(reference.value.answer);
      // Scaling 0 is the mask's own box: the rasterized polygon's pixel extent, within a pixel of the
      // annotation's float box the baseline scores against (a few IoU points on a small object).
      expect(Math.abs(r.value.ious[0] - reference.value.iou)).toBeLessThan(0.04);
    }
    const aggregate = run.aggregates.get('containerization')!;
    const heatmap = aggregate.figures[0];
    expect(heatmap.kind === 'heatmap' && heatmap.values.length === 2 && heatmap.values[0].length === 2).toBe(true);
    expect(aggregate.tables[0].rows.map((row) => row.slice(0, 2))).toEqual([
      ['demo-llava', 0],
      ['demo-llava', 1],
    ]);
  }, 120_000);
});
