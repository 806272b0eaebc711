// Building blocks shared by the vision towers and decoders, each written to match the eager
// PyTorch module of transformers v4.53 op for op: in float32, and in a float16 graph with the
// float32 islands Hugging Face keeps inside a half-precision model (cited at each block).
// ONNX LayerNormalization needs no island: its stash_type (default float32) computes the
// statistics in float32 and rounds the result once, as torch's layer_norm does for half inputs.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import { UnsupportedModelFeatureError } from './errors.ts';

/**
 * LlamaRMSNorm / Qwen3RMSNorm: w · x / sqrt(mean(x²) + eps) over the last axis. HF casts x to
 * float32 for the whole normalization (`hidden_states.to(torch.float32)` … `.to(input_dtype)`) and
 * multiplies by the weight in the input dtype, so that is where the float32 island ends.
 */
export function rmsNorm(g: GraphBuilder, x: Value, weight: Value, eps: number): Value {
  const x32 = g.toFloat32(x);
  // Pow → ReduceMean → Add → Sqrt → Div is the pattern onnxruntime fuses into SimplifiedLayerNormalization.
  const variance = g.reduceMean(g.pow(x32, g.scalarF32(2)), [-1]);
  const normed = g.div(x32, g.sqrt(g.add(variance, g.scalarF32(eps))));
  return g.mul(g.toCompute(normed), weight);
}

/**
 * Eager attention's scores in float32: (q·kᵀ)·scale + mask. q·kᵀ is a product in the compute dtype
 * (HF: `torch.matmul(query, key.transpose(2, 3))` in the half dtype); HF then scales and adds the
 * mask in the half dtype too before `softmax(…, dtype=torch.float32)`, whose input cast we do
 * first instead: the scale and the float32-min mask then need no half-precision form (a half
 * 1/√128 is off by 1e-4 relative), and the result differs from HF's only by its two extra roundings.
 */
export function attentionScores(g: GraphBuilder, q: Value, kT: Value, scale: number, mask: Value | null): Value {
  const scores = g.mul(g.toFloat32(g.matmul(q, kT)), g.scalarF32(scale));
  return mask ? g.add(scores, mask) : scores;
}

/** softmax over the last axis of float32 scores, in float32, then in the compute dtype (HF: `softmax(…, dtype=torch.float32).to(query.dtype)`). */
export function attentionProbs(g: GraphBuilder, scores: Value): Value {
  return g.toCompute(g.softmax(scores, -1));
}

/**
 * nn.GELU / ACT2FN['gelu']: exact erf form 0.5·x·(1 + erf(x/√2)). torch's gelu kernel computes a
 * half input in float (its opmath type) and rounds once, so the float16 graph does the same.
 */
export function gelu(g: GraphBuilder, x: Value): Value {
  const x32 = g.toFloat32(x);
  const cdf = g.add(g.scalarF32(1), g.erf(g.div(x32, g.scalarF32(Math.SQRT2))));
  return g.toCompute(g.mul(g.mul(x32, g.scalarF32(0.5)), cdf));
}

/** CLIP's quick_gelu: x·σ(1.702·x), three torch ops each rounding to the input dtype. */
export function quickGelu(g: GraphBuilder, x: Value): Value {
  return g.mul(x, g.sigmoid(g.mul(x, g.scalar(1.702))));
}

/** SiLU: x·σ(x); like gelu, torch's silu kernel computes half inputs in float and rounds once. */
export function silu(g: GraphBuilder, x: Value): Value {
  const x32 = g.toFloat32(x);
  return g.toCompute(g.mul(x32, g.sigmoid(x32)));
}

/** ACT2FN by name for the activations these architectures use; `field` names the config field for errors. */
export function activation(g: GraphBuilder, name: string, x: Value, field: string): Value {
  switch (name) {
    case 'gelu':
      return gelu(g, x);
    case 'quick_gelu':
      return quickGelu(g, x);
    case 'silu':
    case 'swish':
      return silu(g, x);
    default:
      throw new UnsupportedModelFeatureError(field, `activation '${name}' is not supported (gelu, quick_gelu, silu)`);
  }
}
