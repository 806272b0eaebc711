// locscope.v1.Inference over gRPC: proto ↔ engine mapping (the enums through proto-conversion.ts), admission control, readiness, and
// the server entry point. Every model-running RPC goes through the admission queue so that a
// busy server refuses work (RESOURCE_EXHAUSTED) instead of stalling every caller.
import { float32Tensor, apiDescriptorSet } from '@locscope/proto';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import {
  InferenceService,
  type CaptureResponse,
  type InferenceServer,
} from '@locscope/proto/v1/inference';
import { DType } from '@locscope/proto/v1/tensor';
import { GRPCInferenceServiceService, type GRPCInferenceServiceServer } from '@locscope/proto/oip';
import {
  service,
  startServer,
  type AsyncServiceImplementation,
  type CallContext,
  type Logger,
  type RunningServer,
  type ServiceConfig,
} from '@locscope/server-kit';
import { loadModel, type LoadModelOptions, type Model } from '../runtime/model.ts';
import { Admission } from './admission.ts';
import { observeAdmission } from '../telemetry.ts';
import { InferenceEngine, type EngineOptions } from './engine.ts';
import { ModelRegistry, type ModelEntry } from './model-registry.ts';
import { attributionBaselineSpec, tokenMaskPolicy } from './proto-conversion.ts';
import { OIP_SERVICE_NAME, openInferenceImplementation } from './open-inference.ts';
import { describeInferenceRequest, describeOpenInferenceRequest } from './request-facts.ts';

export const INFERENCE_SERVICE_NAME = 'locscope.v1.Inference';
/** Bytes of tensor data per streamed Capture message. */
export const CAPTURE_CHUNK_BYTES = 1024 * 1024;

export interface InferenceServiceOptions extends EngineOptions {
  models: ModelEntry[];
  /** loadModel's options per model (default: the runtime's defaults). */
  load?: (entry: ModelEntry) => LoadModelOptions;
}

function familyOf(model: Model): ModelFamily {
  return model.info.family === 'llava' ? ModelFamily.MODEL_FAMILY_LLAVA : ModelFamily.MODEL_FAMILY_INTERNVL;
}

export function inferenceImplementation(engine: InferenceEngine, admission: Admission): AsyncServiceImplementation<InferenceServer> {
  const admit = <T>(call: CallContext, work: () => Promise<T>) => admission.run(work, call.signal, call.caller.name);
  return {
    listModels: async () => ({
      models: await Promise.all(
        engine.registry.entries.map(async (e) => {
          const loaded = engine.registry.isLoaded(e.name);
          const family = loaded ? familyOf(await engine.registry.get(e.name)) : ModelFamily.MODEL_FAMILY_UNSPECIFIED;
          return { name: e.name, family, loaded };
        }),
      ),
    }),

    modelInfo: async (request) => {
      const model = await engine.registry.get(request.model);
      const { info, checkpoint } = model;
      return {
        name: request.model,
        family: familyOf(model),
        layers: info.layers,
        heads: info.heads,
        kvHeads: info.kvHeads,
        headDim: info.headDim,
        hiddenSize: info.hidden,
        vocabSize: info.vocab,
        visionLayers: checkpoint.config.vision.numHiddenLayers,
        imageSize: info.imageSize[0],
        gridSize: info.imageGrid[0],
        maxTiles: info.family === 'internvl' ? checkpoint.preprocessor.maxPatches : 0,
        promptFormat: checkpoint.tokenizer ? checkpoint.prompt.encode('{question}', { views: 1 }).text : '',
      };
    },

    encodeImage: (request, call) =>
      admit(call, async () => {
        const { image, encoded } = await engine.bindImage(request.model, request.image);
        let offset = 0;
        const hidden = encoded.features.length / encoded.norms.length;
        return {
          imageHash: image.hash,
          views: image.views.map((v) => {
            const view = { name: v.name, rows: v.rows, cols: v.cols, offset };
            offset += v.rows * v.cols;
            return view;
          }),
          tileRows: image.tileRows,
          tileCols: image.tileCols,
          norms: float32Tensor(encoded.norms, [encoded.norms.length]),
          embeddings: request.returnEmbeddings ? float32Tensor(encoded.features, [encoded.norms.length, hidden]) : undefined,
        };
      }),

    generate: (request, call) =>
      admit(call, async () => ({
        generations: await engine.generate({
          owner: call.owner,
          model: request.model,
          image: request.image,
          prompt: request.prompt,
          variants: request.variants,
          maxNewTokens: request.maxNewTokens,
          stop: request.stop,
        }),
      })),

    score: (request, call) =>
      admit(call, async () => {
        const result = await engine.score({
          owner: call.owner,
          model: request.model,
          image: request.image,
          prompt: request.prompt,
          target: request.target,
          variants: request.variants,
          mask: tokenMaskPolicy(request.maskMode, request.mask),
        });
        return {
          targetTokenIds: result.targetTokenIds,
          targetTokens: result.targetTokens,
          mask: result.mask,
          scores: result.scores.map((s) => ({
            variant: s.variant,
            tokenLogProbs: float32Tensor(s.tokenLogProbs, [s.tokenLogProbs.length]),
            perplexity: s.perplexity,
            logProb: s.logProb,
          })),
        };
      }),

    capture: (request, call) => captureStream(engine, admission, request, call),

    meanEmbedding: (request, call) =>
      admit(call, async () => {
        const artifact = await engine.meanEmbedding({ model: request.model, name: request.name, images: request.images });
        return { name: request.name, count: artifact.count, mean: float32Tensor(artifact.mean, [artifact.mean.length]) };
      }),

    attribute: (request, call) =>
      admit(call, async () => {
        const result = await engine.attribute({
          model: request.model,
          image: request.image,
          prompt: request.prompt,
          target: request.target,
          steps: request.steps,
          baseline: attributionBaselineSpec(request.baseline, request.meanEmbedding),
          signal: call.signal,
        });
        return { attributions: float32Tensor(result.attributions, [result.attributions.length]), score: result.score, baselineScore: result.baselineScore };
      }),

    deleteStoredRun: async (request, call) => {
      engine.registry.entry(request.model);
      return { bytes: engine.storedRuns.delete(call.owner, request.model, request.name, request.allowMissing) };
    },

    headSweep: (request, call) =>
      admit(call, async () => {
        const result = await engine.headSweep({
          model: request.model,
          baseImage: request.baseImage,
          sourceImage: request.sourceImage,
          prompt: request.prompt,
          target: request.target,
          positions: request.positions,
          heads: request.heads,
          mask: tokenMaskPolicy(request.maskMode, request.mask),
        });
        return {
          targetTokens: result.targetTokens,
          mask: result.mask,
          basePerplexity: result.basePerplexity,
          sourcePerplexity: result.sourcePerplexity,
          heads: result.heads,
          patchedPerplexities: result.patchedPerplexities,
        };
      }),
  };
}

