import { mediationFraction } from '@locscope/metrics';
import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { cmaExperiment } from './cma.ts';
import type { CmaValue } from './record.ts';

describe('cma on the demo LLaVA', () => {
  it('sweeps every head for both tasks and averages MF over the kept pairs', async () => {
    const run = await runForTest([CONTROL_SET_FOR_TEST, { experiment: cmaExperiment, samples: 2, params: { objects: 'all', topK: [2, 5] } }]);
    expect(run.failures).toBe(0);
    const records = run.records.get('cma') as SampleRecord<CmaValue>[];
    expect(records).toHaveLength(2 * 2);
    for (const r of records) {
      expect(r.value.patched).toHaveLength(8 * 4);
      expect(r.value.patched.every((p) => p > 0 && Number.isFinite(p))).toBe(true);
    }
    const aggregate = run.aggregates.get('cma')!;
    const summary = (aggregate.summary as { models: Record<string, { mf: Record<string, number[] | null> }> }).models['demo-llava'];
    for (const task of ['localization', 'binary']) {
      // Recompute the mean MF of head 0 from the records by eq. 1.
      const kept = records
        .filter((r) => r.value.task === task)
        .map((r) => mediationFraction(r.value.base, r.value.source, r.value.patched[0]))
        .filter((v): v is number => v !== null);
      if (kept.length === 0) {
        expect(summary.mf[task]).toBeNull();
        continue;
      }
      expect(summary.mf[task]![0]).toBeCloseTo(kept.reduce((a, b) => a + b, 0) / kept.length, 5);
      const heatmap = aggregate.figures.find((f) => f.id === `mf-demo-llava-${task}`)!;
      expect(heatmap.kind === 'heatmap' && heatmap.values.length === 8 && heatmap.values[0].length === 4).toBe(true);
    }
  }, 120_000);
});
