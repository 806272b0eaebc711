// baseline (paper §2.3): each model's unmodified localization (success at the IoU thresholds,
// averaged) and list classification (the GT class name appears in the answer), per sample.
// Answers come from the inference service; scoring uses the metrics package's parsers.
import { localizationScore, mentionsClass, scoreLocalizationAnswers } from '@locscope/metrics';
import { readFile } from 'node:fs/promises';
import type { Experiment } from '../../experiment.ts';
import type { Table } from '../../report/model.ts';
import { generateAnswers } from '../generate.ts';
import { familyName, modelInfo } from '../model-info.ts';
import { fillPrompt } from '../prompts.ts';
import { baselineParams, type BaselineParams } from './params.ts';

interface BaselineInput {
  [key: string]: string | number | number[] | string[];
  image: string;
  width: number;
  height: number;
  bbox: number[];
  category: string;
  categories: string[];
}

type BaselineValue = { answer: string; iou: number } | { answer: string; correct: boolean };

const NO_VARIANT = 'none';

export const baselineExperiment: Experiment<BaselineParams, BaselineInput, BaselineValue> = {
  id: 'baseline',
  version: 1,
  params: baselineParams,
  dependsOn: [],
  async plan({ dataset }) {
    const data = await dataset();
    return data.samples.map((s) => ({
      sample: s.id,
      input: { image: s.imagePath, width: s.width, height: s.height, bbox: s.bbox, category: s.categoryName, categories: data.categories },
    }));
  },
  async runSample(job, calls) {
    const { config, input } = job;
    const image = await readFile(input.image);
    const records = [];
    for (const model of config.models) {
      const family = familyName((await modelInfo(calls, model)).family);
      const ask = async (prompt: string) =>
        (await generateAnswers(calls, { model, image, prompt, variants: [{ name: NO_VARIANT, interventions: [] }], maxNewTokens: config.maxNewTokens })).get(NO_VARIANT) ?? '';
      if (config.params.tasks.includes('localization')) {
        const answer = await ask(fillPrompt(config.prompts.localization, { object: input.category }));
        const [x, y, w, h] = input.bbox;
        const scored = scoreLocalizationAnswers(family, [{ answer, size: { width: input.width, height: input.height }, gtBox: [x, y, w, h] }], config.iouThresholds);
        records.push({ variant: `${model}/localization`, seed: 0, value: { answer, iou: scored.rows[0].iou } });
      }
      if (config.params.tasks.includes('classification')) {
        const answer = await ask(fillPrompt(config.prompts.classification, { categories: input.categories }));
        records.push({ variant: `${model}/classification`, seed: 0, value: { answer, correct: mentionsClass(answer, input.category) } });
      }
    }
    return records;
  },
  aggregate(records, config) {
    const thresholds = config.iouThresholds.map(String);
    const summary: Record<string, { samples: number; localization: number | null; success: Record<string, number> | null; classification: number | null }> = {};
    const rows: Table['rows'] = [];
    for (const model of config.models) {
      const ious = records.filter((r) => r.variant === `${model}/localization` && 'iou' in r.value).map((r) => (r.value as { iou: number }).iou);
      const correct = records.filter((r) => r.variant === `${model}/classification` && 'correct' in r.value).map((r) => (r.value as { correct: boolean }).correct);
      const loc = ious.length > 0 ? localizationScore(ious, config.iouThresholds) : null;
      const cls = correct.length > 0 ? correct.filter(Boolean).length / correct.length : null;
      summary[model] = { samples: Math.max(ious.length, correct.length), localization: loc?.localization ?? null, success: loc?.success ?? null, classification: cls };
      const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(v * 10000) / 100);
      rows.push([model, summary[model].samples, ...thresholds.map((t) => pct(loc?.success[t])), pct(loc?.localization), pct(cls)]);
    }
    return {
      experiment: 'baseline',
      title: 'Baseline (§2.3): localization and classification of the unmodified models',
      summary,
      tables: [{ id: 'baseline', title: 'Accuracy (%)', columns: ['model', 'samples', ...thresholds.map((t) => `IoU ≥ ${t}`), 'Loc.', 'Cls.'], rows }],
      figures: [],
      notes: [],
    };
  },
};
