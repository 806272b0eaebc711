// The inference metrics that the end-to-end test (test/observability.test.ts) cannot pin down:
// bytes and flushes of weight preparation (a test run's weights cache is usually warm), and the
// admission gauges while requests wait.
import { setupTelemetry, type Histogram } from '@locscope/server-kit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWeightStore, writeSafetensors } from './checkpoint/index.ts';
import { PreparedWeights } from './onnx/prepared-weights.ts';
import { Admission } from './server/admission.ts';
import { observeAdmission } from './telemetry.ts';

const telemetry = setupTelemetry({ serviceName: 'inference-telemetry-test', inMemory: true });
afterAll(() => telemetry.shutdown());

const points = <T = number>(name: string) => telemetry.metricPoints<T>(name);

describe('inference metrics', () => {
  it('count the bytes of prepared weight files written and time each flush that wrote some', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locscope-ckpt-'));
    writeSafetensors(join(dir, 'model.safetensors'), [
      { name: 'a.weight', dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      { name: 'b.weight', dtype: 'F32', shape: [1, 3], data: Float32Array.from([7, 8, 9]) },
    ]);
    const prepared = PreparedWeights.open(openWeightStore(dir), mkdtempSync(join(tmpdir(), 'locscope-prepared-')));
    const files = [prepared.transposed(['a.weight', 'b.weight']), prepared.tensor('b.weight')];
    await prepared.flush();
    // Named again and already on disk: nothing written, no flush recorded.
    prepared.tensor('b.weight');
    await prepared.flush();
    expect((await points('locscope.inference.weights.prepared')).map((p) => [p.attributes.dtype, p.value])).toEqual([
      ['float32', files.reduce((sum, f) => sum + f.byteLength, 0)],
    ]);
    const [flushes] = await points<Histogram>('locscope.inference.weights.preparation.duration');
    expect(flushes.value.count).toBe(1);
  });

  it('report the admission queue: running and waiting requests at each collection', async () => {
    const admission = new Admission(1, 4);
    observeAdmission(admission);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const signal = new AbortController().signal;
    const calls = ['a', 'b', 'c'].map((caller) => admission.run(() => gate, signal, caller));
    await new Promise((resolve) => setImmediate(resolve));
    expect((await points('locscope.inference.admission.running')).map((p) => p.value)).toEqual([1]);
    expect((await points('locscope.inference.admission.queued')).map((p) => p.value)).toEqual([2]);
    release();
    await Promise.all(calls);
    expect((await points('locscope.inference.admission.queued')).map((p) => p.value)).toEqual([0]);
  });
});
