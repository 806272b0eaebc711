import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { cmaExperiment } from '../cma/cma.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { headAblationExperiment } from './head-ablation.ts';
import type { HeadAblationValue } from './record.ts';
import { rankHeads } from './ranking.ts';

describe('rankHeads', () => {
  const cma = { layers: 1, heads: 4, mf: { localization: [0.1, -0.5, 0.9, 0], binary: [0.3, 0.2, 0.1, 0.4] }, pairsUsed: {}, pairsExcluded: {} };
  it('orders critical heads by MF and low-importance heads by |MF|', () => {
    expect(rankHeads('localization-critical', cma)).toEqual([2, 0, 3, 1]);
    expect(rankHeads('classification-critical', cma)).toEqual([3, 0, 1, 2]);
    expect(rankHeads('low-importance', cma)).toEqual([3, 0, 1, 2]);
    expect(rankHeads('classification-critical', { ...cma, mf: { localization: cma.mf.localization, binary: null } })).toBeNull();
  });
});

describe('head-ablation on the demo LLaVA', () => {
  it('ablates CMA-ranked heads cumulatively; removing every head is the same run for all groups', async () => {
    const run = await runForTest([
      CONTROL_SET_FOR_TEST,
      { experiment: cmaExperiment, samples: 2, params: { objects: 'all' } },
      { experiment: headAblationExperiment, samples: 2, params: { objects: 'all', fractions: [0, 0.25, 1] } },
    ]);
    expect(run.failures).toBe(0);
    const records = run.records.get('head-ablation') as SampleRecord<HeadAblationValue>[];
    const groups = new Set(records.map((r) => r.value.condition));
    expect(groups.size).toBeGreaterThan(0);
    expect(records).toHaveLength(2 * groups.size * 3);
    for (const r of records) expect(r.value.removed).toBe(Math.round(r.value.fraction * 32));
    for (const fraction of [0, 1]) {
      for (const sample of new Set(records.map((r) => r.sample))) {
        const answers = new Set(records.filter((r) => r.sample === sample && r.value.fraction === fraction).map((r) => r.value.answer));
        expect(answers.size).toBe(1);
      }
    }
    const aggregate = run.aggregates.get('head-ablation')!;
    expect(aggregate.tables[0].columns).toEqual(['model', 'heads', '0%', '25%', '100%', 'nAUC']);
    expect(aggregate.tables[0].rows).toHaveLength(groups.size);
  }, 150_000);
});
