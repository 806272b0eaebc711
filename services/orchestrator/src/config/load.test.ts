import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { registerStudyExperiments, STUDY_EXPERIMENTS } from '../experiments/index.ts';
import { BUILTIN_CONFIG_DIR, loadConfigs, parseConfig } from './load.ts';

beforeAll(() => registerStudyExperiments());

describe('built-in experiment configs', () => {
  it('define every experiment of the study, valid in both profiles', async () => {
    for (const profile of ['demo', 'paper'] as const) {
      const configs = await loadConfigs([BUILTIN_CONFIG_DIR], profile);
      expect([...configs.keys()].sort()).toEqual([...STUDY_EXPERIMENTS].sort());
      for (const config of configs.values()) expect(config.profile).toBe(profile);
    }
  });

  it('carry the paper defaults and the demo reductions', async () => {
    const paper = await loadConfigs([BUILTIN_CONFIG_DIR], 'paper');
    const demo = await loadConfigs([BUILTIN_CONFIG_DIR], 'demo');
    expect(paper.get('token-ablation')!.params).toMatchObject({
      paddings: [-2, -1, 0, 1, 2],
      integratedGradients: { ks: [1, 4, 8, 16, 32, 48] },
      random: { ks: [1, 4, 8, 16, 32, 48], seeds: [0, 1, 2] },
      registerSigma: 2,
    });
    expect(paper.get('containerization')!.params).toMatchObject({ paddings: [0, 1, 2], scalings: [0, 1, 2], seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    expect(paper.get('knockout')!.params).toMatchObject({ groupSize: 4, includeAllLayers: true });
    expect(paper.get('cma')!.samples).toBe(50);
    expect(paper.get('position-probe')!.params).toMatchObject({ epochs: 10, trainImages: 50_000, evalImages: 10_000 });
    expect(paper.get('baseline')!.iouThresholds).toEqual([0.5, 0.7, 0.9]);
    expect(paper.get('views')!.models).toEqual(['demo-internvl']);
    expect(demo.get('cma')!.samples).toBe(8);
    expect(demo.get('containerization')!.params).toMatchObject({ seeds: [0, 1, 2], paddings: [0, 1, 2] });
    // A profile overrides only what it names.
    expect(demo.get('token-ablation')!.params).toMatchObject({ paddings: [-2, -1, 0, 1, 2], integratedGradients: { ks: [1, 4, 8, 16], steps: 8 } });
  });
});

describe('config errors name the file and the field', () => {
  const base = 'experiment: knockout\nversion: 1\ndescription: d\n';
  const error = (text: string, name = 'knockout.yaml') => {
    try {
      parseConfig(text, name, 'paper');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('for a wrongly typed param', () => {
    expect(error(`${base}params:\n  groupSize: four\n`)).toMatch(/^params\.groupSize: knockout\.yaml: .*number/);
  });
  it('for an unknown param', () => {
    expect(error(`${base}params:\n  groupsize: 4\n`)).toMatch(/knockout\.yaml: .*groupsize/);
  });
  it('for an envelope field', () => {
    expect(error(`${base}samples: -3\n`)).toMatch(/^samples: knockout\.yaml/);
  });
  it('for a config format other than 1', () => {
    expect(error(base.replace('version: 1', 'version: 2'))).toMatch(/^version: knockout\.yaml/);
  });
  it('for a mismatched file name', () => {
    expect(error(base, 'cma.yaml')).toMatch(/^experiment: cma\.yaml: "knockout" does not match/);
  });
  it('for an unknown profile and an unknown experiment', () => {
    expect(error(`${base}profiles:\n  laptop: {}\n`)).toMatch(/^profiles\.laptop: knockout\.yaml: unknown profile/);
    expect(error('experiment: nope\nversion: 1\ndescription: d\n', 'nope.yaml')).toMatch(/unknown experiment "nope"/);
  });
  it('for invalid YAML', () => {
    expect(error(`${base}params: [unclosed\n`)).toMatch(/^\(yaml\): knockout\.yaml/);
  });
});
