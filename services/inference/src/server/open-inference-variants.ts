// The variants of an Open Inference Protocol ModelInfer request, mapped onto locscope.v1.Variant
// (README "Open Inference Protocol", the mapping table): interventions ride as named input
// tensors whose first dimension is the variant, and/or as the `variants` parameter (a JSON list of
// locscope.v1.Variant). Row b of every intervention tensor adds its interventions to variant b; a
// row with no flag set adds nothing, so an all-zero row is the clean run.
import { TextSpan, Variant, type Intervention } from '@locscope/proto/v1/inference';
import type { InferParameter, ModelInferRequest, ModelMetadataResponse_TensorMetadata } from '@locscope/proto/oip';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { Model } from '../runtime/model.ts';
import { findInput, flagsInput, inputField, setIndices } from './open-inference-tensors.ts';

/** The name of the one variant of a request without interventions. */
export const PLAIN_FORWARD = 'forward';

/** What the tensors' shapes are checked against: the model's, and the bound image's visual tokens. */
export interface InterventionDims {
  layers: number;
  heads: number;
  visualTokens: number;
}

const TOKEN_MASK = 'token_mask';
const KNOCKOUT_LAYERS = 'knockout_layers';
const KNOCKOUT_TOKENS = 'knockout_tokens';
const HEAD_MASK = 'head_mask';
const TENSOR_NAMES = [TOKEN_MASK, KNOCKOUT_LAYERS, KNOCKOUT_TOKENS, HEAD_MASK];
const VARIANTS_PARAMETER = 'variants';
const MEAN_EMBEDDING_PARAMETER = 'mean_embedding';

/**
 * The optional intervention inputs as ModelMetadata lists them (BOOL; UINT8 is accepted too), with
 * the dimensions a model fixes: layers, heads, and visual tokens where every image gets the same
 * number (LLaVA's one view); -1 where the image decides (InternVL's tiles) or the model is not loaded.
 */
export function interventionInputs(model: Model | undefined): ModelMetadataResponse_TensorMetadata[] {
  const L = model?.info.layers ?? -1;
  const H = model?.info.heads ?? -1;
  const N = model?.info.family === 'llava' ? model.info.imageGrid[0] * model.info.imageGrid[1] : -1;
  return [
    { name: TOKEN_MASK, datatype: 'BOOL', shape: [-1, N] },
    { name: KNOCKOUT_LAYERS, datatype: 'BOOL', shape: [-1, L] },
    { name: KNOCKOUT_TOKENS, datatype: 'BOOL', shape: [-1, N] },
    { name: HEAD_MASK, datatype: 'BOOL', shape: [-1, L, H] },
  ];
}

/** The `variants` parameter's list, or undefined when the request has none. */
function parameterVariants(request: ModelInferRequest): Variant[] | undefined {
  const parameter = request.parameters[VARIANTS_PARAMETER];
  if (!parameter) return undefined;
  const field = `parameters["${VARIANTS_PARAMETER}"]`;
  if (parameter.parameterChoice?.$case !== 'stringParam') throw new InvalidArgumentError('must be a string_param holding a JSON list', { field });
  let list: unknown;
  try {
    list = JSON.parse(parameter.parameterChoice.value);
  } catch (error) {
    throw new InvalidArgumentError(`is not JSON: ${(error as Error).message}`, { field, cause: error });
  }
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError('must be a non-empty JSON list of locscope.v1.Variant', { field });
  return list.map((v, i) => {
    // The generated fromJSON reads fields of whatever it is given, and throws on null.
    try {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`got ${JSON.stringify(v)}`);
      return Variant.fromJSON(v);
    } catch (error) {
      throw new InvalidArgumentError(`is not a locscope.v1.Variant in proto3 JSON: ${(error as Error).message}`, { field: `${field}[${i}]`, cause: error });
    }
  });
}

/**
 * How many variants the request runs, known before the model is bound (per-caller rights count
 * it): the `variants` parameter's length, else the intervention tensors' first dimension, else 1.
 */
export function variantCount(request: ModelInferRequest): number {
  return parameterVariants(request)?.length ?? tensorRows(request) ?? 1;
}

