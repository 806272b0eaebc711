// cma (paper §3.3.2, Fig. 4): per attention head, patch its output at every position after the
// image from the source run (object present) into the base run (object inpainted away) and
// measure the masked teacher-forced perplexity of the correct answer; MF is computed in the
// aggregate. Localization uses the GT box answer, classification the binary query ("Yes").
import { InferenceClient, TextSpan, TokenMaskMode, type LayerHead } from '@locscope/proto/v1/inference';
import type { Experiment, RecordValue } from '../../experiment.ts';
import { unary } from '../../services/unary.ts';
import { targetText } from '../common/answer-text.ts';
import { readImage } from '../common/evaluate.ts';
import { inpaintedImage } from '../common/inpaint.ts';
import { promptFor } from '../common/prompts.ts';
import { PROBING_SET_SOURCE, planAnalysisObjects } from '../common/objects.ts';
import type { ObjectJobInput } from '../common/samples.ts';
import { modelInfo } from '../model-info.ts';
import { aggregateCma } from './aggregate.ts';
import type { CmaValue } from './record.ts';
import { cmaParams, type CmaParams } from './params.ts';

export function allHeads(layers: number, heads: number): LayerHead[] {
  return Array.from({ length: layers * heads }, (_, i) => ({ layer: Math.floor(i / heads), head: i % heads }));
}

export const cmaExperiment: Experiment<CmaParams, ObjectJobInput, CmaValue> = {
  id: 'cma',
  version: 2,
  params: cmaParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAnalysisObjects(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const info = await modelInfo(calls, input.model);
    const client = await calls.clients.client('inference', InferenceClient);
    const source = Buffer.from(await readImage(input.object.imagePath));
    const base = Buffer.from(await inpaintedImage(calls, input.object, config.params.inpaint));
    const heads = allHeads(info.layers, info.heads);
    const records: RecordValue<CmaValue>[] = [];
    for (const task of config.params.tasks) {
      const patched = new Array<number>(heads.length);
      let perplexities = { base: 0, source: 0 };
      for (let start = 0; start < heads.length; start += config.params.headsPerBatch) {
        const response = await unary(client.headSweep.bind(client), {
          model: input.model,
          baseImage: { source: { $case: 'encoded', value: base } },
          sourceImage: { source: { $case: 'encoded', value: source } },
          prompt: promptFor(task, config, input),
          target: targetText(task, info.family, input.object),
          positions: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] },
          heads: heads.slice(start, start + config.params.headsPerBatch),
          maskMode: TokenMaskMode.TOKEN_MASK_MODE_UNSPECIFIED,
          mask: [],
        }, calls.signal);
        perplexities = { base: response.basePerplexity, source: response.sourcePerplexity };
        response.heads.forEach((h, i) => (patched[h.layer * info.heads + h.head] = response.patchedPerplexities[i]));
      }
      records.push({ variant: task, seed: 0, value: { model: input.model, task, layers: info.layers, heads: info.heads, ...perplexities, patched } });
    }
    return records;
  },
  aggregate: aggregateCma,
};
