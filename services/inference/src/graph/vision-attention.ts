// Bidirectional multi-head self-attention of the vision towers (CLIP, InternViT), eager form:
// softmax((q·kᵀ)·d^-½)·v per head, no mask (CLIP's eager_attention_forward; float32 softmax as in nn.ts).
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import { attentionProbs, attentionScores } from './nn.ts';

export interface Projection {
  /** [in, out]: CheckpointWeights.linear. */
  weight: Value;
  bias: Value | null;
}

export interface VisionAttentionWeights {
  q: Projection;
  k: Projection;
  v: Projection;
  out: Projection;
  /** InternViT use_qk_norm: a norm over the whole embedding applied to q and k before splitting heads. */
  qNorm?: (x: Value) => Value;
  kNorm?: (x: Value) => Value;
}

/** x [N, T, C] → [N, T, C]. */
export function visionSelfAttention(g: GraphBuilder, x: Value, w: VisionAttentionWeights, heads: number, headDim: number): Value {
  let q = g.linear(x, w.q.weight, w.q.bias);
  let k = g.linear(x, w.k.weight, w.k.bias);
  const v = g.linear(x, w.v.weight, w.v.bias);
  if (w.qNorm) q = w.qNorm(q);
  if (w.kNorm) k = w.kNorm(k);
  const split = (t: Value) => g.transpose(g.reshape(t, [0, 0, heads, headDim]), [0, 2, 1, 3]);
  const scores = attentionScores(g, split(q), g.transpose(g.reshape(k, [0, 0, heads, headDim]), [0, 2, 3, 1]), headDim ** -0.5, null);
  const probs = attentionProbs(g, scores);
  const merged = g.reshape(g.transpose(g.matmul(probs, split(v)), [0, 2, 1, 3]), [0, 0, heads * headDim]);
  return g.linear(merged, w.out.weight, w.out.bias);
}
