import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { tokenAblationExperiment } from './token-ablation.ts';
import type { AblationValue } from './record.ts';

describe('token-ablation on the demo LLaVA', () => {
  it('runs every condition as variants and aggregates Tab. 1', async () => {
    const run = await runForTest([
      CONTROL_SET_FOR_TEST,
      {
        experiment: tokenAblationExperiment,
        samples: 2,
        params: { objects: 'all', paddings: [-4, 0, 1], integratedGradients: { ks: [1, 4], steps: 4 }, random: { ks: [4], seeds: [0, 1] } },
      },
    ]);
    expect(run.failures).toBe(0);
    const records = run.records.get('token-ablation') as SampleRecord<AblationValue>[];
    // 2 objects × 2 tasks × (clean, 3 paddings, 2 IG, 2 random seeds, register)
    expect(records).toHaveLength(2 * 2 * 9);
    for (const r of records) {
      const v = r.value;
      if (v.condition.startsWith('ig-')) expect(v.removed.total).toBe(Number(v.condition.slice(3)));
      if (v.condition.startsWith('random-')) expect(v.removed.total).toBe(4);
      // No token removed (clean, or an erosion that empties the mask) = the unmodified answer.
      if (v.removed.total === 0) {
        const clean = records.find((c) => c.sample === r.sample && c.value.task === v.task && c.value.condition === 'clean')!;
        expect(v.answer).toBe(clean.value.answer);
      }
    }
    const bySample = (cond: string) => records.filter((r) => r.value.condition === cond && r.value.task === 'localization');
    // A dilated mask contains the object mask.
    bySample('object+1').forEach((r, i) => expect(r.value.removed.total).toBeGreaterThanOrEqual(bySample('object')[i].value.removed.total));

    const aggregate = run.aggregates.get('token-ablation')!;
    const tab1 = aggregate.tables.find((t) => t.id === 'tab1')!;
    expect(tab1.rows.map((row) => row[0])).toEqual([
      'Baseline',
      'Object −4 padding',
      'Object',
      'Object +1 padding',
      'Integrated Gradients k=1',
      'Integrated Gradients k=4',
      'Random k=4 (2 seeds)',
      'Register',
    ]);
    expect(tab1.columns).toHaveLength(1 + 1 + 2 * 2);
    // Baseline row: token share 0 and no change against itself.
    expect(tab1.rows[0].slice(1)).toEqual([0, expect.any(Number), 0, expect.any(Number), 0]);
  }, 120_000);
});