async function* captureStream(
  engine: InferenceEngine,
  admission: Admission,
  request: Parameters<InferenceServer['capture']>[0]['request'],
  call: CallContext,
): AsyncIterable<CaptureResponse> {
  const tensors = await admission.run(
    () =>
      engine.capture({
        owner: call.owner,
        model: request.model,
        image: request.image,
        prompt: request.prompt,
        target: request.target,
        variants: request.variants,
        spec: request.spec,
        storeAs: request.storeAs,
      }),
    call.signal,
    call.caller.name,
  );
  for (const t of tensors) {
    const bytes = Buffer.from(float32Tensor(t.data, t.shape).data);
    for (let offset = 0; offset < bytes.byteLength || offset === 0; offset += CAPTURE_CHUNK_BYTES) {
      yield {
        variant: t.variant,
        name: t.name,
        dtype: DType.D_TYPE_FLOAT32,
        shape: t.shape,
        offset,
        data: bytes.subarray(offset, offset + CAPTURE_CHUNK_BYTES),
        totalBytes: bytes.byteLength,
      };
      if (bytes.byteLength === 0) break;
    }
  }
}

export interface StartedInference {
  server: RunningServer;
  engine: InferenceEngine;
  /** Resolves when every preload model is loaded (readiness turns SERVING then). */
  ready: Promise<void>;
}

/**
 * Starts locscope.v1.Inference and inference.GRPCInferenceService (the Open Inference Protocol);
 * both report NOT_SERVING until the preload models are loaded.
 */
export async function startInferenceServer(config: ServiceConfig, options: InferenceServiceOptions, logger: Logger): Promise<StartedInference> {
  const registry = new ModelRegistry<Model>(options.models, async (entry) => {
    const model = await loadModel(entry.dir, options.load?.(entry));
    try {
      await model.warmUp();
    } catch (error) {
      await model.dispose();
      throw error;
    }
    return model;
  });
  const engine = new InferenceEngine(registry, options);
  const admission = new Admission(engine.limits.maxConcurrent, engine.limits.maxQueued);
  observeAdmission(admission);
  const server = await startServer(
    config,
    [
      service<InferenceServer>({
        name: INFERENCE_SERVICE_NAME,
        definition: InferenceService,
        implementation: inferenceImplementation(engine, admission),
        descriptorSet: apiDescriptorSet,
        servingAtStart: false,
        describe: describeInferenceRequest,
      }),
      // The same models through the Open Inference Protocol v2 (Triton/KServe clients).
      service<GRPCInferenceServiceServer>({
        name: OIP_SERVICE_NAME,
        definition: GRPCInferenceServiceService,
        implementation: openInferenceImplementation(engine, registry, admission),
        descriptorSet: apiDescriptorSet,
        servingAtStart: false,
        describe: describeOpenInferenceRequest,
      }),
    ],
    logger,
  );
  const ready = registry.preload().then(
    () => {
      server.setServing(INFERENCE_SERVICE_NAME, true);
      server.setServing(OIP_SERVICE_NAME, true);
      logger.info('models loaded', { models: registry.entries.map((e) => e.name) });
    },
    (error) => {
      logger.error('model preload failed; the service stays NOT_SERVING', { error });
      throw error;
    },
  );
  ready.catch(() => undefined);
  return { server, engine, ready };
}
