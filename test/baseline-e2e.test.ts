// The baseline experiment end to end on the shipped demo models and evaluation split: the real
// inference service started in-process by the orchestrator, answers scored, report written.
import { datasetForConfig, orderStages, parseConfig, registerStudyExperiments, RunDirectory, runEmbedded, ServiceConnections } from '@locscope/orchestrator';
import { createLogger } from '@locscope/server-kit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const logger = createLogger({ level: 'silent' });
const clients = new ServiceConnections({ addresses: {}, logger });
let root: string | undefined;
afterAll(async () => {
  await clients.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('baseline on the demo', () => {
  it('asks both demo models both tasks for every sample and aggregates them', async () => {
    registerStudyExperiments();
    root = await mkdtemp(join(tmpdir(), 'locscope-baseline-'));
    const config = parseConfig('experiment: baseline\nversion: 1\ndescription: d\nsamples: 2\n', 'baseline.yaml', 'paper');
    const outcome = await runEmbedded({
      runId: 'b1',
      outDir: root,
      profile: 'paper',
      stages: orderStages(['baseline'], new Map([['baseline', config]])),
      clients,
      loadDataset: (c) => datasetForConfig(c),
      logger,
    });
    expect(outcome.state.status, JSON.stringify(outcome.state)).toBe('done');
    const results = await new RunDirectory(root, 'b1').list('b1', 'baseline');
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.records.map((r) => r.variant)).toEqual(['demo-internvl/classification', 'demo-internvl/localization', 'demo-llava/classification', 'demo-llava/localization']);
      for (const r of result.records) {
        const value = r.value as { answer: string; iou?: number; correct?: boolean };
        expect(value.answer.trim().length, r.variant).toBeGreaterThan(0);
        if (value.iou !== undefined) expect(value.iou).toBeGreaterThanOrEqual(0);
        if (value.iou !== undefined) expect(value.iou).toBeLessThanOrEqual(1);
      }
    }
    const table = outcome.aggregates[0].tables[0];
    expect(table.rows.map((r) => [r[0], r[1]])).toEqual([['demo-llava', 2], ['demo-internvl', 2]]);
  });
});
