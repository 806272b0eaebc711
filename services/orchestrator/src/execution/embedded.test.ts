import { createLogger } from '@locscope/server-kit';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import { MissingError } from '../errors.ts';
import { registerExperiment } from '../registry.ts';
import { ServiceConnections } from '../services/clients.ts';
import { arithExperiment, arithValue } from '../testing/arith-experiment.ts';
import { runEmbedded } from './embedded.ts';
import { orderStages } from './plan.ts';
import { RunInterruptedError } from './runner.ts';
import type { RunSink } from './state.ts';

registerExperiment(arithExperiment);
const logger = createLogger({ level: 'silent' });

function stages(params: Record<string, unknown>) {
  const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify(params)}\n`;
  const config = parseConfig(yaml, 'arith.yaml', 'paper');
  return orderStages(['arith'], new Map([['arith', config]]));
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-embedded-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function run(outDir: string, params: Record<string, unknown>, extra: { signal?: AbortSignal; sinks?: RunSink[] } = {}) {
  const clients = new ServiceConnections({ addresses: {}, logger });
  try {
    return await runEmbedded({
      runId: 'r1',
      outDir,
      profile: 'paper',
      stages: stages(params),
      clients,
      loadDataset: async () => {
        throw new MissingError('arith needs no dataset');
      },
      logger,
      concurrency: 2,
      ...extra,
    });
  } finally {
    await clients.close();
  }
}

const PARAMS = { count: 12, seeds: [0, 3], delayMs: 20 };

describe('embedded run', () => {
  it('stores one record per (sample, variant, seed), equal to the computation', async () => {
    const outcome = await run(join(root, 'a'), PARAMS);
    expect(outcome.state.status).toBe('done');
    expect(outcome.state.experiments.arith).toMatchObject({ total: 12, done: 12, failed: 0 });
    const files = (await readdir(join(root, 'a/r1/records/arith'))).sort();
    expect(files).toHaveLength(12);
    const result = JSON.parse(await readFile(join(root, 'a/r1/records/arith/s0007.json'), 'utf8'));
    expect(result.records.map((r: { seed: number; value: unknown }) => [r.seed, r.value])).toEqual([
      [0, arithValue(7, 0)],
      [3, arithValue(7, 3)],
    ]);
    expect(outcome.report).toBe(join(root, 'a/r1/report/index.html'));
  });

  it('resumes an interrupted run and produces byte-identical aggregates', async () => {
    const controller = new AbortController();
    let seen = 0;
    const stopAfterFour: RunSink = {
      state: () => {},
      sample: () => {
        if (++seen === 4) controller.abort(new Error('test interruption'));
      },
    };
    await expect(run(join(root, 'b'), PARAMS, { signal: controller.signal, sinks: [stopAfterFour] })).rejects.toBeInstanceOf(
      RunInterruptedError,
    );
    const partial = await readdir(join(root, 'b/r1/records/arith'));
    expect(partial.length).toBeGreaterThanOrEqual(4);
    expect(partial.length).toBeLessThan(12);
    const state = JSON.parse(await readFile(join(root, 'b/r1/state.json'), 'utf8'));
    expect(state.status).toBe('interrupted');

    let executed = 0;
    const counter: RunSink = { state: () => {}, sample: () => void executed++ };
    await run(join(root, 'b'), PARAMS, { sinks: [counter] });
    expect(executed).toBe(12 - partial.length);
    const undisturbed = await readFile(join(root, 'a/r1/aggregates/arith.json'), 'utf8');
    expect(await readFile(join(root, 'b/r1/aggregates/arith.json'), 'utf8')).toBe(undisturbed);
    expect(await readFile(join(root, 'b/r1/report/index.html'), 'utf8')).toBe(await readFile(join(root, 'a/r1/report/index.html'), 'utf8'));
  });

  it('re-running a finished run executes nothing and rewrites the same aggregate', async () => {
    let executed = 0;
    await run(join(root, 'a'), PARAMS, { sinks: [{ state: () => {}, sample: () => void executed++ }] });
    expect(executed).toBe(0);
  });

  it('refuses to resume a run id with a changed config', async () => {
    await expect(run(join(root, 'a'), { ...PARAMS, count: 13 })).rejects.toThrow(/changed since the run started/);
  });

  it('records failures, notes them in the aggregate and retries them on resume', async () => {
    const outcome = await run(join(root, 'c'), { count: 5, seeds: [0], failOn: [2] });
    expect(outcome.state.status).toBe('failed');
    expect(outcome.state.experiments.arith).toMatchObject({ done: 4, failed: 1 });
    expect(outcome.aggregates[0].notes.join(' ')).toMatch(/1 of 5 samples failed.*s0002: .*configured to fail/);
    const failure = JSON.parse(await readFile(join(root, 'c/r1/failures/arith/s0002.json'), 'utf8'));
    expect(failure).toMatchObject({ key: { experiment: 'arith', sample: 's0002' }, attempts: 1 });
  });
});
