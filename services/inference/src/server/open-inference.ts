// The Open Inference Protocol v2 (inference.GRPCInferenceService) on the inference service, so
// Triton/KServe clients can call locscope models. ModelInfer takes BYTES inputs `image` (the
// encoded image file) and `prompt` (UTF-8), and optionally `target`; it runs a forward, or a
// generation when the request asks for a generation output. A stock client that sends image and
// prompt gets the raw next-token `logits`; with a target it gets Score's outputs. Interventions
// ride as the optional inputs of open-inference-variants.ts and the `variants` parameter. The
// README's "Open Inference Protocol" section is the reference for every name and shape.
import {
  type GRPCInferenceServiceServer,
  type InferParameter,
  type ModelInferRequest,
  type ModelInferResponse,
  type ModelMetadataResponse_TensorMetadata,
} from '@locscope/proto/oip';
import type { ImageInput } from '@locscope/proto/v1/inference';
import { InvalidArgumentError, NotFoundError, type AsyncServiceImplementation, type CallContext } from '@locscope/server-kit';
import type { Model } from '../runtime/model.ts';
import type { Admission } from './admission.ts';
import type { InferenceEngine } from './engine.ts';
import { runLogits } from './logits-run.ts';
import type { ModelRegistry } from './model-registry.ts';
import { inputField, optionalBytesInput, outputTensor, rawBytesElements, rawNumbers, type OutputTensor } from './open-inference-tensors.ts';
import { interventionInputs, requestVariants } from './open-inference-variants.ts';

export const OIP_SERVICE_NAME = 'inference.GRPCInferenceService';
/** Reported by ServerMetadata. */
const SERVER_NAME = 'locscope';
const SERVER_VERSION = '0.1.0';

const REQUIRED_INPUTS = ['image', 'prompt'];
const TEXT_INPUTS: ModelMetadataResponse_TensorMetadata[] = [
  { name: 'image', datatype: 'BYTES', shape: [1] },
  { name: 'prompt', datatype: 'BYTES', shape: [1] },
  { name: 'target', datatype: 'BYTES', shape: [1] },
];
/** Outputs of a forward with a target (Score's); its default outputs. */
const SCORE_OUTPUTS = ['token_log_probs', 'log_prob', 'target_token_ids'];
const LOGITS = 'logits';
/** Asking for any of these makes the request a generation. */
const GENERATION_OUTPUTS = ['text', 'token_ids', 'finish_reason'];
/** The generation length parameter (int64); absent = Generate's default. */
const MAX_TOKENS_PARAMETER = 'max_tokens';
/** Pads the rows of `token_ids` (generations differ in length). */
export const TOKEN_ID_PADDING = -1;

function outputsMetadata(vocab: number): ModelMetadataResponse_TensorMetadata[] {
  return [
    { name: 'token_log_probs', datatype: 'FP32', shape: [-1, -1] },
    { name: 'log_prob', datatype: 'FP64', shape: [-1] },
    { name: 'target_token_ids', datatype: 'INT32', shape: [-1] },
    { name: LOGITS, datatype: 'FP32', shape: [-1, -1, vocab] },
    { name: 'text', datatype: 'BYTES', shape: [-1] },
    { name: 'token_ids', datatype: 'INT64', shape: [-1, -1] },
    { name: 'finish_reason', datatype: 'BYTES', shape: [-1] },
  ];
}
const OUTPUT_NAMES = outputsMetadata(-1).map((t) => t.name);

export function openInferenceImplementation(
  engine: InferenceEngine,
  registry: ModelRegistry<Model>,
  admission: Admission,
): AsyncServiceImplementation<GRPCInferenceServiceServer> {
  const known = (name: string, field: string) => {
    if (!registry.entries.some((e) => e.name === name)) {
      throw new NotFoundError(`no model "${name}" (serving ${registry.entries.map((e) => e.name).join(', ')})`, {
        field,
        resource: { type: 'model', name },
      });
    }
  };
  return {
    serverLive: async () => ({ live: true }),
    serverReady: async () => ({ ready: registry.entries.every((e) => registry.isLoaded(e.name)) }),
    async modelReady(request) {
      known(request.name, 'name');
      return { ready: registry.isLoaded(request.name) };
    },
    serverMetadata: async () => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [] }),
    async modelMetadata(request) {
      known(request.name, 'name');
      // Dimensions a loaded model fixes are given; -1 otherwise (metadata never waits for a load).
      const model = registry.isLoaded(request.name) ? await registry.get(request.name) : undefined;
      return {
        name: request.name,
        versions: [],
        platform: 'locscope',
        inputs: [...TEXT_INPUTS, ...interventionInputs(model)],
        outputs: outputsMetadata(model?.info.vocab ?? -1),
      };
    },
    modelInfer: (request, call: CallContext) => admission.run(() => infer(engine, request, call.owner), call.signal, call.caller.name),
  };
}

function requiredBytes(request: ModelInferRequest, name: string): Buffer {
  const value = optionalBytesInput(request, name);
  if (!value) throw new InvalidArgumentError(`missing input (ModelInfer needs ${REQUIRED_INPUTS.join(' and ')})`, { field: inputField(name) });
  return value;
}

