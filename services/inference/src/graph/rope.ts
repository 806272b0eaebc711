// Rotary position embeddings as transformers v4.53 computes them (rotate_half convention):
// inv_freq = 1/θ^(2i/d) (float32), optionally rescaled per `rope_scaling`; angles = pos·inv_freq;
// cos/sin of cat(angles, angles); q' = q·cos + rotate_half(q)·sin.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import type { RopeScaling } from '../checkpoint/text-config.ts';
import { UnsupportedModelFeatureError } from './errors.ts';

const f32 = Math.fround;

/** The rotary inverse frequencies (length headDim/2), rounded to float32 at each step like torch. */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling | null): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f32(1 / f32(Math.pow(theta, f32((2 * i) / headDim))));
  const type = scaling?.rope_type ?? 'default';
  switch (type) {
    case 'default':
      return inv;
    case 'linear':
      return inv.map((v) => f32(v / numberParam(scaling!, 'factor')));
    case 'llama3':
      return llama3(inv, scaling!);
    default:
      throw new UnsupportedModelFeatureError('text_config.rope_scaling.rope_type', `'${type}' is not supported (default, linear, llama3)`);
  }
}

/** Llama 3.1 frequency-dependent scaling (long wavelengths slowed by `factor`, a smooth band between). */
function llama3(inv: Float32Array, scaling: RopeScaling): Float32Array {
  const factor = numberParam(scaling, 'factor');
  const low = numberParam(scaling, 'low_freq_factor');
  const high = numberParam(scaling, 'high_freq_factor');
  const context = numberParam(scaling, 'original_max_position_embeddings');
  const lowWavelen = context / low;
  const highWavelen = context / high;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    const scaled = wavelen > lowWavelen ? f / factor : f;
    if (wavelen < highWavelen || wavelen > lowWavelen) return f32(scaled);
    const smooth = (context / wavelen - low) / (high - low);
    return f32(((1 - smooth) * scaled) / factor + smooth * scaled);
  });
}

function numberParam(scaling: RopeScaling, key: string): number {
  const value = scaling[key];
  if (typeof value !== 'number') throw new UnsupportedModelFeatureError(`text_config.rope_scaling.${key}`, `must be a number for rope_type '${scaling.rope_type}'`);
  return value;
}

export interface RopeTables {
  /** [T, headDim] */
  cos: Value;
  sin: Value;
}

/**
 * cos/sin tables for float32 positions `positions` [T], in the compute dtype. HF computes them in
 * float32 whatever the model's dtype (LlamaRotaryEmbedding.forward: autocast disabled, "Force
 * float32") and casts the results to the hidden states' dtype (`cos.to(dtype=x.dtype)`), where
 * the rotation itself is computed.
 */
export function ropeTables(g: GraphBuilder, positions: Value, invFreq: Float32Array): RopeTables {
  const angles = g.mul(g.unsqueeze(positions, [1]), g.constF32(invFreq, [1, invFreq.length]));
  const emb = g.concat([angles, angles], -1);
  return { cos: g.toCompute(g.cos(emb)), sin: g.toCompute(g.sin(emb)) };
}

/** x·cos + rotate_half(x)·sin for x [..., T, headDim] with tables broadcast over leading axes. */
export function applyRope(g: GraphBuilder, x: Value, tables: RopeTables, headDim: number): Value {
  const half = headDim / 2;
  const x1 = g.slice(x, [0], [half], [-1]);
  const x2 = g.slice(x, [half], [headDim], [-1]);
  const rotated = g.concat([g.neg(x2), x1], -1);
  return g.add(g.mul(x, tables.cos), g.mul(rotated, tables.sin));
}
