// config.json of the two supported architectures → typed, validated, defaults filled in
// (LlavaConfig / InternVLConfig of transformers v4.53 for the top level).
import { z } from 'zod';
import { weightDTypeOfTorch } from './dtype.ts';
import { CheckpointConfigError, UnsupportedArchitectureError } from './errors.ts';
import { parseWith } from './json-file.ts';
import { llamaTextConfigSchema, qwen3TextConfigSchema } from './text-config.ts';
import type { ModelFamilyName, WeightDType } from './types.ts';
import { LLAVA_DEFAULT_VISION_CONFIG, clipVisionConfigSchema, internVisionConfigSchema } from './vision-config.ts';

/** config.json `architectures[0]` → family. */
export const SUPPORTED_ARCHITECTURES: Readonly<Record<string, ModelFamilyName>> = {
  LlavaForConditionalGeneration: 'llava',
  InternVLForConditionalGeneration: 'internvl',
};

const int = z.number().int();
/** A single layer index; the list form (multi-layer features) is not used by either family. */
const featureLayer = int;
const torchDtype = z
  .string()
  .transform((name, ctx) => {
    const dtype = weightDTypeOfTorch(name);
    if (!dtype) ctx.addIssue({ code: 'custom', message: `'${name}' is not one of float32, float16, bfloat16` });
    return dtype ?? 'F32';
  })
  .optional();

const llavaSchema = z
  .object({
    vision_config: z.record(z.string(), z.unknown()).nullish(),
    text_config: z.record(z.string(), z.unknown()).nullish(),
    image_token_index: int.nonnegative().optional(),
    image_token_id: int.nonnegative().optional(),
    projector_hidden_act: z.string().default('gelu'),
    vision_feature_select_strategy: z.enum(['default', 'full']).default('default'),
    vision_feature_layer: featureLayer.default(-2),
    image_seq_length: z.number().int().positive().default(576),
    multimodal_projector_bias: z.boolean().default(true),
    tie_word_embeddings: z.boolean().default(false),
    torch_dtype: torchDtype,
    dtype: torchDtype,
  })
  .transform((c) => ({
    imageTokenId: c.image_token_index ?? c.image_token_id ?? 32000,
    projectorHiddenAct: c.projector_hidden_act,
    visionFeatureSelectStrategy: c.vision_feature_select_strategy,
    visionFeatureLayer: c.vision_feature_layer,
    imageSeqLength: c.image_seq_length,
    projectorBias: c.multimodal_projector_bias,
    tieWordEmbeddings: c.tie_word_embeddings,
    dtype: c.torch_dtype ?? c.dtype,
    rawVision: c.vision_config ?? LLAVA_DEFAULT_VISION_CONFIG,
    rawText: c.text_config ?? {},
  }));

const internvlSchema = z
  .object({
    vision_config: z.record(z.string(), z.unknown()).nullish(),
    text_config: z.record(z.string(), z.unknown()).nullish(),
    image_token_id: int.nonnegative().default(151667),
    image_seq_length: z.number().int().positive().default(256),
    downsample_ratio: z.number().positive().max(1).default(0.5),
    projector_hidden_act: z.string().default('gelu'),
    vision_feature_layer: featureLayer.default(-1),
    vision_feature_select_strategy: z.enum(['default', 'full']).default('default'),
    tie_word_embeddings: z.boolean().default(false),
    torch_dtype: torchDtype,
    dtype: torchDtype,
  })
  .transform((c) => ({
    imageTokenId: c.image_token_id,
    imageSeqLength: c.image_seq_length,
    downsampleRatio: c.downsample_ratio,
    projectorHiddenAct: c.projector_hidden_act,
    visionFeatureLayer: c.vision_feature_layer,
    visionFeatureSelectStrategy: c.vision_feature_select_strategy,
    tieWordEmbeddings: c.tie_word_embeddings,
    dtype: c.torch_dtype ?? c.dtype,
    rawVision: c.vision_config ?? {},
    rawText: c.text_config ?? {},
  }));

export interface LlavaModelConfig {
  family: 'llava';
  architecture: 'LlavaForConditionalGeneration';
  /** Weight dtype from `torch_dtype` (float32 when absent, as transformers assumes). */
  dtype: WeightDType;
  imageTokenId: number;
  /** Image tokens in the prompt per image: grid² ('default' drops CLS) or grid² + 1 ('full'). */
  imageSeqLength: number;
  projectorHiddenAct: string;
  projectorBias: boolean;
  visionFeatureLayer: number;
  visionFeatureSelectStrategy: 'default' | 'full';
  /** lm_head shares embed_tokens (top level or text_config says so). */
  tieWordEmbeddings: boolean;
  vision: z.output<typeof clipVisionConfigSchema>;
  text: z.output<typeof llamaTextConfigSchema>;
}

export interface InternVLModelConfig {
  family: 'internvl';
  architecture: 'InternVLForConditionalGeneration';
  dtype: WeightDType;
  imageTokenId: number;
  /** `<IMG_CONTEXT>` tokens per view (tile or thumbnail): (grid · downsample_ratio)². */
  imageSeqLength: number;
  downsampleRatio: number;
  projectorHiddenAct: string;
  visionFeatureLayer: number;
  visionFeatureSelectStrategy: 'default' | 'full';
  tieWordEmbeddings: boolean;
  vision: z.output<typeof internVisionConfigSchema>;
  text: z.output<typeof qwen3TextConfigSchema>;
}

