import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CONFIG_DIR, loadConfigs, parseConfig } from '../../config/load.ts';
import { loadCocoDataset, selectSamples, type Dataset } from '../../dataset.ts';
import { orderStages } from '../../execution/plan.ts';
import type { PlanContext } from '../../experiment.ts';
import { findExperiment } from '../../registry.ts';
import type { Aggregate } from '../../report/model.ts';
import type { ControlSetSummary } from '../control-set/aggregate.ts';
import { controlSetExperiment } from '../control-set/control-set.ts';
import { registerStudyExperiments, studyExperiments } from '../index.ts';
import { shuffleExperiment } from '../shuffle/shuffle.ts';
import { objectsNote, planAnalysisObjects, PROBING_SET_SOURCE, type ObjectPool } from './objects.ts';
import { objectOfJob } from './samples.ts';
import { runForTest } from './test-run.ts';

/** The per-object analyses that choose their objects (`objects` param). */
const ANALYSES = ['token-ablation', 'containerization', 'shuffle', 'views', 'knockout', 'cma', 'head-ablation'];
const MODELS = ['demo-llava', 'demo-internvl'];
const square = (x: number) => [[x, 0, x + 4, 0, x + 4, 4, x, 4]];

let root: string;
let dataset: Dataset;
registerStudyExperiments();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-objects-'));
  const coco = {
    images: [{ id: 1, file_name: 'a.png', width: 64, height: 64 }],
    annotations: Array.from({ length: 8 }, (_, i) => ({ id: i + 1, image_id: 1, category_id: 1, bbox: [i, 0, 4, 4], area: 16, iscrowd: 0, segmentation: square(i) })),
    categories: [{ id: 1, name: 'cube' }],
  };
  await writeFile(join(root, 'annotations.json'), JSON.stringify(coco));
  dataset = await loadCocoDataset(join(root, 'annotations.json'), root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

function config(objects: ObjectPool, samples: number | null) {
  const doc = { experiment: 'shuffle', version: 1, description: 'test', models: MODELS, samples, params: { objects } };
  return parseConfig(JSON.stringify(doc), 'shuffle.yaml', 'paper');
}

function context(objects: ObjectPool, samples: number | null, probingSet: string[]): PlanContext<{ objects: ObjectPool }> {
  const resolved = config(objects, samples);
  return {
    runId: 'r',
    config: resolved as typeof resolved & { params: { objects: ObjectPool } },
    dataset: async () => ({ ...dataset, samples: selectSamples(dataset.population, resolved.samples, resolved.seed) }),
    upstream: async (id) => {
      if (id !== PROBING_SET_SOURCE) throw new Error(`unexpected upstream ${id}`);
      return { experiment: id, title: '', summary: { kept: {}, probingSet }, tables: [], figures: [], notes: [] };
    },
  };
}

const objectsOf = (jobs: { sample: string }[]) => [...new Set(jobs.map((j) => objectOfJob(j.sample)))].sort();

describe('objects of the per-object analyses', () => {
  it('plans exactly the probing set (ids outside the dataset ignored), for every model', async () => {
    const jobs = await planAnalysisObjects(context('probing', null, ['ann-2', 'ann-5', 'ann-99']));
    expect(objectsOf(jobs)).toEqual(['ann-2', 'ann-5']);
    expect(jobs.map((j) => j.sample).sort()).toEqual(['demo-internvl/ann-2', 'demo-internvl/ann-5', 'demo-llava/ann-2', 'demo-llava/ann-5']);
  });

  it('draws the config\'s sample count from the probing set, not from the whole dataset', async () => {
    const probing = ['ann-1', 'ann-3', 'ann-4', 'ann-6', 'ann-8'];
    const jobs = await planAnalysisObjects(context('probing', 3, probing));
    const expected = selectSamples(dataset.population.filter((s) => probing.includes(s.id)), 3, 0).map((s) => s.id);
    expect(objectsOf(jobs)).toEqual(expected.sort());
    expect(expected).toHaveLength(3);
  });

  it('keeps every selected object with `all`, without reading the control set', async () => {
    const ctx = context('all', null, []);
    const jobs = await planAnalysisObjects({ ...ctx, upstream: () => Promise.reject(new Error('read the control set')) });
    expect(objectsOf(jobs)).toEqual(dataset.samples.map((s) => s.id).sort());
    expect(jobs).toHaveLength(2 * dataset.samples.length);
  });

  it('plans nothing for an empty probing set', async () => {
    expect(await planAnalysisObjects(context('probing', 4, []))).toEqual([]);
  });

  it('notes how many objects the records rest on, and why there are none', () => {
    const records = ['demo-llava/ann-1', 'demo-internvl/ann-1', 'demo-llava/ann-2'].map((sample) => ({ run: 'r', experiment: 'x', sample, variant: 'v', seed: 0, value: null }));
    expect(objectsNote(records, 'probing')).toBe('2 objects of the probing set (kept by every model, paper §2.2).');
    expect(objectsNote([], 'probing')).toMatch(/^No object of the probing set .* nothing to analyse: the probing set is empty when no object is kept by every model/);
    expect(objectsNote([], 'all')).toMatch(/^No object of all selected objects/);
  });
});

describe('analyses on the probing set', () => {

  it.each(ANALYSES)('%s defaults to the probing set, depends on control-set and runs after it', async (id) => {
    const configs = await loadConfigs([BUILTIN_CONFIG_DIR], 'demo');
    expect(configs.get(id)!.params).toMatchObject({ objects: 'probing' });
    expect(findExperiment(id)!.dependsOn).toContain(PROBING_SET_SOURCE);
    const order = orderStages([id], configs).map((s) => s.experiment.id);
    expect(order[0]).toBe(PROBING_SET_SOURCE);
    expect(order.at(-1)).toBe(id);
    if (id === 'head-ablation') expect(order).toEqual(['control-set', 'cma', 'head-ablation']);
  });

  it.each(ANALYSES)('%s aggregates an empty probing set into empty tables with a note', (id) => {
    const experiment = studyExperiments.find((e) => e.id === id)!;
    const doc = { experiment: id, version: 1, description: 'test', models: MODELS, params: {} };
    const aggregate: Aggregate = experiment.aggregate([], parseConfig(JSON.stringify(doc), `${id}.yaml`, 'paper'));
    expect(aggregate.notes[0]).toMatch(/^No object of the probing set/);
    expect(JSON.stringify(aggregate)).not.toMatch(/NaN|Infinity/);
  });

  it('rejects an unknown object pool', () => {
    expect(() => parseConfig(JSON.stringify({ experiment: 'cma', version: 1, description: 'd', params: { objects: 'some' } }), 'cma.yaml', 'paper')).toThrow(/params\.objects/);
  });
});

describe('an analysis after a real control set', () => {
  it('runs on exactly the probing set and says so', async () => {
    const run = await runForTest([
      { experiment: controlSetExperiment, models: MODELS, samples: 4 },
      { experiment: shuffleExperiment, models: MODELS, samples: 4, params: { tasks: ['localization'], modes: ['object'], seeds: [0] } },
    ]);
    expect(run.failures).toBe(0);
    const { probingSet } = run.aggregates.get('control-set')!.summary as ControlSetSummary;
    const records = run.records.get('shuffle')!;
    expect(probingSet.length).toBeGreaterThan(0);
    expect(objectsOf(records)).toEqual(probingSet);
    expect(run.aggregates.get('shuffle')!.notes[0]).toBe(objectsNote(records, 'probing'));
  }, 180_000);
});
