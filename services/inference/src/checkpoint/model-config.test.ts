import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointConfigError, UnsupportedArchitectureError } from './errors.ts';
import { expectedWeights } from './expected-weights.ts';
import { parseModelConfig } from './model-config.ts';

// config.json of llava-hf/llava-1.5-7b-hf as published: most sizes are left to the HF defaults.
const LLAVA_15_7B = {
  architectures: ['LlavaForConditionalGeneration'],
  ignore_index: -100,
  image_token_index: 32000,
  model_type: 'llava',
  pad_token_id: 32001,
  projector_hidden_act: 'gelu',
  text_config: { _name_or_path: 'lmsys/vicuna-7b-v1.5', architectures: ['LlamaForCausalLM'], max_position_embeddings: 4096, model_type: 'llama', rms_norm_eps: 1e-5, torch_dtype: 'float16', vocab_size: 32064 },
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  vision_config: { hidden_size: 1024, image_size: 336, intermediate_size: 4096, model_type: 'clip_vision_model', num_attention_heads: 16, num_hidden_layers: 24, patch_size: 14, projection_dim: 768, vocab_size: 32000 },
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  vocab_size: 32064,
};

describe('parseModelConfig', () => {
  it('fills LlamaConfig / LlavaConfig defaults for llava-1.5-7b-hf', () => {
    const c = parseModelConfig(LLAVA_15_7B, 'config.json');
    if (c.family !== 'llava') throw new Error('family');
    expect(c).toMatchObject({ dtype: 'F16', imageTokenId: 32000, imageSeqLength: 576, projectorBias: true, visionFeatureLayer: -2 });
    expect(c.vision).toMatchObject({ grid: 24, headDim: 64, hiddenAct: 'quick_gelu', layerNormEps: 1e-5, numChannels: 3 });
    expect(c.text).toMatchObject({ vocabSize: 32064, hiddenSize: 4096, intermediateSize: 11008, numHiddenLayers: 32, numAttentionHeads: 32, numKeyValueHeads: 32, headDim: 128, hiddenAct: 'silu', rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 4096, attentionBias: false, mlpBias: false });
    const shapes = expectedWeights(c);
    expect(shapes.get('model.vision_tower.vision_model.embeddings.position_embedding.weight')).toEqual([577, 1024]);
    expect(shapes.get('model.multi_modal_projector.linear_1.weight')).toEqual([4096, 1024]);
    expect(shapes.get('model.language_model.layers.31.mlp.down_proj.weight')).toEqual([4096, 11008]);
    expect(shapes.get('lm_head.weight')).toEqual([32064, 4096]);
    expect(shapes.has('model.language_model.layers.32.input_layernorm.weight')).toBe(false);
  });

  it('an absent text/vision config takes LlavaConfig fallbacks (Llama-7B text, CLIP ViT-L/14-336)', () => {
    const c = parseModelConfig({ architectures: ['LlavaForConditionalGeneration'] }, 'config.json');
    if (c.family !== 'llava') throw new Error('family');
    expect(c.dtype).toBe('F32');
    expect(c.vision).toMatchObject({ hiddenSize: 1024, imageSize: 336, patchSize: 14, numHiddenLayers: 24 });
    expect(c.text).toMatchObject({ vocabSize: 32000, hiddenSize: 4096, maxPositionEmbeddings: 2048, rmsNormEps: 1e-6 });
  });

  it('InternVL: Qwen3/InternViT defaults, tied embeddings from text_config, v5 rope_parameters', () => {
    const c = parseModelConfig(
      {
        architectures: ['InternVLForConditionalGeneration'],
        torch_dtype: 'bfloat16',
        text_config: { model_type: 'qwen3', hidden_size: 1024, num_attention_heads: 16, num_key_value_heads: 8, num_hidden_layers: 28, intermediate_size: 3072, tie_word_embeddings: true, rope_parameters: { rope_type: 'default', rope_theta: 1000000 } },
        vision_config: { model_type: 'internvl_vision', image_size: 448, patch_size: 14 },
      },
      'config.json',
    );
    if (c.family !== 'internvl') throw new Error('family');
    expect(c).toMatchObject({ dtype: 'BF16', imageTokenId: 151667, imageSeqLength: 256, downsampleRatio: 0.5, tieWordEmbeddings: true });
    expect(c.text).toMatchObject({ headDim: 128, vocabSize: 151936, ropeTheta: 1e6, numKeyValueHeads: 8, qkNorm: true });
    expect(c.vision).toMatchObject({ imageSize: [448, 448], patchSize: [14, 14], grid: [32, 32], hiddenSize: 1024, normType: 'layer_norm', layerNormEps: 1e-6 });
    expect(expectedWeights(c).get('model.multi_modal_projector.linear_1.weight')).toEqual([1024, 4096]);
  });

  it('rejects what the builders cannot build, naming the field', () => {
    const err = (json: unknown) => {
      try {
        parseModelConfig(json, '/m/config.json');
      } catch (error) {
        return error as CheckpointConfigError;
      }
      throw new Error('expected an error');
    };
    expect(err({ architectures: ['Qwen2VLForConditionalGeneration'] })).toBeInstanceOf(UnsupportedArchitectureError);
    expect(err({})).toMatchObject({ configField: 'architectures' });
    expect(err({ ...LLAVA_15_7B, model_type: 'llava_next' })).toMatchObject({ configField: 'model_type' });
    expect(err({ architectures: ['InternVLForConditionalGeneration'] }).message).toMatch(/\/m\/config\.json: field 'text_config\.model_type': 'qwen2' is not supported here \(expected 'qwen3'\)/);
    expect(err({ ...LLAVA_15_7B, text_config: { ...LLAVA_15_7B.text_config, num_key_value_heads: 5 } }).configField).toBe('text_config.num_key_value_heads');
    expect(err({ ...LLAVA_15_7B, vision_config: { ...LLAVA_15_7B.vision_config, patch_size: 15 } }).configField).toBe('vision_config.patch_size');
    expect(err({ ...LLAVA_15_7B, vision_feature_layer: -30 }).configField).toBe('vision_feature_layer');
    expect(err({ ...LLAVA_15_7B, vision_feature_select_strategy: 'cls' }).configField).toBe('vision_feature_select_strategy');
  });

  it('expected decoder shapes follow heads × head_dim for any GQA layout (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }).map((d) => d * 8), (kvHeads, groups, headDim) => {
        const heads = kvHeads * groups;
        const c = parseModelConfig(
          { architectures: ['InternVLForConditionalGeneration'], text_config: { model_type: 'qwen3', hidden_size: 64, num_attention_heads: heads, num_key_value_heads: kvHeads, head_dim: headDim, num_hidden_layers: 1 }, vision_config: { image_size: 64, patch_size: 8, num_hidden_layers: 1, hidden_size: 32, num_attention_heads: 2 }, image_seq_length: 16 },
          'config.json',
        );
        const shapes = expectedWeights(c);
        expect(shapes.get('model.language_model.layers.0.self_attn.q_proj.weight')).toEqual([heads * headDim, 64]);
        expect(shapes.get('model.language_model.layers.0.self_attn.k_proj.weight')).toEqual([kvHeads * headDim, 64]);
        expect(shapes.get('model.language_model.layers.0.self_attn.o_proj.weight')).toEqual([64, heads * headDim]);
        expect(shapes.get('model.language_model.layers.0.self_attn.k_norm.weight')).toEqual([headDim]);
      }),
      { numRuns: 30 },
    );
  });
});
