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
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { fromFloat32 } from '../../src/checkpoint/dtype.ts';
import type { TextConfig } from '../../src/checkpoint/text-config.ts';
import { GraphBuilder } from '../../src/onnx/graph-builder.ts';
import { createSession, DEFAULT_SESSION_SETTINGS } from '../../src/runtime/session.ts';

export function decoderForwardFlops(text: TextConfig, rows: number, tokens: number): number {
  const { hiddenSize: h, numAttentionHeads: nq, numKeyValueHeads: nkv, headDim: d, intermediateSize: i, numHiddenLayers: L } = text;
  const projections = 2 * rows * tokens * L * (h * (nq + 2 * nkv) * d + nq * d * h + 3 * h * i);
  const attention = 4 * rows * L * nq * d * tokens * tokens;
  return projections + attention;
}

export interface MatMulRate {
  shape: [m: number, k: number, n: number];
  precision: 'float32' | 'float16';
  ms: number;
  gflopPerS: number;
}

/** A bare onnxruntime MatMul [m, k]·[k, n] (both operands inputs), median of `repeats` timed runs after a warm-up. */
export async function measureMatMul(m: number, k: number, n: number, precision: 'float32' | 'float16', repeats = 3): Promise<MatMulRate> {
  const g = new GraphBuilder('matmul-limit');
  const a = g.input('a', precision, [m, k]);
  const b = g.input('b', precision, [k, n]);
  g.output(g.matmul(a, b), 'c', precision, [m, n]);
  const session = await createSession('matmul-limit', g.toBytes(), '.', DEFAULT_SESSION_SETTINGS);
  const tensor = (rows: number, cols: number) => {
    const values = Float32Array.from({ length: rows * cols }, (_, j) => Math.sin(j) * 0.02);
    if (precision === 'float32') return new ort.Tensor('float32', values, [rows, cols]);
    const bytes = fromFloat32(values, 'F16');
    return new ort.Tensor('float16', new Uint16Array(bytes.buffer, bytes.byteOffset, rows * cols), [rows, cols]);
  };
  const feeds = { a: tensor(m, k), b: tensor(k, n) };
  try {
    await session.run(feeds);
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const start = performance.now();
      await session.run(feeds);
      times.push(performance.now() - start);
    }
    const ms = times.sort((x, y) => x - y)[Math.floor(repeats / 2)]!;
    return { shape: [m, k, n], precision, ms, gflopPerS: (2 * m * k * n) / ms / 1e6 };
  } finally {
    await session.release();
  }
}
