// The seed systems of the paper at their real size (issue 12 item 5): the public config.json of
// each checkpoint, the files its processor and tokenizer read, and the image a bench run sends.
// Weights are random (random-checkpoint.ts); every shape comes from these configs alone.
//
// Sources of the config fields (nothing here is invented; absent fields take transformers'
// defaults exactly as the published files rely on them):
//  - llava-hf/llava-1.5-7b-hf config.json (transformers 4.39.3) as published on the Hugging Face
//    hub, e.g. https://huggingface.co/mohitsha/llava-1.5-7b-hf/blob/main/config.json (an upload of
//    it) and the fine-tunes that copy it; its text_config lists only 5 fields, the rest are
//    LlamaConfig's defaults = Vicuna-7B (hidden 4096, 32 layers, 32 heads, MLP 11008).
//    Published as fp16 in 3 shards. generation_config.json: bos 1, eos 2, pad 32001.
//  - OpenGVLab/InternVL3_5-8B-HF: text_config = Qwen/Qwen3-8B's config.json (36 layers, hidden
//    4096, 32 q / 8 KV heads, head_dim 128, MLP 12288, vocab 151936, rope_theta 1e6, 40960
//    positions); vision_config = InternViT-300M-448px as transformers' InternVL conversion script
//    (src/transformers/models/internvl/convert_internvl_weights_to_hf.py) writes it (qkv_bias →
//    attention_bias true, qk_normalization → use_qk_norm false, LayerNorm eps 1e-6, GELU,
//    1024 hidden × 24 layers × 16 heads, MLP 4096, 448 px / 14 px patches) with
//    InternVLVisionConfig's defaults for the rest (layer scale 0.1, mean pooling, absolute
//    position embeddings); top level image_token_id 151671 (<IMG_CONTEXT> in the InternVL3.5
//    tokenizers: <img> 151669, </img> 151670), 256 tokens per 448 px tile (downsample 0.5), bf16.
//    The 8B-HF file itself could not be retrieved here: fields beyond these are not written.
import { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD } from '../../src/checkpoint/index.ts';

export type PresetName = 'llava-1.5-7b' | 'internvl-3.5-8b';
export const PRESET_NAMES: readonly PresetName[] = ['llava-1.5-7b', 'internvl-3.5-8b'];

export interface RealSizePreset {
  name: PresetName;
  /** The Hugging Face repository whose config this is. */
  source: string;
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  preprocessorConfig: Record<string, unknown>;
  tokenizer: {
    /** Special tokens by id, as the real tokenizer numbers them. */
    added: Record<number, string>;
    /** Llama-style Metaspace (LLaVA) or Qwen-style plain spaces (InternVL). */
    metaspace: boolean;
    bos?: string;
    /** tokenizer_config.json fields the prompt format reads. */
    config: Record<string, unknown>;
  };
  /** Size of the encoded image a bench run sends: LLaVA one 336 px view; InternVL a 3:2 image → 3×2 tiles + thumbnail at max 6 tiles. */
  image: { width: number; height: number; maxTiles?: number };
}

