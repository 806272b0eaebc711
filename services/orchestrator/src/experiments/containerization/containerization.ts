// containerization (paper §3.1.1, Fig. 1): grow the object by p rings of tokens filled with tokens
// copied (seeded) from inside it, and score each predicted box against GT boxes grown by s rings.
// If the model "containerizes", padding p fits scaling s = p best (a strong diagonal).
import { MasksClient, type Box, type ContainerizeResponse } from '@locscope/proto/v1/masks';
import { status } from '@grpc/grpc-js';
import { LocscopeError } from '@locscope/server-kit';
import type { Experiment, RecordValue } from '../../experiment.ts';
import type { ServiceCalls } from '../../services/clients.ts';
import { unary } from '../../services/unary.ts';
import { answersOf, readImage, scoreBoxes } from '../common/evaluate.ts';
import { gridSpec } from '../common/geometry.ts';
import { moveTokens, variant } from '../common/interventions.ts';
import { PROBING_SET_SOURCE, planAnalysisObjects } from '../common/objects.ts';
import { segmentationMessage, type ObjectJobInput, type ObjectSample } from '../common/samples.ts';
import { modelInfo } from '../model-info.ts';
import { aggregateContainerization } from './aggregate.ts';
import type { ContainerizationValue } from './record.ts';
import { containerizationParams, type ContainerizationParams } from './params.ts';

async function containerize(calls: ServiceCalls, grid: ReturnType<typeof gridSpec>, object: ObjectSample, padding: number, seed: number): Promise<ContainerizeResponse> {
  const client = await calls.clients.client('masks', MasksClient);
  return unary(client.containerize.bind(client), { grid, segmentation: segmentationMessage(object.segmentation), padding, seed }, calls.signal);
}

function xywh(box: Box | undefined): [number, number, number, number] {
  if (!box) throw new LocscopeError(status.INTERNAL, 'masks.Containerize returned no grown_box');
  return [box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0];
}

export const containerizationExperiment: Experiment<ContainerizationParams, ObjectJobInput, ContainerizationValue> = {
  id: 'containerization',
  version: 2,
  params: containerizationParams,
  dependsOn: [PROBING_SET_SOURCE],
  plan: (ctx) => planAnalysisObjects(ctx),
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const info = await modelInfo(calls, input.model);
    const grid = gridSpec(info, input.object);
    // GT boxes grown by s rings do not depend on the seed.
    const scaled = await Promise.all(params.scalings.map(async (s) => xywh((await containerize(calls, grid, input.object, s, 0)).grownBox)));
    // Padding 0 moves nothing, so it is one run whatever the seed.
    const runs = params.paddings.flatMap((p) => (p === 0 ? [{ p, seed: params.seeds[0] }] : params.seeds.map((seed) => ({ p, seed }))));
    const moves = await Promise.all(runs.map(async (r) => (r.p === 0 ? [] : (await containerize(calls, grid, input.object, r.p, r.seed)).moves)));
    const variants = runs.map((r, i) => variant(`p${r.p}@${r.seed}`, moves[i].length > 0 ? [moveTokens(moves[i])] : []));
    const answers = await answersOf(calls, input, config, 'localization', variants, await readImage(input.object.imagePath));
    const records: RecordValue<ContainerizationValue>[] = [];
    for (const [i, r] of runs.entries()) {
      const scored = await scoreBoxes(calls, input.model, input.object, scaled.map((gtBox) => ({ answer: answers[i], gtBox })), config.iouThresholds);
      records.push({
        variant: `p${r.p}`,
        seed: r.seed,
        value: { model: input.model, padding: r.p, scores: scored.map((s) => s.score), ious: scored.map((s) => s.iou), answer: answers[i] },
      });
    }
    return records;
  },
  aggregate: aggregateContainerization,
};
