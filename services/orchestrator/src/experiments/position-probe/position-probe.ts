// position-probe (paper §3.2, Fig. 2): a linear probe per layer and axis predicts each visual
// token's row and column in its view's grid — vision encoder layers, the projection (LM input)
// and every LM layer. One job per model: its images are captured once, then every layer's probe
// is trained and evaluated on held-out images by the metrics service.
import { decodeFloat32, float32Tensor } from '@locscope/proto';
import { MetricsClient } from '@locscope/proto/v1/metrics';
import type { Experiment, RecordValue } from '../../experiment.ts';
import { unary } from '../../services/unary.ts';
import { encodeImage } from '../common/encode-image.ts';
import { readImage } from '../common/evaluate.ts';
import { firstImages } from '../common/samples.ts';
import { fillPrompt } from '../prompts.ts';
import { aggregatePositionProbe } from './aggregate.ts';
import type { ProbeValue } from './record.ts';
import { captureTensors, visualCapture } from './capture.ts';
import { addImage, layerKeyName, type Component, type LayerData, type LayerKey } from './features.ts';
import { positionProbeParams, type PositionProbeParams } from './params.ts';

export type ProbeInput = { model: string; images: string[]; categories: string[] };

export const positionProbeExperiment: Experiment<PositionProbeParams, ProbeInput, ProbeValue> = {
  id: 'position-probe',
  version: 1,
  params: positionProbeParams,
  dependsOn: [],
  async plan(ctx) {
    const dataset = await ctx.dataset();
    const images = firstImages(dataset, ctx.config.params.trainImages + ctx.config.params.evalImages);
    return ctx.config.models.map((model) => ({ sample: model, input: { model, images, categories: dataset.categories } }));
  },
  async runSample(job, calls) {
    const { input, config } = job;
    const params = config.params;
    const components = params.components;
    const data = new Map<string, LayerData & LayerKey>();
    const prompt = fillPrompt(config.prompts.classification, { categories: input.categories });
    for (const [index, path] of input.images.entries()) {
      const image = await readImage(path);
      const { views } = await encodeImage(calls, input.model, image);
      const tokens = views.reduce((n, v) => n + v.rows * v.cols, 0);
      const hidden = components.includes('projection') || components.includes('language');
      const tensors = await captureTensors(calls, visualCapture(input.model, image, prompt, tokens, { hidden, vision: components.includes('vision') }));
      addImage(data, tensors, views, index, components);
    }
    const metrics = await calls.clients.client('metrics', MetricsClient);
    const heldOut = params.evalImages / (params.trainImages + params.evalImages);
    const records: RecordValue<ProbeValue>[] = [];
    for (const entry of [...data.values()]) {
      const n = entry.features.length;
      const response = await unary(metrics.trainPositionProbe.bind(metrics), {
        data: {
          features: float32Tensor(Float32Array.from(entry.features.flat()), [n, entry.dim]),
          rows: entry.rows,
          cols: entry.cols,
          groups: entry.groups,
        },
        gridRows: entry.gridRows,
        gridCols: entry.gridCols,
        training: { epochs: params.epochs, batchSize: params.batchSize, learningRate: params.learningRate, heldOutFraction: heldOut, seed: params.seed },
      }, calls.signal);
      const result = response.result!;
      const accuracy = decodeFloat32(result.positionAccuracy, 'train_position_probe.position_accuracy', { shape: [entry.gridRows, entry.gridCols] });
      records.push({
        variant: layerKeyName(entry),
        seed: params.seed,
        value: {
          model: input.model,
          component: entry.component,
          layer: entry.layer,
          rowAccuracy: result.rowAccuracy,
          colAccuracy: result.colAccuracy,
          accuracy: result.accuracy,
          positionAccuracy: Array.from({ length: entry.gridRows }, (_, r) =>
            Array.from({ length: entry.gridCols }, (_, c) => (Number.isNaN(accuracy[r * entry.gridCols + c]) ? null : accuracy[r * entry.gridCols + c])),
          ),
        },
      });
    }
    return records;
  },
  aggregate: aggregatePositionProbe,
};

