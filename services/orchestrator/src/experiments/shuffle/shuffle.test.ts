import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { shuffleExperiment } from './shuffle.ts';
import type { ShuffleValue } from './record.ts';

describe('shuffle on the demo LLaVA', () => {
  it('runs both modes per seed and reports Tab. 2', async () => {
    const run = await runForTest([CONTROL_SET_FOR_TEST, { experiment: shuffleExperiment, samples: 2, params: { objects: 'all', seeds: [0, 1] } }]);
    expect(run.failures).toBe(0);
    const records = run.records.get('shuffle') as SampleRecord<ShuffleValue>[];
    // 2 objects × 2 tasks × (clean + 2 modes × 2 seeds)
    expect(records).toHaveLength(2 * 2 * 5);
    const tab2 = run.aggregates.get('shuffle')!.tables[0];
    expect(tab2.rows.map((r) => r.slice(0, 2))).toEqual([
      ['localization', 'Baseline'],
      ['localization', 'Full'],
      ['localization', 'Object'],
      ['classification', 'Baseline'],
      ['classification', 'Full'],
      ['classification', 'Object'],
    ]);
    // The baseline row is compared with itself.
    expect(tab2.rows[0][3]).toBe(0);
    expect(String(tab2.rows[1][2])).toMatch(/^\d+\.\d\d ± \d+\.\d\d$/);
  }, 120_000);
});
