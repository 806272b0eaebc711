// The vision towers' `vision_config`: CLIP (LLaVA-1.5) and InternViT (InternVL-3.5), with the
// defaults of transformers' CLIPVisionConfig / InternVLVisionConfig (v4.53) for absent fields.
import { z } from 'zod';

const positiveInt = z.number().int().positive();
/** InternVL accepts an int or [height, width] for image_size / patch_size. */
const pair = z.union([positiveInt, z.tuple([positiveInt, positiveInt])]).transform((v): [number, number] => (typeof v === 'number' ? [v, v] : v));

/** CLIPVisionConfig defaults (ViT-B/32) — llava configs always override the sizes; LlavaConfig's own fallback is handled by the caller. */
export const clipVisionConfigSchema = z
  .object({
    model_type: z.literal('clip_vision_model').default('clip_vision_model'),
    hidden_size: positiveInt.default(768),
    intermediate_size: positiveInt.default(3072),
    projection_dim: positiveInt.default(512),
    num_hidden_layers: positiveInt.default(12),
    num_attention_heads: positiveInt.default(12),
    num_channels: positiveInt.default(3),
    image_size: positiveInt.default(224),
    patch_size: positiveInt.default(32),
    hidden_act: z.string().default('quick_gelu'),
    layer_norm_eps: z.number().positive().default(1e-5),
  })
  .transform((c, ctx) => {
    checkHeads(ctx, c.hidden_size, c.num_attention_heads);
    if (c.image_size % c.patch_size !== 0) {
      ctx.addIssue({ code: 'custom', path: ['patch_size'], message: `${c.patch_size} does not divide image_size ${c.image_size}` });
    }
    const grid = c.image_size / c.patch_size;
    return {
      modelType: 'clip' as const,
      hiddenSize: c.hidden_size,
      intermediateSize: c.intermediate_size,
      projectionDim: c.projection_dim,
      numHiddenLayers: c.num_hidden_layers,
      numAttentionHeads: c.num_attention_heads,
      headDim: c.hidden_size / c.num_attention_heads,
      numChannels: c.num_channels,
      imageSize: c.image_size,
      patchSize: c.patch_size,
      /** Patches per side; the encoder sees grid² patches + 1 CLS token. */
      grid,
      hiddenAct: c.hidden_act,
      layerNormEps: c.layer_norm_eps,
    };
  });

/** LlavaConfig's vision_config when config.json has none (CLIP ViT-L/14-336). */
export const LLAVA_DEFAULT_VISION_CONFIG = {
  intermediate_size: 4096, hidden_size: 1024, patch_size: 14, image_size: 336, num_hidden_layers: 24, num_attention_heads: 16, projection_dim: 768,
} as const;

export const internVisionConfigSchema = z
  .object({
    model_type: z.literal('internvl_vision').default('internvl_vision'),
    hidden_size: positiveInt.default(1024),
    num_hidden_layers: positiveInt.default(24),
    num_attention_heads: positiveInt.default(16),
    attention_bias: z.boolean().default(false),
    use_qk_norm: z.boolean().default(false),
    intermediate_size: positiveInt.default(4096),
    hidden_act: z.string().default('gelu'),
    norm_type: z.enum(['layer_norm', 'rms_norm']).default('layer_norm'),
    layer_norm_eps: z.number().positive().default(1e-6),
    image_size: pair.default([448, 448]),
    patch_size: pair.default([14, 14]),
    num_channels: positiveInt.default(3),
    use_mask_token: z.boolean().default(false),
    use_absolute_position_embeddings: z.boolean().default(true),
    layer_scale_init_value: z.number().default(0.1),
    use_mean_pooling: z.boolean().default(true),
  })
  .transform((c, ctx) => {
    checkHeads(ctx, c.hidden_size, c.num_attention_heads);
    const [imageHeight, imageWidth] = c.image_size;
    const [patchHeight, patchWidth] = c.patch_size;
    if (imageHeight % patchHeight !== 0 || imageWidth % patchWidth !== 0) {
      ctx.addIssue({ code: 'custom', path: ['patch_size'], message: `[${c.patch_size}] does not divide image_size [${c.image_size}]` });
    }
    return {
      modelType: 'internvit' as const,
      hiddenSize: c.hidden_size,
      intermediateSize: c.intermediate_size,
      numHiddenLayers: c.num_hidden_layers,
      numAttentionHeads: c.num_attention_heads,
      headDim: c.hidden_size / c.num_attention_heads,
      attentionBias: c.attention_bias,
      useQkNorm: c.use_qk_norm,
      hiddenAct: c.hidden_act,
      normType: c.norm_type,
      layerNormEps: c.layer_norm_eps,
      imageSize: c.image_size,
      patchSize: c.patch_size,
      /** Patches per side [rows, cols]; the encoder sees rows·cols patches + 1 CLS token. */
      grid: [imageHeight / patchHeight, imageWidth / patchWidth] as [number, number],
      numChannels: c.num_channels,
      useAbsolutePositionEmbeddings: c.use_absolute_position_embeddings,
      /** Layer scale (lambda_1/lambda_2 weights) is present iff this is > 0. */
      layerScaleInitValue: c.layer_scale_init_value,
      useMaskToken: c.use_mask_token,
      useMeanPooling: c.use_mean_pooling,
    };
  });

function checkHeads(ctx: z.RefinementCtx, hiddenSize: number, heads: number): void {
  if (hiddenSize % heads !== 0) {
    ctx.addIssue({ code: 'custom', path: ['num_attention_heads'], message: `${heads} does not divide hidden_size ${hiddenSize}` });
  }
}

export type ClipVisionConfig = z.output<typeof clipVisionConfigSchema>;
export type InternVisionConfig = z.output<typeof internVisionConfigSchema>;
