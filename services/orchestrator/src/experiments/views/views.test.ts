import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { sizeName, viewsExperiment } from './views.ts';
import type { ViewsValue } from './record.ts';

describe('sizeName', () => {
  it('uses COCO buckets', () => {
    expect([sizeName(100, [1024, 9216]), sizeName(1024, [1024, 9216]), sizeName(9216, [1024, 9216])]).toEqual(['small', 'medium', 'large']);
  });
});

describe('views on the demo InternVL', () => {
  it('ablates one view at a time and reports Tab. 3 by size', async () => {
    const run = await runForTest([CONTROL_SET_FOR_TEST, { experiment: viewsExperiment, models: ['demo-internvl'], samples: 4, params: { objects: 'all', paddings: [0], tasks: ['localization'] } }]);
    expect(run.failures).toBe(0);
    const records = run.records.get('views') as SampleRecord<ViewsValue>[];
    for (const r of records) {
      if (r.value.views === 1) expect(r.value.condition).toBe('clean');
      // Removing an object's tokens from one view never removes the whole view.
      expect(r.value.share).toBeLessThan(1);
      if (r.value.condition !== 'clean') expect(r.value.share).toBeGreaterThan(0);
    }
    const aggregate = run.aggregates.get('views')!;
    const split = records.filter((r) => r.value.views > 1);
    if (split.length > 0) {
      expect(aggregate.tables[0].rows.map((r) => r[1])).toEqual(['Baseline', 'Local object', 'Global object']);
      expect(aggregate.figures).toHaveLength(1);
    }
    expect(aggregate.notes.length > 0).toBe(records.some((r) => r.value.views === 1));
  }, 120_000);
});