/** The first intervention tensor's row count (its first dimension), or undefined without one. */
function tensorRows(request: ModelInferRequest): number | undefined {
  for (const name of TENSOR_NAMES) {
    const found = findInput(request, name);
    if (!found) continue;
    const rows = found.tensor.shape[0];
    if (rows === undefined || rows < 1) {
      throw new InvalidArgumentError('needs at least one row: the first dimension is the variant', { field: `${inputField(name)}.shape` });
    }
    return rows;
  }
  return undefined;
}

/**
 * The request's variants: the parameter's (or one per tensor row) with the tensors' interventions
 * added. `dims` binds the model and image, which only tensors need.
 */
export async function requestVariants(request: ModelInferRequest, dims: () => Promise<InterventionDims>): Promise<Variant[]> {
  const listed = parameterVariants(request);
  const rows = tensorRows(request);
  if (rows === undefined) return listed ?? [{ name: PLAIN_FORWARD, interventions: [] }];
  const variantRows = listed?.length ?? rows;
  const { layers: L, heads: H, visualTokens: N } = await dims();
  const tokenMask = flagsInput(request, TOKEN_MASK, [variantRows, N], ['variants', 'visual tokens']);
  const knockoutLayers = flagsInput(request, KNOCKOUT_LAYERS, [variantRows, L], ['variants', 'layers']);
  const knockoutTokens = flagsInput(request, KNOCKOUT_TOKENS, [variantRows, N], ['variants', 'visual tokens']);
  const headMask = flagsInput(request, HEAD_MASK, [variantRows, L, H], ['variants', 'layers', 'heads']);
  if (knockoutLayers && !knockoutTokens) throw new InvalidArgumentError(`missing: ${KNOCKOUT_LAYERS} needs the visual tokens to knock out`, { field: inputField(KNOCKOUT_TOKENS) });
  if (knockoutTokens && !knockoutLayers) throw new InvalidArgumentError(`missing: ${KNOCKOUT_TOKENS} needs the layers to knock them out in`, { field: inputField(KNOCKOUT_LAYERS) });
  const replacement = replacementValue(request.parameters[MEAN_EMBEDDING_PARAMETER]);
  const base = listed ?? Array.from({ length: rows }, (_, b): Variant => ({ name: `row${b}`, interventions: [] }));
  return base.map((variant, b) => {
    const added: Intervention[] = [];
    const ablated = tokenMask ? setIndices(tokenMask, b, N) : [];
    if (ablated.length > 0) {
      added.push({ kind: { $case: 'replace', value: { positions: { flat: ablated, coordinates: [] }, value: replacement } } });
    }
    const koLayers = knockoutLayers ? setIndices(knockoutLayers, b, L) : [];
    const koTokens = knockoutTokens ? setIndices(knockoutTokens, b, N) : [];
    if (koLayers.length > 0 && koTokens.length > 0) {
      added.push({
        kind: {
          $case: 'knockout',
          value: {
            layers: koLayers,
            queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, visual: undefined, explicit: [] },
            keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: koTokens, coordinates: [] }, explicit: [] },
          },
        },
      });
    }
    const heads = headMask ? setIndices(headMask, b, L * H).map((i) => ({ layer: Math.floor(i / H), head: i % H })) : [];
    if (heads.length > 0) added.push({ kind: { $case: 'ablate', value: { heads, positions: undefined } } });
    return { name: variant.name, interventions: [...variant.interventions, ...added] };
  });
}

/** What `token_mask` puts in place of the ablated tokens: zeros, or the named mean-embedding artifact. */
function replacementValue(parameter: InferParameter | undefined): { $case: 'zero'; value: boolean } | { $case: 'meanEmbedding'; value: string } {
  if (!parameter) return { $case: 'zero', value: true };
  if (parameter.parameterChoice?.$case !== 'stringParam' || parameter.parameterChoice.value === '') {
    throw new InvalidArgumentError('must be a string_param naming a MeanEmbedding artifact', { field: `parameters["${MEAN_EMBEDDING_PARAMETER}"]` });
  }
  return { $case: 'meanEmbedding', value: parameter.parameterChoice.value };
}
