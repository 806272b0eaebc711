import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { runForTest } from '../common/test-run.ts';
import type { ControlSetSummary } from './aggregate.ts';
import { controlSetExperiment } from './control-set.ts';
import type { ControlSetValue } from './record.ts';

describe('control-set on both demo models', () => {
  it('keeps pairs correct on the original and wrong on the inpainted image, intersected across models', async () => {
    const run = await runForTest([{ experiment: controlSetExperiment, models: ['demo-llava', 'demo-internvl'], samples: 2 }]);
    expect(run.failures).toBe(0);
    const records = run.records.get('control-set') as SampleRecord<ControlSetValue>[];
    expect(records).toHaveLength(4);
    for (const r of records) expect(r.value.kept).toBe(r.value.original && !r.value.inpainted);
    const summary = run.aggregates.get('control-set')!.summary as ControlSetSummary;
    const keptBy = (model: string) => new Set(records.filter((r) => r.value.model === model && r.value.kept).map((r) => r.value.object));
    const expected = [...keptBy('demo-llava')].filter((id) => keptBy('demo-internvl').has(id)).sort();
    expect(summary.probingSet).toEqual(expected);
  }, 120_000);
});
