// control-set (paper §2.2): remove the target by inpainting and ask the list prompt on the original
// and the inpainted image; a pair is kept when the model names the class on the original but not
// on the inpainted image, so later analyses rest on object evidence, not context. The probing
// subset is the intersection of the models' kept pairs.
import type { Experiment } from '../../experiment.ts';
import { evaluateVariants } from '../common/evaluate.ts';
import { inpaintedImage } from '../common/inpaint.ts';
import { variant } from '../common/interventions.ts';
import { planObjectJobs, type ObjectJobInput } from '../common/samples.ts';
import { aggregateControlSet } from './aggregate.ts';
import type { ControlSetValue } from './record.ts';
import { controlSetParams, type ControlSetParams } from './params.ts';

export const controlSetExperiment: Experiment<ControlSetParams, ObjectJobInput, ControlSetValue> = {
  id: 'control-set',
  version: 1,
  params: controlSetParams,
  dependsOn: [],
  plan: (ctx) => planObjectJobs(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const clean = [variant('clean')];
    const [original] = await evaluateVariants(calls, input, config, 'classification', clean);
    const removed = await inpaintedImage(calls, input.object, config.params.inpaint);
    const [inpainted] = await evaluateVariants(calls, input, config, 'classification', clean, removed);
    const value = {
      model: input.model,
      object: input.object.id,
      original: original.score === 1,
      inpainted: inpainted.score === 1,
      kept: original.score === 1 && inpainted.score === 0,
      answers: { original: original.answer, inpainted: inpainted.answer },
    };
    return [{ variant: 'pair', seed: 0, value }];
  },
  aggregate: aggregateControlSet,
};