async function infer(engine: InferenceEngine, request: ModelInferRequest, owner: string): Promise<ModelInferResponse> {
  const image: ImageInput = { source: { $case: 'encoded', value: requiredBytes(request, 'image') } };
  const prompt = requiredBytes(request, 'prompt').toString('utf8');
  const target = optionalBytesInput(request, 'target')?.toString('utf8') ?? '';
  const wanted = requestedOutputs(request, target !== '');
  const variants = await requestVariants(request, async () => {
    const bound = await engine.bindImage(request.modelName, image, inputField('image'));
    return { layers: bound.model.info.layers, heads: bound.model.info.heads, visualTokens: bound.encoded.norms.length };
  });
  const common = { owner, model: request.modelName, image, prompt, variants };
  const produced = new Map<string, OutputTensor>();
  let names: string[];
  if (wanted.some((name) => GENERATION_OUTPUTS.includes(name))) {
    const generations = await engine.generate({ ...common, maxNewTokens: maxTokens(request, engine.limits.maxNewTokens), stop: [] });
    names = generations.map((g) => g.variant);
    const width = Math.max(0, ...generations.map((g) => g.tokenIds.length));
    const ids = new BigInt64Array(generations.length * width).fill(BigInt(TOKEN_ID_PADDING));
    generations.forEach((g, b) => g.tokenIds.forEach((id, i) => (ids[b * width + i] = BigInt(id))));
    produced.set('text', outputTensor('text', 'BYTES', [generations.length], rawBytesElements(generations.map((g) => g.text))));
    produced.set('token_ids', outputTensor('token_ids', 'INT64', [generations.length, width], rawNumbers(ids)));
    produced.set('finish_reason', outputTensor('finish_reason', 'BYTES', [generations.length], rawBytesElements(generations.map((g) => g.finishReason))));
  } else {
    names = [];
    if (wanted.some((name) => SCORE_OUTPUTS.includes(name))) {
      // Score's default token mask: log_prob is the same masked sum as Score's.
      const result = await engine.score({ ...common, target, mask: { kind: 'answer' } });
      names = result.scores.map((s) => s.variant);
      const K = result.targetTokenIds.length;
      const logProbs = new Float32Array(result.scores.length * K);
      result.scores.forEach((s, i) => logProbs.set(s.tokenLogProbs, i * K));
      produced.set('token_log_probs', outputTensor('token_log_probs', 'FP32', [result.scores.length, K], rawNumbers(logProbs)));
      produced.set('log_prob', outputTensor('log_prob', 'FP64', [result.scores.length], rawNumbers(Float64Array.from(result.scores, (s) => s.logProb))));
      produced.set('target_token_ids', outputTensor('target_token_ids', 'INT32', [K], rawNumbers(Int32Array.from(result.targetTokenIds))));
    }
    if (wanted.includes(LOGITS)) {
      const result = await runLogits(engine, { ...common, target });
      names = result.variants;
      produced.set(LOGITS, outputTensor(LOGITS, 'FP32', [result.variants.length, result.positions.length, result.vocab], rawNumbers(result.logits)));
    }
  }
  const chosen = wanted.map((name) => produced.get(name)!);
  // The variant names ride as a response parameter, in the order of the first dimension.
  const variantNames: InferParameter = { parameterChoice: { $case: 'stringParam', value: JSON.stringify(names) } };
  return {
    modelName: request.modelName,
    modelVersion: request.modelVersion,
    id: request.id,
    parameters: { variants: variantNames },
    outputs: chosen.map(([t]) => t),
    rawOutputContents: chosen.map(([, bytes]) => bytes),
  };
}

/**
 * The outputs to return, in order. A request runs either a generation (any generation output
 * asked for) or a forward; without `outputs` it gets a forward's defaults: the next-token logits,
 * or with a target Score's outputs (logits at every target position are asked for by name: they
 * are vocab-sized per position and variant).
 */
function requestedOutputs(request: ModelInferRequest, hasTarget: boolean): string[] {
  if (request.outputs.length === 0) return hasTarget ? SCORE_OUTPUTS : [LOGITS];
  const names = request.outputs.map((o) => o.name);
  const generation = names.some((name) => GENERATION_OUTPUTS.includes(name));
  names.forEach((name, i) => {
    const field = `outputs[${i}].name`;
    if (!OUTPUT_NAMES.includes(name)) throw new InvalidArgumentError(`unknown output "${name}" (${OUTPUT_NAMES.join(', ')})`, { field });
    if (generation && !GENERATION_OUTPUTS.includes(name)) {
      throw new InvalidArgumentError(`"${name}" is a forward output; a generation returns ${GENERATION_OUTPUTS.join(', ')}`, { field });
    }
    if (!hasTarget && SCORE_OUTPUTS.includes(name)) throw new InvalidArgumentError(`"${name}" needs the "target" input`, { field });
  });
  if (generation && hasTarget) throw new InvalidArgumentError('a generation takes no target (ask for a forward output to score one)', { field: inputField('target') });
  return names;
}

/** The `max_tokens` parameter: new tokens of a generation; 0 when absent (Generate's default). */
function maxTokens(request: ModelInferRequest, limit: number): number {
  const parameter = request.parameters[MAX_TOKENS_PARAMETER];
  if (!parameter) return 0;
  const choice = parameter.parameterChoice;
  const value = choice?.$case === 'int64Param' || choice?.$case === 'uint64Param' ? choice.value : NaN;
  if (!Number.isInteger(value) || value < 1 || value > limit) {
    throw new InvalidArgumentError(`must be an int64_param in [1, ${limit}]`, { field: `parameters["${MAX_TOKENS_PARAMETER}"]` });
  }
  return value;
}
