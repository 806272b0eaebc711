// Every tensor a config implies, with its shape, under canonical names — the module layout of
// transformers' LlavaForConditionalGeneration / InternVLForConditionalGeneration. Used to reject
// inconsistent checkpoints before any graph is built, and as the list of names graph builders read.
import type { InternVLModelConfig, LlavaModelConfig, ModelConfig } from './model-config.ts';
import type { TextConfig } from './text-config.ts';

export const LM_HEAD = 'lm_head.weight';
export const EMBED_TOKENS = 'model.language_model.embed_tokens.weight';

type Shapes = Map<string, number[]>;

/** Canonical name → expected shape, for every weight the architecture reads. */
export function expectedWeights(config: ModelConfig): Shapes {
  const shapes: Shapes = new Map();
  if (config.family === 'llava') {
    clipVisionWeights(shapes, config);
    llavaProjectorWeights(shapes, config);
  } else {
    internVisionWeights(shapes, config);
    internvlProjectorWeights(shapes, config);
  }
  decoderWeights(shapes, config.text);
  return shapes;
}

function linear(shapes: Shapes, prefix: string, out: number, inp: number, bias: boolean): void {
  shapes.set(`${prefix}.weight`, [out, inp]);
  if (bias) shapes.set(`${prefix}.bias`, [out]);
}

function norm(shapes: Shapes, prefix: string, size: number, bias: boolean): void {
  shapes.set(`${prefix}.weight`, [size]);
  if (bias) shapes.set(`${prefix}.bias`, [size]);
}

function clipVisionWeights(shapes: Shapes, config: LlavaModelConfig): void {
  const v = config.vision;
  const p = 'model.vision_tower.vision_model';
  shapes.set(`${p}.embeddings.class_embedding`, [v.hiddenSize]);
  shapes.set(`${p}.embeddings.patch_embedding.weight`, [v.hiddenSize, v.numChannels, v.patchSize, v.patchSize]);
  shapes.set(`${p}.embeddings.position_embedding.weight`, [v.grid * v.grid + 1, v.hiddenSize]);
  // "pre_layrnorm" is CLIP's own spelling.
  norm(shapes, `${p}.pre_layrnorm`, v.hiddenSize, true);
  for (let i = 0; i < v.numHiddenLayers; i++) {
    const l = `${p}.encoder.layers.${i}`;
    norm(shapes, `${l}.layer_norm1`, v.hiddenSize, true);
    norm(shapes, `${l}.layer_norm2`, v.hiddenSize, true);
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) linear(shapes, `${l}.self_attn.${proj}`, v.hiddenSize, v.hiddenSize, true);
    linear(shapes, `${l}.mlp.fc1`, v.intermediateSize, v.hiddenSize, true);
    linear(shapes, `${l}.mlp.fc2`, v.hiddenSize, v.intermediateSize, true);
  }
  norm(shapes, `${p}.post_layernorm`, v.hiddenSize, true);
}

function llavaProjectorWeights(shapes: Shapes, config: LlavaModelConfig): void {
  const p = 'model.multi_modal_projector';
  linear(shapes, `${p}.linear_1`, config.text.hiddenSize, config.vision.hiddenSize, config.projectorBias);
  linear(shapes, `${p}.linear_2`, config.text.hiddenSize, config.text.hiddenSize, config.projectorBias);
}

