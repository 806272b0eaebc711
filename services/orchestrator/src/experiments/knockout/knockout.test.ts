import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { baselineExperiment } from '../baseline/index.ts';
import { CONTROL_SET_FOR_TEST, runForTest } from '../common/test-run.ts';
import { knockoutExperiment, layerGroups } from './knockout.ts';
import type { KnockoutValue } from './record.ts';

describe('layerGroups', () => {
  it('covers every layer once in consecutive groups, then all layers', () => {
    expect(layerGroups(10, 4, true)).toEqual([
      { name: 'L0-3', layers: [0, 1, 2, 3] },
      { name: 'L4-7', layers: [4, 5, 6, 7] },
      { name: 'L8-9', layers: [8, 9] },
      { name: 'all', layers: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
    ]);
  });
});

describe('knockout on the demo LLaVA', () => {
  it('blocks attention per layer group; the clean variant equals the baseline answer', async () => {
    const run = await runForTest([
      CONTROL_SET_FOR_TEST,
      { experiment: baselineExperiment, samples: 2 },
      { experiment: knockoutExperiment, samples: 2, params: { objects: 'all' } },
    ]);
    expect(run.failures).toBe(0);
    const records = run.records.get('knockout') as SampleRecord<KnockoutValue>[];
    // demo-llava has 8 layers: clean, L0-3, L4-7, all — per task and object.
    expect(records).toHaveLength(2 * 2 * 4);
    const baseline = run.records.get('baseline') as SampleRecord<{ answer: string }>[];
    for (const r of records.filter((r) => r.value.condition === 'clean')) {
      const object = r.sample.split('/')[1];
      const reference = baseline.find((b) => b.sample === object && b.variant === `demo-llava/${r.value.task}`)!;
      expect(r.value.answer, `${r.sample} ${r.value.task}`).toBe(reference.value.answer);
    }
    const aggregate = run.aggregates.get('knockout')!;
    expect(aggregate.tables[0].rows.map((row) => row[1])).toEqual(['L0-3', 'L4-7', 'all']);
    const figure = aggregate.figures[0];
    expect(figure.kind).toBe('lines');
    if (figure.kind === 'lines') {
      expect(figure.xTicks).toEqual(['L0-3', 'L4-7', 'all']);
      expect(figure.series.map((s) => s.name)).toEqual(['localization', 'classification']);
      expect(figure.references).toHaveLength(2);
    }
  }, 120_000);
});
