// Building blocks shared by the vision towers and decoders, each written to match the float32
// eager PyTorch module of transformers v4.53 op for op.
import type { GraphBuilder } from '../onnx/graph-builder.ts';
import type { Value } from '../onnx/graph-core.ts';
import { UnsupportedModelFeatureError } from './errors.ts';

/** LlamaRMSNorm / Qwen3RMSNorm: w · x / sqrt(mean(x²) + eps) over the last axis. */
export function rmsNorm(g: GraphBuilder, x: Value, weight: Value, eps: number): Value {
  // Pow → ReduceMean → Add → Sqrt → Div is the pattern onnxruntime fuses into SimplifiedLayerNormalization.
  const variance = g.reduceMean(g.pow(x, g.scalarF32(2)), [-1]);
  const normed = g.div(x, g.sqrt(g.add(variance, g.scalarF32(eps))));
  return g.mul(normed, weight);
}

/** nn.GELU / ACT2FN['gelu']: exact erf form 0.5·x·(1 + erf(x/√2)). */
export function gelu(g: GraphBuilder, x: Value): Value {
  const cdf = g.add(g.scalarF32(1), g.erf(g.div(x, g.scalarF32(Math.SQRT2))));
  return g.mul(g.mul(x, g.scalarF32(0.5)), cdf);
}

/** CLIP's quick_gelu: x·σ(1.702·x). */
export function quickGelu(g: GraphBuilder, x: Value): Value {
  return g.mul(x, g.sigmoid(g.mul(x, g.scalarF32(1.702))));
}

/** SiLU: x·σ(x). */
export function silu(g: GraphBuilder, x: Value): Value {
  return g.mul(x, g.sigmoid(x));
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
