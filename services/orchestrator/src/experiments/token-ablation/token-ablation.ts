// token-ablation (paper §3.1, Tab. 1): replace visual tokens with the mean visual embedding —
// object tokens with −2…+2 rings of padding, the top-k Integrated-Gradients tokens, k random
// tokens (seeded) and register tokens — and measure both tasks. All conditions of one task are
// variants of a single batched Generate.
import type { Variant } from '@locscope/proto/v1/inference';
import type { Experiment, RecordValue } from '../../experiment.ts';
import { targetText } from '../common/answer-text.ts';
import { encodeImage } from '../common/encode-image.ts';
import { evaluateVariants, readImage } from '../common/evaluate.ts';
import { allViews, countByView, projectObject, viewSizes, type ViewCounts } from '../common/geometry.ts';
import { replaceTokens, variant, type Replacement } from '../common/interventions.ts';
import { planAblationJobs, replacementFor, type AblationInput } from '../common/mean-embedding.ts';
import { promptFor } from '../common/prompts.ts';
import { PROBING_SET_SOURCE } from '../common/objects.ts';
import { modelInfo } from '../model-info.ts';
import type { Task } from '../tasks.ts';
import { aggregateTokenAblation } from './aggregate.ts';
import { paddingCondition, type AblationValue } from './record.ts';
import { tokenAblationParams, type TokenAblationParams } from './params.ts';
import { attributions, randomTokenSet, registerTokenSet, topAttributed } from './selections.ts';


interface Condition {
  name: string;
  seed: number;
  tokens: number[];
}

function conditionVariant(c: Condition, replacement: Replacement): Variant {
  // An empty selection (erosion of a thin object, no register tokens) leaves the image unchanged.
  return variant(`${c.name}@${c.seed}`, c.tokens.length > 0 ? [replaceTokens(c.tokens, replacement)] : []);
}

export const tokenAblationExperiment: Experiment<TokenAblationParams, AblationInput, AblationValue> = {
  id: 'token-ablation',
  version: 2,
  params: tokenAblationParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAblationJobs(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const info = await modelInfo(calls, input.model);
    const image = await readImage(input.object.imagePath);
    const [projection, encoded] = await Promise.all([projectObject(calls, info, input.object, params.paddings), encodeImage(calls, input.model, image)]);
    const tokens = viewSizes(projection.views);
    const replacement = await replacementFor(calls, input.model, params.replacement, input.meanImages);
    const igBaseline = await replacementFor(calls, input.model, params.integratedGradients.baseline, input.meanImages);

    const shared: Condition[] = [
      { name: 'clean', seed: 0, tokens: [] },
      ...params.paddings.map((p) => ({ name: paddingCondition(p), seed: 0, tokens: allViews(projection, p) })),
      ...params.random.ks.flatMap((k) => params.random.seeds.map((seed) => ({ name: `random-${k}`, seed, tokens: randomTokenSet(tokens.total, k, seed) }))),
      { name: 'register', seed: 0, tokens: registerTokenSet(encoded, params.registerSigma) },
    ];
    const records: RecordValue<AblationValue>[] = [];
    for (const task of params.tasks) {
      const scores = await attributions(calls, {
        model: input.model,
        image,
        prompt: promptFor(task, config, input),
        target: targetText(task, info.family, input.object),
        steps: params.integratedGradients.steps,
        baseline: igBaseline,
      });
      const conditions = [...shared, ...params.integratedGradients.ks.map((k) => ({ name: `ig-${k}`, seed: 0, tokens: topAttributed(scores, k) }))];
      const outcomes = await evaluateVariants(calls, input, config, task, conditions.map((c) => conditionVariant(c, replacement)), image);
      conditions.forEach((c, i) =>
        records.push({
          variant: `${task}/${c.name}`,
          seed: c.seed,
          value: {
            model: input.model,
            task,
            condition: c.name,
            score: outcomes[i].score,
            iou: outcomes[i].iou,
            answer: outcomes[i].answer,
            removed: countByView(c.tokens, projection.views),
            tokens,
          },
        }),
      );
    }
    return records;
  },
  aggregate: aggregateTokenAblation,
};