export type ModelConfig = LlavaModelConfig | InternVLModelConfig;

/** Validates a parsed config.json; `file` is used in error messages. */
export function parseModelConfig(json: unknown, file: string): ModelConfig {
  const head = parseWith(z.object({ architectures: z.array(z.string()).min(1) }).loose(), json, file);
  const architecture = head.architectures[0]!;
  const family = SUPPORTED_ARCHITECTURES[architecture];
  if (!family) {
    throw new UnsupportedArchitectureError(file, 'architectures', `'${architecture}' is not supported (supported: ${Object.keys(SUPPORTED_ARCHITECTURES).join(', ')})`);
  }
  const modelType = (json as { model_type?: unknown }).model_type;
  if (modelType !== undefined && modelType !== family) {
    throw new UnsupportedArchitectureError(file, 'model_type', `'${String(modelType)}' does not match architectures '${architecture}' (expected '${family}')`);
  }
  return family === 'llava' ? parseLlava(json, file) : parseInternVL(json, file);
}

function parseLlava(json: unknown, file: string): LlavaModelConfig {
  const top = parseWith(llavaSchema, json, file);
  requireModelType(top.rawText, 'llama', file);
  requireModelType(top.rawVision, 'clip_vision_model', file, 'vision_config');
  const vision = parseWith(clipVisionConfigSchema, top.rawVision, file, 'vision_config');
  const text = parseWith(llamaTextConfigSchema, { model_type: 'llama', ...top.rawText }, file, 'text_config');
  const expectedTokens = vision.grid * vision.grid + (top.visionFeatureSelectStrategy === 'full' ? 1 : 0);
  checkImageSeqLength(file, top.imageSeqLength, expectedTokens, `(image_size ${vision.imageSize} / patch_size ${vision.patchSize})², strategy '${top.visionFeatureSelectStrategy}'`);
  checkFeatureLayer(file, top.visionFeatureLayer, vision.numHiddenLayers);
  const { rawText: _t, rawVision: _v, ...rest } = top;
  return {
    family: 'llava',
    architecture: 'LlavaForConditionalGeneration',
    ...rest,
    dtype: rest.dtype ?? 'F32',
    tieWordEmbeddings: rest.tieWordEmbeddings || text.tieWordEmbeddings,
    vision,
    text,
  };
}

function parseInternVL(json: unknown, file: string): InternVLModelConfig {
  const top = parseWith(internvlSchema, json, file);
  // InternVLConfig falls back to qwen2 when text_config has no model_type; only Qwen3 is built here.
  requireModelType({ model_type: 'qwen2', ...top.rawText }, 'qwen3', file);
  requireModelType(top.rawVision, 'internvl_vision', file, 'vision_config');
  const vision = parseWith(internVisionConfigSchema, top.rawVision, file, 'vision_config');
  const text = parseWith(qwen3TextConfigSchema, top.rawText, file, 'text_config');
  const [rows, cols] = vision.grid;
  const expectedTokens = rows * top.downsampleRatio * cols * top.downsampleRatio;
  if (!Number.isInteger(rows * top.downsampleRatio) || !Number.isInteger(cols * top.downsampleRatio)) {
    throw new CheckpointConfigError(file, 'downsample_ratio', `${top.downsampleRatio} does not divide the ${rows}×${cols} patch grid evenly for pixel shuffle`);
  }
  checkImageSeqLength(file, top.imageSeqLength, expectedTokens, `(${rows}×${cols} patches) × downsample_ratio ${top.downsampleRatio}²`);
  checkFeatureLayer(file, top.visionFeatureLayer, vision.numHiddenLayers);
  const { rawText: _t, rawVision: _v, ...rest } = top;
  return {
    family: 'internvl',
    architecture: 'InternVLForConditionalGeneration',
    ...rest,
    dtype: rest.dtype ?? 'F32',
    tieWordEmbeddings: rest.tieWordEmbeddings || text.tieWordEmbeddings,
    vision,
    text,
  };
}

function requireModelType(raw: Record<string, unknown>, expected: string, file: string, section = 'text_config'): void {
  const actual = raw['model_type'];
  if (actual !== undefined && actual !== expected) {
    throw new UnsupportedArchitectureError(file, `${section}.model_type`, `'${String(actual)}' is not supported here (expected '${expected}')`);
  }
}

function checkImageSeqLength(file: string, actual: number, expected: number, why: string): void {
  if (actual !== expected) {
    throw new CheckpointConfigError(file, 'image_seq_length', `${actual} disagrees with the vision tower, which yields ${expected} tokens per image ${why}`);
  }
}

function checkFeatureLayer(file: string, layer: number, layers: number): void {
  // hidden_states has layers + 1 entries (0 = embeddings), indexed from either end.
  if (layer < -(layers + 1) || layer > layers) {
    throw new CheckpointConfigError(file, 'vision_feature_layer', `${layer} is outside the ${layers + 1} vision hidden states`);
  }
}
