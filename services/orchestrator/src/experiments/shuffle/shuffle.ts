// shuffle (paper §3.1.1, Tab. 2): permute all visual tokens, or only the tokens inside the object
// mask (seeded), at the LLM input; both tasks, all (mode, seed) runs of a task in one Generate.
import type { Experiment, RecordValue } from '../../experiment.ts';
import { evaluateVariants, readImage } from '../common/evaluate.ts';
import { allViews, projectObject, visualTokenCount } from '../common/geometry.ts';
import { moveTokens, variant } from '../common/interventions.ts';
import { PROBING_SET_SOURCE, planAnalysisObjects } from '../common/objects.ts';
import type { ObjectJobInput } from '../common/samples.ts';
import { modelInfo } from '../model-info.ts';
import type { Task } from '../tasks.ts';
import { aggregateShuffle } from './aggregate.ts';
import type { ShuffleValue } from './record.ts';
import { shuffleParams, type ShuffleParams } from './params.ts';
import { shuffleMoves } from './permutation.ts';

export const shuffleExperiment: Experiment<ShuffleParams, ObjectJobInput, ShuffleValue> = {
  id: 'shuffle',
  version: 2,
  params: shuffleParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAnalysisObjects(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const info = await modelInfo(calls, input.model);
    const projection = await projectObject(calls, info, input.object, [0]);
    const tokensOf = {
      full: Array.from({ length: visualTokenCount(projection.views) }, (_, i) => i),
      object: allViews(projection, 0),
    };
    const runs = [
      { condition: 'clean', seed: 0, moves: [] as { dst: number; src: number }[] },
      ...params.modes.flatMap((mode) => params.seeds.map((seed) => ({ condition: mode, seed, moves: shuffleMoves(tokensOf[mode], seed) }))),
    ];
    const variants = runs.map((r) => variant(`${r.condition}@${r.seed}`, r.moves.length > 0 ? [moveTokens(r.moves)] : []));
    const image = await readImage(input.object.imagePath);
    const records: RecordValue<ShuffleValue>[] = [];
    for (const task of params.tasks) {
      const outcomes = await evaluateVariants(calls, input, config, task, variants, image);
      runs.forEach((r, i) =>
        records.push({
          variant: `${task}/${r.condition}`,
          seed: r.seed,
          value: { model: input.model, task, condition: r.condition, score: outcomes[i].score, iou: outcomes[i].iou, answer: outcomes[i].answer },
        }),
      );
    }
    return records;
  },
  aggregate: aggregateShuffle,
};