function internVisionWeights(shapes: Shapes, config: InternVLModelConfig): void {
  const v = config.vision;
  const p = 'model.vision_tower';
  const [rows, cols] = v.grid;
  const layerNorm = v.normType === 'layer_norm';
  shapes.set(`${p}.embeddings.cls_token`, [1, 1, v.hiddenSize]);
  if (v.useMaskToken) shapes.set(`${p}.embeddings.mask_token`, [1, 1, v.hiddenSize]);
  shapes.set(`${p}.embeddings.patch_embeddings.projection.weight`, [v.hiddenSize, v.numChannels, v.patchSize[0], v.patchSize[1]]);
  shapes.set(`${p}.embeddings.patch_embeddings.projection.bias`, [v.hiddenSize]);
  if (v.useAbsolutePositionEmbeddings) shapes.set(`${p}.embeddings.position_embeddings`, [1, rows * cols + 1, v.hiddenSize]);
  for (let i = 0; i < v.numHiddenLayers; i++) {
    const l = `${p}.encoder.layer.${i}`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj']) linear(shapes, `${l}.attention.${proj}`, v.hiddenSize, v.hiddenSize, v.attentionBias);
    linear(shapes, `${l}.attention.projection_layer`, v.hiddenSize, v.hiddenSize, true);
    if (v.useQkNorm) {
      norm(shapes, `${l}.attention.q_norm`, v.hiddenSize, false);
      norm(shapes, `${l}.attention.k_norm`, v.hiddenSize, false);
    }
    shapes.set(`${l}.lambda_1`, [v.hiddenSize]);
    shapes.set(`${l}.lambda_2`, [v.hiddenSize]);
    norm(shapes, `${l}.layernorm_before`, v.hiddenSize, layerNorm);
    norm(shapes, `${l}.layernorm_after`, v.hiddenSize, layerNorm);
    linear(shapes, `${l}.mlp.fc1`, v.intermediateSize, v.hiddenSize, true);
    linear(shapes, `${l}.mlp.fc2`, v.hiddenSize, v.intermediateSize, true);
  }
  // With mean pooling the final LayerNorm is an Identity and has no weights.
  if (!v.useMeanPooling) norm(shapes, `${p}.layernorm`, v.hiddenSize, true);
}

function internvlProjectorWeights(shapes: Shapes, config: InternVLModelConfig): void {
  const p = 'model.multi_modal_projector';
  // Pixel shuffle folds (1/ratio)² neighbouring patches into the channel dimension.
  const shuffled = config.vision.hiddenSize * Math.round(1 / config.downsampleRatio) ** 2;
  norm(shapes, `${p}.layer_norm`, shuffled, true);
  linear(shapes, `${p}.linear_1`, config.text.hiddenSize, shuffled, true);
  linear(shapes, `${p}.linear_2`, config.text.hiddenSize, config.text.hiddenSize, true);
}

function decoderWeights(shapes: Shapes, t: TextConfig): void {
  const p = 'model.language_model';
  shapes.set(EMBED_TOKENS, [t.vocabSize, t.hiddenSize]);
  for (let i = 0; i < t.numHiddenLayers; i++) {
    const l = `${p}.layers.${i}`;
    norm(shapes, `${l}.input_layernorm`, t.hiddenSize, false);
    norm(shapes, `${l}.post_attention_layernorm`, t.hiddenSize, false);
    linear(shapes, `${l}.self_attn.q_proj`, t.numAttentionHeads * t.headDim, t.hiddenSize, t.attentionBias);
    linear(shapes, `${l}.self_attn.k_proj`, t.numKeyValueHeads * t.headDim, t.hiddenSize, t.attentionBias);
    linear(shapes, `${l}.self_attn.v_proj`, t.numKeyValueHeads * t.headDim, t.hiddenSize, t.attentionBias);
    linear(shapes, `${l}.self_attn.o_proj`, t.hiddenSize, t.numAttentionHeads * t.headDim, t.attentionBias);
    if (t.qkNorm) {
      norm(shapes, `${l}.self_attn.q_norm`, t.headDim, false);
      norm(shapes, `${l}.self_attn.k_norm`, t.headDim, false);
    }
    linear(shapes, `${l}.mlp.gate_proj`, t.intermediateSize, t.hiddenSize, t.mlpBias);
    linear(shapes, `${l}.mlp.up_proj`, t.intermediateSize, t.hiddenSize, t.mlpBias);
    linear(shapes, `${l}.mlp.down_proj`, t.hiddenSize, t.intermediateSize, t.mlpBias);
  }
  norm(shapes, `${p}.norm`, t.hiddenSize, false);
  shapes.set(LM_HEAD, [t.vocabSize, t.hiddenSize]);
}
