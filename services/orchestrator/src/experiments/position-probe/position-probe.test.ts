import { describe, expect, it } from 'vitest';
import type { SampleRecord } from '../../experiment.ts';
import { runForTest } from '../common/test-run.ts';
import { positionProbeExperiment } from './position-probe.ts';
import type { ProbeValue } from './record.ts';

describe('position-probe on the demo LLaVA', () => {
  it('trains a probe per layer and maps per-position accuracy at the best LM layer', async () => {
    const run = await runForTest([
      { experiment: positionProbeExperiment, samples: 40, params: { epochs: 2, trainImages: 8, evalImages: 4, batchSize: 256 } },
    ]);
    expect(run.failures).toBe(0);
    const records = run.records.get('position-probe') as SampleRecord<ProbeValue>[];
    const components = records.map((r) => r.value.component);
    // demo-llava: 4 vision layers (+ embeddings), the projection, 8 LM layers.
    expect(components.filter((c) => c === 'projection')).toHaveLength(1);
    expect(components.filter((c) => c === 'language')).toHaveLength(8);
    expect(components.filter((c) => c === 'vision').length).toBeGreaterThanOrEqual(4);
    for (const r of records) {
      // Both right implies each right: joint accuracy can never exceed either axis.
      expect(r.value.accuracy).toBeLessThanOrEqual(Math.min(r.value.rowAccuracy, r.value.colAccuracy) + 1e-9);
    }
    const aggregate = run.aggregates.get('position-probe')!;
    const map = aggregate.figures.find((f) => f.id === 'probe-positions-demo-llava');
    expect(map?.kind === 'heatmap' && map.values.length === 8 && map.values[0].length === 8).toBe(true);
  }, 120_000);
});
