// FLOPs of a decoder forward, counted as the graphs compute them (a multiply-add = 2 FLOPs),
// and onnxruntime's own MatMul rate on this machine as the ceiling to compare them with.
//
// For B rows of T tokens through L layers (hidden h, q heads n_q, KV heads n_kv, head_dim d,
// MLP width i):
//   projections  2·B·T·L·(h·(n_q + 2·n_kv)·d + n_q·d·h + 3·h·i)   (q, k, v, o; gate, up, down)
//   attention    4·B·L·n_q·d·T²                                   (QKᵀ and A·V over the full T×T
//                                                                   matrix the graph computes; causal
//                                                                   masking halves the useful part)
// Norms, RoPE, softmax and the activation are O(B·T·h) and left out; so is the LM head, which
// a Score request applies to the target positions only.
import type { TextConfig } from '../../src/checkpoint/text-config.ts';
import type { ComputeDType } from '@locscope/onnx-graph';
import { matmulTiming } from '../matmul-bench.ts';

export function decoderForwardFlops(text: TextConfig, rows: number, tokens: number): number {
  const { hiddenSize: h, numAttentionHeads: nq, numKeyValueHeads: nkv, headDim: d, intermediateSize: i, numHiddenLayers: L } = text;
  const projections = 2 * rows * tokens * L * (h * (nq + 2 * nkv) * d + nq * d * h + 3 * h * i);
  const attention = 4 * rows * L * nq * d * tokens * tokens;
  return projections + attention;
}

/** The MLP's MatMul [m, k]·[k, n] on its own in `precision`, as GFLOP/s (matmul-bench's timing). */
export async function matmulGflopPerS(m: number, k: number, n: number, precision: ComputeDType, repeats = 3): Promise<number> {
  const { wall_ms } = await matmulTiming(m, k, n, precision, repeats);
  return (2 * m * k * n) / wall_ms / 1e6;
}
