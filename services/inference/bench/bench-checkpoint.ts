// The benchmark model of issue 2: LLaVA-1.5 architecture with random weights (linears and
// embeddings N(0, 1/fan_in), norms at identity), CLIP 336 px / patch 14 (576 image tokens),
// vision hidden 256 × 6 layers × 4 heads (MLP 1024); Llama hidden 512 × 8 layers × 8 heads
// (MLP 1376), vocab 32064, image token 32000 — written as an HF checkpoint directory.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xorshift128plus } from 'pure-rand/generator/xorshift128plus';
import { writeSafetensors, type TensorToWrite } from '../src/checkpoint/index.ts';

export const BENCH_IMAGE_TOKEN = 32000;

export const BENCH_CONFIG = {
  architectures: ['LlavaForConditionalGeneration'],
  model_type: 'llava',
  image_token_index: BENCH_IMAGE_TOKEN,
  image_seq_length: 576,
  projector_hidden_act: 'gelu',
  vision_feature_layer: -2,
  vision_feature_select_strategy: 'default',
  torch_dtype: 'float32',
  vision_config: {
    model_type: 'clip_vision_model',
    hidden_size: 256,
    intermediate_size: 1024,
    num_attention_heads: 4,
    num_hidden_layers: 6,
    image_size: 336,
    patch_size: 14,
    projection_dim: 256,
    hidden_act: 'quick_gelu',
    layer_norm_eps: 1e-5,
  },
  text_config: {
    model_type: 'llama',
    hidden_size: 512,
    intermediate_size: 1376,
    num_attention_heads: 8,
    num_key_value_heads: 8,
    num_hidden_layers: 8,
    vocab_size: 32064,
    max_position_embeddings: 4096,
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
  },
} as const;

/** Weight name → shape; `fanIn` 0 marks norms (weight 1, bias 0). */
function benchTensors(): { name: string; shape: number[]; fanIn: number; fill?: number }[] {
  const v = BENCH_CONFIG.vision_config;
  const t = BENCH_CONFIG.text_config;
  const out: { name: string; shape: number[]; fanIn: number; fill?: number }[] = [];
  const linear = (name: string, o: number, i: number, bias: boolean) => {
    out.push({ name: `${name}.weight`, shape: [o, i], fanIn: i });
    if (bias) out.push({ name: `${name}.bias`, shape: [o], fanIn: i });
  };
  const norm = (name: string, size: number, bias: boolean) => {
    out.push({ name: `${name}.weight`, shape: [size], fanIn: 0, fill: 1 });
    if (bias) out.push({ name: `${name}.bias`, shape: [size], fanIn: 0, fill: 0 });
  };
  const vp = 'model.vision_tower.vision_model';
  const grid = v.image_size / v.patch_size;
  out.push({ name: `${vp}.embeddings.class_embedding`, shape: [v.hidden_size], fanIn: v.hidden_size });
  out.push({ name: `${vp}.embeddings.patch_embedding.weight`, shape: [v.hidden_size, 3, v.patch_size, v.patch_size], fanIn: 3 * v.patch_size ** 2 });
  out.push({ name: `${vp}.embeddings.position_embedding.weight`, shape: [grid * grid + 1, v.hidden_size], fanIn: v.hidden_size });
  norm(`${vp}.pre_layrnorm`, v.hidden_size, true);
  norm(`${vp}.post_layernorm`, v.hidden_size, true);
  for (let l = 0; l < v.num_hidden_layers; l++) {
    const p = `${vp}.encoder.layers.${l}`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) linear(`${p}.self_attn.${proj}`, v.hidden_size, v.hidden_size, true);
    norm(`${p}.layer_norm1`, v.hidden_size, true);
    norm(`${p}.layer_norm2`, v.hidden_size, true);
    linear(`${p}.mlp.fc1`, v.intermediate_size, v.hidden_size, true);
    linear(`${p}.mlp.fc2`, v.hidden_size, v.intermediate_size, true);
  }
  linear('model.multi_modal_projector.linear_1', t.hidden_size, v.hidden_size, true);
  linear('model.multi_modal_projector.linear_2', t.hidden_size, t.hidden_size, true);
  const lm = 'model.language_model';
  out.push({ name: `${lm}.embed_tokens.weight`, shape: [t.vocab_size, t.hidden_size], fanIn: t.hidden_size });
  for (let l = 0; l < t.num_hidden_layers; l++) {
    const p = `${lm}.layers.${l}`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) linear(`${p}.self_attn.${proj}`, t.hidden_size, t.hidden_size, false);
    linear(`${p}.mlp.gate_proj`, t.intermediate_size, t.hidden_size, false);
    linear(`${p}.mlp.up_proj`, t.intermediate_size, t.hidden_size, false);
    linear(`${p}.mlp.down_proj`, t.hidden_size, t.intermediate_size, false);
    norm(`${p}.input_layernorm`, t.hidden_size, false);
    norm(`${p}.post_attention_layernorm`, t.hidden_size, false);
  }
  norm(`${lm}.norm`, t.hidden_size, false);
  linear('lm_head', t.vocab_size, t.hidden_size, false);
  return out;
}

/** Writes the bench checkpoint into `dir` unless it is already complete; returns `dir`. */
export function ensureBenchCheckpoint(dir: string, seed = 0): string {
  if (existsSync(join(dir, 'config.json'))) return dir;
  // Written into a sibling folder and renamed, so an interrupted run never leaves a half model.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const rng = xorshift128plus(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniformFloat64(rng))) * Math.cos(2 * Math.PI * uniformFloat64(rng));
  const tensors: TensorToWrite[] = benchTensors().map(({ name, shape, fanIn, fill }) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (fill !== undefined) data.fill(fill);
    else {
      const std = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    }
    return { name, dtype: 'F32', shape, data };
  });
  writeSafetensors(join(partial, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileSync(join(partial, 'generation_config.json'), JSON.stringify({ bos_token_id: 1, eos_token_id: 2 }, null, 2));
  writeFileSync(join(partial, 'config.json'), JSON.stringify(BENCH_CONFIG, null, 2));
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(partial, dir);
  return dir;
}
