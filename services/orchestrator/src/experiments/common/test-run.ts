// Test support: runs study experiments for real through the embedded runner (services started
// in-process, the shipped eval split) on a few samples, and returns their aggregates and records.
import { createLogger } from '@locscope/server-kit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../config/load.ts';
import type { ResolvedConfig } from '../../config/resolve.ts';
import { datasetForConfig } from '../../datasets.ts';
import { runEmbedded } from '../../execution/embedded.ts';
import { orderStages } from '../../execution/plan.ts';
import type { AnyExperiment, SampleRecord } from '../../experiment.ts';
import { compareRecordKeys } from '../../keys.ts';
import { registerExperiment } from '../../registry.ts';
import type { Aggregate } from '../../report/model.ts';
import { ServiceConnections } from '../../services/clients.ts';
import { RunDirectory } from '../../store/run-directory.ts';
import { controlSetExperiment } from '../control-set/control-set.ts';

export interface TestConfig {
  experiment: AnyExperiment;
  models?: string[];
  samples: number;
  params?: Record<string, unknown>;
  /** Extra top-level config fields (e.g. iouThresholds). */
  envelope?: Record<string, unknown>;
}

export interface TestRun {
  aggregates: Map<string, Aggregate>;
  records: Map<string, SampleRecord[]>;
  failures: number;
}

function configOf(test: TestConfig): ResolvedConfig {
  const doc = {
    experiment: test.experiment.id,
    version: 1,
    description: 'test',
    models: test.models ?? ['demo-llava'],
    samples: test.samples,
    params: test.params ?? {},
    ...test.envelope,
  };
  registerExperiment(test.experiment);
  return parseConfig(JSON.stringify(doc), `${test.experiment.id}.yaml`, 'paper');
}

/**
 * The control set every per-object analysis depends on, on one object: enough for tests that give
 * the analysis `objects: 'all'` to exercise it on fixed objects whatever the probing set holds.
 */
export const CONTROL_SET_FOR_TEST: TestConfig = { experiment: controlSetExperiment, samples: 1 };

/** Runs `tests` (dependencies listed too, in any order) in one embedded run. */
export async function runForTest(tests: TestConfig[]): Promise<TestRun> {
  for (const t of tests) registerExperiment(t.experiment);
  const configs = new Map(tests.map((t) => [t.experiment.id, configOf(t)]));
  const outDir = await mkdtemp(join(tmpdir(), 'locscope-experiment-'));
  const logger = createLogger({ level: 'silent' });
  const clients = new ServiceConnections({ addresses: {}, logger });
  try {
    const outcome = await runEmbedded({
      runId: 'test',
      outDir,
      profile: 'paper',
      stages: orderStages(tests.map((t) => t.experiment.id), configs),
      clients,
      loadDataset: (config) => datasetForConfig(config),
      logger,
    });
    const directory = new RunDirectory(outDir, 'test');
    const records = new Map<string, SampleRecord[]>();
    let failures = 0;
    for (const t of tests) {
      const results = await directory.list('test', t.experiment.id);
      records.set(t.experiment.id, results.flatMap((r) => r.records).sort(compareRecordKeys));
      failures += (await directory.failures('test', t.experiment.id)).length;
    }
    return { aggregates: new Map(outcome.aggregates.map((a) => [a.experiment, a])), records, failures };
  } finally {
    await clients.close();
    await rm(outDir, { recursive: true, force: true });
  }
}
