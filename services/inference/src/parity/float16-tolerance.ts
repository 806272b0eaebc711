// The tolerance a float16 run is held to against Hugging Face's float32 references, derived
// before measuring from float16's unit roundoff u = 2⁻¹¹ and the computation:
//
//   tol(t) = n(t) · u · max|ref(t)| + DEFAULT_ATOL
//
// A float16 graph rounds every value it stores in half precision (weights once, activations after
// each op outside the float32 islands) with a relative error of at most u. To first order, an
// error in an op's input reaches its output scaled by the op's sensitivity; taking every
// sensitivity as 1 relative to the tensors' scale (normalized layers, residual streams) and adding
// the errors of every rounding along the longest chain from the model's inputs to tensor t bounds
// its error by n(t)·u·scale(t), where n(t) counts those roundings (the tables below, counted on the
// graphs as built). DEFAULT_ATOL keeps the allowance of the float32 references' own rounding.
// It is a first-order estimate, not a rigorous bound: a model whose layers amplify errors (large
// weight norms, near-tied softmax rows) can exceed it. Measured on the fixtures, the errors stay
// well below it (README, "Compute precision").
import type { ModelConfig } from '../checkpoint/model-config.ts';
import { DEFAULT_ATOL } from './run-parity.ts';

/** float16's unit roundoff: the largest relative error of rounding to nearest (2⁻¹¹). */
export const FLOAT16_UNIT_ROUNDOFF = 2 ** -11;

/** Half-precision roundings on the longest chain through each stage (u each). */
export const ROUNDINGS = {
  /** pixel_values cast, patch weight, conv, conv bias / position embedding add, pre-LayerNorm. */
  visionStem: 5,
  /**
   * LayerNorm 1; q/k/v weight, MatMul, bias (3); scores MatMul; probabilities cast; probs·v;
   * output weight, MatMul, bias (3); λ₁; residual; LayerNorm 2; fc1 (3); activation (quick_gelu:
   * 3 ops); fc2 (3); λ₂; residual.
   */
  visionLayer: 24,
  /** The tower's final LayerNorm (post_layernorm / layernorm). */
  visionHead: 1,
  /** LayerNorm (InternVL), linear_1 weight, MatMul, bias (3), activation, linear_2 (3). */
  projector: 8,
  /**
   * RMSNorm (cast, weight, product: 3); q/k/v weight, MatMul, bias (3); q/k RMSNorm (3, Qwen3);
   * RoPE (table cast, product, sum: 3); scores MatMul; probabilities cast; probs·v; head hook
   * product; o_proj (3); residual; RMSNorm (3); gate/up (3); activation; gate·up; down_proj (3);
   * residual.
   */
  decoderLayer: 32,
  /** Final RMSNorm (3). */
  finalNorm: 3,
  /** lm_head weight and MatMul. */
  lmHead: 2,
  /** The RoPE tables' cast. */
  rope: 1,
  /** The token embedding's weight (rows of text tokens). */
  embedding: 1,
} as const;

/** n(t): roundings on the longest chain to reference output `output` (its run-group prefix removed). */
export function roundingCount(output: string, config: ModelConfig): number {
  const r = ROUNDINGS;
  const tower = r.visionStem + config.vision.numHiddenLayers * r.visionLayer + r.visionHead;
  // Image features enter the decoder's input; they are its longest chain.
  const decoderInput = Math.max(tower + r.projector, r.embedding);
  const L = config.text.numHiddenLayers;
  const index = (prefix: string) => Number(output.slice(prefix.length));
  if (output === 'rope_cos' || output === 'rope_sin') return r.rope;
  if (output.startsWith('vision.hidden_states.')) return r.visionStem + index('vision.hidden_states.') * r.visionLayer;
  if (output === 'vision.embeddings_before_pre_layrnorm') return r.visionStem;
  if (output.startsWith('vision.') || output === 'projector_input') return tower;
  if (output === 'image_features' || output === 'inputs_embeds') return decoderInput;
  if (output.startsWith('hidden_states.')) {
    const i = index('hidden_states.');
    return decoderInput + i * r.decoderLayer + (i === L ? r.finalNorm : 0);
  }
  for (const prefix of ['layer_out.', 'attn_pre_o_proj.', 'attn_probs.']) {
    if (output.startsWith(prefix)) return decoderInput + (index(prefix) + 1) * r.decoderLayer;
  }
  // logits, and any output not listed: the longest chain of the model.
  return decoderInput + L * r.decoderLayer + r.finalNorm + r.lmHead;
}

/** tol(t) for reference values `expected` of output `output`. */
export function float16Tolerance(output: string, expected: ArrayLike<number>, config: ModelConfig): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  return roundingCount(output, config) * FLOAT16_UNIT_ROUNDOFF * scale + DEFAULT_ATOL;
}
