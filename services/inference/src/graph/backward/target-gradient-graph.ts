// The Integrated-Gradients graph: the decoder (no hooks, logits at the target positions) followed
// by the objective f = Σ_k log softmax(logits[k])[target_ids[k]] per batch row, and the backward
// graph of f with respect to inputs_embeds. Inputs: inputs_embeds [B, T, C], logit_positions [K]
// (the positions predicting each target, i.e. target position − 1), target_ids [K].
// Outputs: target_log_prob [B] and inputs_embeds_grad [B, T, C].
import { GraphBuilder, attr, type Value } from '@locscope/onnx-graph';
import { ModelProto } from '@locscope/onnx-graph/onnx';
import type { TextConfig } from '../../checkpoint/text-config.ts';
import type { PreparedWeights } from '../../onnx/prepared-weights.ts';
import { buildGradientForwardGraph } from '../decoder-graph.ts';
import * as io from '../decoder-io.ts';
import type { BuiltGraph } from '../vision-graph.ts';
import { ForwardGraph } from './forward-graph.ts';
import { differentiate } from './differentiate.ts';
import { appendGraph } from './merge.ts';

export const TARGET_IDS = 'target_ids';
export const TARGET_LOG_PROB = 'target_log_prob';
export const INPUTS_EMBEDS_GRAD = 'inputs_embeds_grad';
export const TARGET_GRADIENT_GRAPH_KEY = 'decoder|target-log-prob-gradient';

/** f per row: Σ_k log_softmax(logits)[b, k, target_ids[k]], with a one-hot mask so the whole objective is plain graph ops. */
function objectiveGraph(): Uint8Array {
  const g = new GraphBuilder('objective');
  g.scoped('objective', () => {
    const logits = { name: io.LOGITS };
    const ids = g.input(TARGET_IDS, 'int64', ['positions']);
    const vocab = g.squeeze(g.shape(logits, 2, 3), [0]);
    const oneHot = g.cast(g.equal(g.unsqueeze(ids, [1]), g.range(g.scalarI64(0), vocab, g.scalarI64(1))), 'float32');
    const picked = g.mul(g.logSoftmax(logits, -1), oneHot);
    const score = g.node('ReduceSum', [picked, g.constI64([1, 2])], { keepdims: attr.int(0) })[0];
    g.output(score, TARGET_LOG_PROB, 'float32', ['batch']);
  });
  return g.toBytes();
}

/**
 * Computed in float32 whatever the weights' dtype: the vector-Jacobian products are float32 rules,
 * and float16 gradients of log-probabilities would lose most of their digits. A float16 model's
 * weights enter through Casts, which onnxruntime must not fold (the session is loaded with
 * `foldConstants: false`): folded, they would be a private float32 copy of every weight.
 */
export function buildTargetGradientGraph(text: TextConfig, weights: PreparedWeights): BuiltGraph {
  const model = ModelProto.decode(buildGradientForwardGraph(text, weights, 'float32').bytes);
  appendGraph(model, objectiveGraph(), { replaceOutputs: true });
  const backward = new GraphBuilder('backward');
  const forward = new ForwardGraph(model.graph!);
  // dx = dy·W for every linear layer: W is the prepared original-layout file of the forward's Wᵀ.
  const transposes = new Map<string, Value | null>();
  const transposeOf = (initializer: string): Value | null => {
    if (!transposes.has(initializer)) {
      const location = forward.externalLocation(initializer);
      const t = location === undefined ? null : weights.untransposed(location);
      const stored = t && backward.externalTensor(`${initializer}^T`, weights.dtype, t.dims, { location: t.location, offset: 0, length: t.byteLength });
      transposes.set(initializer, stored && weights.dtype !== 'float32' ? backward.cast(stored, 'float32') : stored);
    }
    return transposes.get(initializer)!;
  };
  backward.scoped('grad', () => {
    const grad = differentiate(forward, backward, TARGET_LOG_PROB, io.INPUTS_EMBEDS, { transposeOf });
    backward.output(grad, INPUTS_EMBEDS_GRAD, 'float32', ['batch', 'seq', text.hiddenSize]);
  });
  appendGraph(model, backward.toBytes(), { replaceOutputs: false });
  return { bytes: ModelProto.encode(model).finish(), outputs: [TARGET_LOG_PROB, INPUTS_EMBEDS_GRAD] };
}
