// The Open Inference Protocol v2 (inference.GRPCInferenceService) on the inference service, so
// Triton/KServe clients can call locscope models. ModelInfer is Score: BYTES inputs `image`
// (the encoded image file), `prompt` and `target` (UTF-8), one element each; outputs
// `token_log_probs` FP32 [variants, target tokens], `log_prob` FP64 [variants] and
// `target_token_ids` INT32 [target tokens]. Without parameters a request is one plain forward
// (variant "forward", no interventions), which is all a stock OIP client knows to ask for; the
// request parameter `variants` (a string: a JSON list of locscope.v1.Variant in proto3 JSON)
// adds interventions.
import { Variant } from '@locscope/proto/v1/inference';
import {
  type GRPCInferenceServiceServer,
  type InferParameter,
  type ModelInferRequest,
  type ModelInferRequest_InferInputTensor,
  type ModelInferResponse,
  type ModelInferResponse_InferOutputTensor,
  type ModelMetadataResponse_TensorMetadata,
} from '@locscope/proto/oip';
import { InvalidArgumentError, NotFoundError, type AsyncServiceImplementation, type CallContext } from '@locscope/server-kit';
import type { Model } from '../runtime/model.ts';
import type { Admission } from './admission.ts';
import type { InferenceEngine } from './engine.ts';
import type { ModelRegistry } from './model-registry.ts';

export const OIP_SERVICE_NAME = 'inference.GRPCInferenceService';
/** Reported by ServerMetadata. */
const SERVER_NAME = 'locscope';
const SERVER_VERSION = '0.1.0';

const INPUTS: ModelMetadataResponse_TensorMetadata[] = [
  { name: 'image', datatype: 'BYTES', shape: [1] },
  { name: 'prompt', datatype: 'BYTES', shape: [1] },
  { name: 'target', datatype: 'BYTES', shape: [1] },
];
const OUTPUTS: ModelMetadataResponse_TensorMetadata[] = [
  { name: 'token_log_probs', datatype: 'FP32', shape: [-1, -1] },
  { name: 'log_prob', datatype: 'FP64', shape: [-1] },
  { name: 'target_token_ids', datatype: 'INT32', shape: [-1] },
];
/** The variant of a request without `variants`. */
const PLAIN_FORWARD = 'forward';

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
      return { name: request.name, versions: [], platform: 'locscope', inputs: INPUTS, outputs: OUTPUTS };
    },
    modelInfer: (request, call: CallContext) => admission.run(() => infer(engine, request), call.signal),
  };
}

async function infer(engine: InferenceEngine, request: ModelInferRequest): Promise<ModelInferResponse> {
  const image = bytesInput(request, 'image');
  const result = await engine.score({
    model: request.modelName,
    image: { source: { $case: 'encoded', value: image } },
    prompt: bytesInput(request, 'prompt').toString('utf8'),
    target: bytesInput(request, 'target').toString('utf8'),
    variants: variantsParameter(request.parameters.variants),
    mask: { kind: 'answer' },
  });
  const targetLength = result.targetTokenIds.length;
  const logProbs = new Float32Array(result.scores.length * targetLength);
  result.scores.forEach((s, i) => logProbs.set(s.tokenLogProbs, i * targetLength));
  const all: [ModelInferResponse_InferOutputTensor, Buffer][] = [
    [output('token_log_probs', 'FP32', [result.scores.length, targetLength]), Buffer.from(logProbs.buffer)],
    [output('log_prob', 'FP64', [result.scores.length]), Buffer.from(Float64Array.from(result.scores, (s) => s.logProb).buffer)],
    [output('target_token_ids', 'INT32', [targetLength]), Buffer.from(Int32Array.from(result.targetTokenIds).buffer)],
  ];
  const wanted = request.outputs.map((o, i) => {
    const found = all.find(([t]) => t.name === o.name);
    if (!found) throw new InvalidArgumentError(`unknown output "${o.name}" (${OUTPUTS.map((t) => t.name).join(', ')})`, { field: `outputs[${i}].name` });
    return found;
  });
  const chosen = wanted.length > 0 ? wanted : all;
  // The variant names ride as a response parameter, in the order of the first dimension.
  const names: InferParameter = { parameterChoice: { $case: 'stringParam', value: JSON.stringify(result.scores.map((s) => s.variant)) } };
  return {
    modelName: request.modelName,
    modelVersion: request.modelVersion,
    id: request.id,
    parameters: { variants: names },
    outputs: chosen.map(([t]) => t),
    rawOutputContents: chosen.map(([, bytes]) => bytes),
  };
}

function output(name: string, datatype: string, shape: number[]): ModelInferResponse_InferOutputTensor {
  return { name, datatype, shape, parameters: {}, contents: undefined };
}

/** The single element of a BYTES input, from raw_input_contents (length-prefixed) or bytes_contents. */
function bytesInput(request: ModelInferRequest, name: string): Buffer {
  const index = request.inputs.findIndex((t) => t.name === name);
  const field = `inputs["${name}"]`;
  if (index === -1) throw new InvalidArgumentError(`missing input (ModelInfer needs ${INPUTS.map((t) => t.name).join(', ')})`, { field });
  const tensor: ModelInferRequest_InferInputTensor = request.inputs[index];
  if (tensor.datatype !== 'BYTES') throw new InvalidArgumentError(`must be BYTES, got ${tensor.datatype}`, { field: `${field}.datatype` });
  if (tensor.shape.reduce((a, b) => a * b, 1) !== 1) throw new InvalidArgumentError(`must hold one element, shape is [${tensor.shape.join(', ')}]`, { field: `${field}.shape` });
  if (request.rawInputContents.length > 0) {
    const raw = request.rawInputContents[index];
    if (!raw || raw.length < 4 || raw.readUInt32LE(0) !== raw.length - 4) {
      throw new InvalidArgumentError('BYTES raw contents must be a 4-byte little-endian length, then that many bytes', { field: `raw_input_contents[${index}]` });
    }
    return raw.subarray(4);
  }
  const element = tensor.contents?.bytesContents[0];
  if (!element) throw new InvalidArgumentError('no data: set contents.bytes_contents or raw_input_contents', { field: `${field}.contents` });
  return element;
}

function variantsParameter(parameter: InferParameter | undefined): Variant[] {
  if (!parameter) return [{ name: PLAIN_FORWARD, interventions: [] }];
  const field = 'parameters["variants"]';
  if (parameter.parameterChoice?.$case !== 'stringParam') throw new InvalidArgumentError('must be a string_param holding a JSON list', { field });
  let list: unknown;
  try {
    list = JSON.parse(parameter.parameterChoice.value);
  } catch (error) {
    throw new InvalidArgumentError(`is not JSON: ${(error as Error).message}`, { field, cause: error });
  }
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError('must be a non-empty JSON list of locscope.v1.Variant', { field });
  return list.map((v) => Variant.fromJSON(v));
}