export const LLAVA_1_5_7B: RealSizePreset = {
  name: 'llava-1.5-7b',
  source: 'llava-hf/llava-1.5-7b-hf',
  config: {
    architectures: ['LlavaForConditionalGeneration'],
    ignore_index: -100,
    image_token_index: 32000,
    model_type: 'llava',
    pad_token_id: 32001,
    projector_hidden_act: 'gelu',
    text_config: {
      _name_or_path: 'lmsys/vicuna-7b-v1.5',
      architectures: ['LlamaForCausalLM'],
      max_position_embeddings: 4096,
      model_type: 'llama',
      rms_norm_eps: 1e-5,
      torch_dtype: 'float16',
      vocab_size: 32064,
    },
    tie_word_embeddings: false,
    torch_dtype: 'float16',
    transformers_version: '4.39.3',
    vision_config: {
      hidden_size: 1024,
      image_size: 336,
      intermediate_size: 4096,
      model_type: 'clip_vision_model',
      num_attention_heads: 16,
      num_hidden_layers: 24,
      patch_size: 14,
      projection_dim: 768,
      vocab_size: 32000,
    },
    vision_feature_layer: -2,
    vision_feature_select_strategy: 'default',
    vocab_size: 32064,
  },
  generationConfig: { bos_token_id: 1, eos_token_id: 2, pad_token_id: 32001 },
  preprocessorConfig: {
    image_processor_type: 'CLIPImageProcessor',
    crop_size: { height: 336, width: 336 },
    do_center_crop: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [...OPENAI_CLIP_MEAN],
    image_std: [...OPENAI_CLIP_STD],
    resample: 3,
    rescale_factor: 1 / 255,
    size: { shortest_edge: 336 },
  },
  tokenizer: {
    added: { 0: '<unk>', 1: '<s>', 2: '</s>', 32000: '<image>', 32001: '<pad>' },
    metaspace: true,
    bos: '<s>',
    config: { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', unk_token: '<unk>', add_bos_token: true },
  },
  image: { width: 336, height: 336 },
};

export const INTERNVL_3_5_8B: RealSizePreset = {
  name: 'internvl-3.5-8b',
  source: 'OpenGVLab/InternVL3_5-8B-HF',
  config: {
    architectures: ['InternVLForConditionalGeneration'],
    downsample_ratio: 0.5,
    image_seq_length: 256,
    image_token_id: 151671,
    model_type: 'internvl',
    projector_hidden_act: 'gelu',
    text_config: {
      architectures: ['Qwen3ForCausalLM'],
      attention_bias: false,
      attention_dropout: 0.0,
      bos_token_id: 151643,
      eos_token_id: 151645,
      head_dim: 128,
      hidden_act: 'silu',
      hidden_size: 4096,
      initializer_range: 0.02,
      intermediate_size: 12288,
      max_position_embeddings: 40960,
      max_window_layers: 36,
      model_type: 'qwen3',
      num_attention_heads: 32,
      num_hidden_layers: 36,
      num_key_value_heads: 8,
      rms_norm_eps: 1e-6,
      rope_scaling: null,
      rope_theta: 1000000,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
      use_cache: true,
      use_sliding_window: false,
      vocab_size: 151936,
    },
    torch_dtype: 'bfloat16',
    vision_config: {
      architectures: ['InternVisionModel'],
      attention_bias: true,
      attention_dropout: 0.0,
      hidden_act: 'gelu',
      hidden_size: 1024,
      image_size: [448, 448],
      intermediate_size: 4096,
      layer_norm_eps: 1e-6,
      layer_scale_init_value: 0.1,
      model_type: 'internvl_vision',
      norm_type: 'layer_norm',
      num_attention_heads: 16,
      num_channels: 3,
      num_hidden_layers: 24,
      patch_size: [14, 14],
      projection_dropout: 0.0,
      use_absolute_position_embeddings: true,
      use_mask_token: false,
      use_mean_pooling: true,
      use_qk_norm: false,
    },
    vision_feature_layer: -1,
    vision_feature_select_strategy: 'default',
  },
  generationConfig: { bos_token_id: 151643, eos_token_id: 151645 },
  preprocessorConfig: {
    image_processor_type: 'GotOcr2ImageProcessorFast',
    crop_to_patches: true,
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.485, 0.456, 0.406],
    image_std: [0.229, 0.224, 0.225],
    max_patches: 12,
    min_patches: 1,
    resample: 3,
    rescale_factor: 1 / 255,
    size: { height: 448, width: 448 },
  },
  tokenizer: {
    added: { 151643: '<|endoftext|>', 151644: '<|im_start|>', 151645: '<|im_end|>', 151669: '<img>', 151670: '</img>', 151671: '<IMG_CONTEXT>' },
    metaspace: false,
    config: {
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      extra_special_tokens: { start_image_token: '<img>', end_image_token: '</img>', context_image_token: '<IMG_CONTEXT>' },
    },
  },
  image: { width: 1344, height: 896, maxTiles: 6 },
};

export const PRESETS: Readonly<Record<PresetName, RealSizePreset>> = { 'llava-1.5-7b': LLAVA_1_5_7B, 'internvl-3.5-8b': INTERNVL_3_5_8B };

/** Config fields that set a size; everything else of a scaled-down preset stays as published. */
export const SIZE_FIELDS = [
  'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim',
  'image_size', 'patch_size', 'projection_dim', 'image_seq_length',
] as const;

/**
 * The same preset with tiny dimensions (same architecture, dtype, vocabulary, token ids and every
 * other field): the unit test's stand-in for the multi-GB checkpoint, written by the same code.
 */
export function scaledDownPreset(preset: RealSizePreset): RealSizePreset {
  const config = structuredClone(preset.config) as Record<string, unknown> & { text_config: Record<string, unknown>; vision_config: Record<string, unknown> };
  const text = { hidden_size: 64, intermediate_size: 96, num_hidden_layers: 4, num_attention_heads: 4 };
  if (preset.name === 'llava-1.5-7b') {
    Object.assign(config.text_config, text);
    Object.assign(config.vision_config, { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 3, num_attention_heads: 2, image_size: 28, patch_size: 14, projection_dim: 32 });
    config.image_seq_length = 4;
  } else {
    Object.assign(config.text_config, { ...text, num_key_value_heads: 2, head_dim: 16 });
    Object.assign(config.vision_config, { hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 2, image_size: [56, 56], patch_size: [14, 14] });
    config.image_seq_length = 4;
  }
  return { ...preset, config };
}
