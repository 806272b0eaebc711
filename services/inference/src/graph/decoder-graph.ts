// The decoder graph (Llama for LLaVA-1.5, Qwen3 for InternVL-3.5) in transformers v4.53 eager
// semantics, computed in the prepared weights' dtype (float32, or float16 with HF's float32
// islands, see nn.ts and rope.ts), with interventions as graph inputs: inputs_embeds [B, T, C]
// (+ hooks, + past K/V) → logits (+ captures, + present K/V). Every input and output is float32
// except the KV cache, which stays in the compute dtype (half the memory in float16). Variants
// without a hook or capture simply lack those inputs/outputs, so unused hooks cost nothing at run time.
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { GraphError, attr, type Value } from '../onnx/graph-core.ts';
import { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import type { TextConfig } from '../checkpoint/text-config.ts';
import type { PreparedWeights } from '../onnx/prepared-weights.ts';
import { LM_HEAD } from '../checkpoint/expected-weights.ts';
import { rmsNorm, activation, attentionProbs, attentionScores } from './nn.ts';
import { applyRope, ropeInverseFrequencies, ropeTables, type RopeTables } from './rope.ts';
import * as io from './decoder-io.ts';
import type { BuiltGraph } from './vision-graph.ts';

const LM = 'model.language_model';
/** torch.finfo(torch.float32).min: HF's "masked" additive value. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** `weights` must resolve `lm_head.weight` (loadCheckpoint aliases it to the embeddings when they are tied). */
export function buildDecoderGraph(text: TextConfig, weights: PreparedWeights, variant: io.DecoderVariant): BuiltGraph {
  const g = new GraphBuilder(io.decoderVariantKey(variant), weights.dtype);
  const w = new CheckpointWeights(g, weights);
  const L = text.numHiddenLayers;
  const H = text.numAttentionHeads;
  const KVH = text.numKeyValueHeads;
  const D = text.headDim;
  const C = text.hiddenSize;
  const outputs: string[] = [];
  const emit = (value: Value, name: string) => {
    g.floatOutput(value, name);
    outputs.push(name);
  };

  const from = variant.fromLayer ?? 0;
  if (!Number.isInteger(from) || from < 0 || from >= L) throw new GraphError(`graph ${io.decoderVariantKey(variant)}: fromLayer ${from} is outside [0, ${L})`);
  if (from > 0 && (variant.kvCache || Object.values(variant.captures).some(Boolean))) {
    throw new GraphError(`graph ${io.decoderVariantKey(variant)}: a graph from layer ${from} has no KV cache or captures (they need the skipped layers)`);
  }
  const embeds = g.floatInput(from > 0 ? io.LAYER_INPUT : io.INPUTS_EMBEDS, ['batch', 'seq', C]);
  const hooks = {
    // The bias joins the float32 attention scores (nn.ts attentionScores).
    attnBias: variant.hooks.attnBias ? g.input(io.ATTN_BIAS, 'float32', [L, 'batch', 'bias_heads', 'seq', 'total']) : null,
    headScale: variant.hooks.headScale ? g.floatInput(io.HEAD_SCALE, [L, 'batch', H]) : null,
    headPatch: variant.hooks.headPatch ? g.floatInput(io.HEAD_PATCH, [L, 'batch', 'seq', H, D]) : null,
    headPatchMask: variant.hooks.headPatch ? g.input(io.HEAD_PATCH_MASK, 'float32', [L, 'batch', 'seq', H]) : null,
  };
  // Without present outputs the past is one shared prefix: fed once with batch 1 and broadcast
  // to every variant inside the graph, instead of copied per variant from JS.
  const sharedPast = variant.kvCache && variant.presentOutputs === false;
  const buffered = variant.kvCache && variant.kvBuffer === true;
  if (buffered && sharedPast) throw new GraphError(`graph ${io.decoderVariantKey(variant)}: a KV buffer needs its present outputs (the step's keys and values)`);
  if (buffered && variant.captures.attnProbs) throw new GraphError(`graph ${io.decoderVariantKey(variant)}: attention probabilities are not captured over a KV buffer`);
  const pastBatch = sharedPast ? g.concat([g.shape(embeds, 0, 1), g.constI64([1, 1, 1])], 0) : null;
  const pastInput = (name: string) => {
    const input = g.input(name, g.compute, [sharedPast ? 1 : 'batch', KVH, buffered ? 'capacity' : 'past', D]);
    return pastBatch ? g.expand(input, pastBatch) : input;
  };
  const past = variant.kvCache ? Array.from({ length: L }, (_, l) => ({ key: pastInput(io.pastKey(l)), value: pastInput(io.pastValue(l)) })) : null;
  const logitPositions = variant.logits === 'positions' ? g.input(io.LOGIT_POSITIONS, 'int64', ['positions']) : null;

  // Positions of this step's queries: past .. past+T-1 (HF cache_position); keys: 0 .. past+T-1.
  const seqLen = g.squeeze(g.shape(embeds, 1, 2), [0]);
  const pastAxis = (value: Value) => g.squeeze(g.shape(value, 2, 3), [0]);
  const pastLen = buffered ? g.input(io.PAST_LENGTH, 'int64', []) : past ? pastAxis(past[0].key) : g.scalarI64(0);
  const total = g.add(pastLen, seqLen);
  const queryPos = g.range(pastLen, total, g.scalarI64(1));
  // HF sets knocked-out entries to float32 min; adding then clamping at min reproduces that
  // exactly for 0/min biases and stays additive (and finite) for any other bias.
  const withBias = (mask: Value, bias: Value | null) => (bias ? g.max(g.add(mask, bias), g.scalarF32(FLOAT32_MIN)) : mask);
  // A KV buffer's keys are its slots 0..capacity-1 (the bias hook spans them all) and this step's
  // own keys, which sit at the query positions; slots from PAST_LENGTH on are not filled yet and
  // get -inf rather than float32 min, so that a query whose every key is knocked out (a uniform
  // softmax over its keys, as HF computes it) still ignores them.
  const slotPos = buffered && past ? g.range(g.scalarI64(0), pastAxis(past[0].key), g.scalarI64(1)) : null;
  const unfilled = slotPos ? g.where(g.greater(slotPos, g.sub(pastLen, g.scalarI64(1))), g.scalarF32(-Infinity), g.scalarF32(0)) : null;
  // Causal mask over every key (past and this step's) — over a KV buffer, over this step's own keys.
  const causalKeys = buffered ? queryPos : g.range(g.scalarI64(0), total, g.scalarI64(1));
  const causal = g.where(g.greater(g.unsqueeze(causalKeys, [0]), g.unsqueeze(queryPos, [1])), g.scalarF32(FLOAT32_MIN), g.scalarF32(0));
  // Every filled slot precedes every query, so the slots need no causal mask, only the bias.
  const bufferMasks = (bias: Value | null) => ({
    mask: bias ? g.add(g.max(bias, g.scalarF32(FLOAT32_MIN)), unfilled!) : unfilled!,
    freshMask: withBias(causal, bias && g.gather(bias, queryPos, -1)),
  });
  const rope = ropeTables(g, g.cast(queryPos, 'float32'), ropeInverseFrequencies(D, text.ropeTheta, text.ropeScaling));
  if (variant.captures.rope) {
    emit(g.unsqueeze(rope.cos, [0]), io.ROPE_COS);
    emit(g.unsqueeze(rope.sin, [0]), io.ROPE_SIN);
  }

  // The rows of the last layer that reach the logits. Without captures, its other query rows feed
  // nothing (its keys and values still span every position), so a forward with last-position or
  // listed-position logits computes only those rows there: a prompt's last layer reduced to its
  // key/value projections (~1/L of the forward).
  const { hiddenStates, layerOutputs, attnPreOProj, attnProbs } = variant.captures;
  const trimLastLayer = variant.logits !== 'all' && !buffered && !(hiddenStates || layerOutputs || attnPreOProj || attnProbs);
  const logitRows = (value: Value, axis: number) => (logitPositions ? g.gather(value, logitPositions, axis) : g.slice(value, [-1], [Number.MAX_SAFE_INTEGER], [axis]));

  let h = embeds;
  if (variant.captures.hiddenStates) emit(h, io.hiddenStateName(0));
  for (let l = from; l < L; l++) {
    h = g.scoped(`layer${l}`, () => {
      const pick = (hook: Value | null) => (hook ? g.gather(hook, g.scalarI64(l), 0) : null);
      const bias = pick(hooks.attnBias);
      const layer = decoderLayer(g, w, text, l, h, {
        ...(unfilled ? bufferMasks(bias) : { mask: withBias(causal, bias), freshMask: null }),
        rope,
        queryRows: trimLastLayer && l === L - 1 ? logitRows : null,
        past: past?.[l] ?? null,
        headScale: pick(hooks.headScale),
        headPatch: pick(hooks.headPatch),
        headPatchMask: pick(hooks.headPatchMask),
      });
      if (layer.present && variant.presentOutputs !== false) {
        for (const [value, name] of [[layer.present.key, io.presentKey(l)], [layer.present.value, io.presentValue(l)]] as const) {
          g.output(value, name, g.compute);
          outputs.push(name);
        }
      }
      if (variant.captures.attnPreOProj) emit(layer.preOProj, io.attnPreOProjName(l));
      if (variant.captures.attnProbs) emit(layer.probs, io.attnProbsName(l));
      if (variant.captures.layerOutputs) emit(layer.output, io.layerOutName(l));
      if (variant.captures.hiddenStates && l < L - 1) emit(layer.output, io.hiddenStateName(l + 1));
      return layer.output;
    });
  }
  const normed = rmsNorm(g, h, w.tensor(`${LM}.norm.weight`, [C]), text.rmsNormEps);
  if (variant.captures.hiddenStates) emit(normed, io.hiddenStateName(L));
  const forLogits = variant.logits === 'all' || trimLastLayer ? normed : logitRows(normed, 1);
  const logits = g.linear(forLogits, w.linear([LM_HEAD], [[text.vocabSize, C]]), null);
  if (variant.logits !== 'greedy') {
    emit(logits, io.LOGITS);
  } else {
    // The argmax token (the first on ties, as torch.argmax) and its log-probability, which is the
    // row's largest log-softmax value: a decode step returns 2·B numbers instead of B·vocab logits.
    // In float32, as HF's generate takes the last position's logits (`.to(torch.float32)`).
    const row = g.toFloat32(g.squeeze(logits, [1]));
    g.output(g.node('ArgMax', [row], { axis: attr.int(-1), keepdims: attr.int(0) })[0], io.NEXT_TOKEN, 'int64');
    g.output(g.node('ReduceMax', [g.logSoftmax(row, -1)], { axes: attr.ints([-1]), keepdims: attr.int(0) })[0], io.NEXT_LOG_PROB, 'float32');
    outputs.push(io.NEXT_TOKEN, io.NEXT_LOG_PROB);
  }
  return { bytes: g.toBytes(), outputs };
}

interface LayerInputs {
  /** Additive mask broadcastable to [B, H, T, S] over the past keys and this step's (over a KV buffer: its slots). */
  mask: Value;
  /** Over a KV buffer: the mask [.., T, T] of this step's own keys, attended beside the buffer's. */
  freshMask: Value | null;
  rope: RopeTables;
  /** Selects the query rows to compute along an axis (the others are dropped); null: every row. */
  queryRows: ((value: Value, axis: number) => Value) | null;
  past: { key: Value; value: Value } | null;
  headScale: Value | null;
  headPatch: Value | null;
  headPatchMask: Value | null;
}

interface LayerOutputs {
  output: Value;
  preOProj: Value;
  probs: Value;
  present: { key: Value; value: Value } | null;
}

function decoderLayer(g: GraphBuilder, w: CheckpointWeights, text: TextConfig, l: number, x: Value, inp: LayerInputs): LayerOutputs {
  const H = text.numAttentionHeads;
  const KVH = text.numKeyValueHeads;
  const D = text.headDim;
  const C = text.hiddenSize;
  const I = text.intermediateSize;
  const p = `${LM}.layers.${l}`;
  const t = (name: string, shape: number[]) => w.tensor(`${p}.${name}`, shape);
  const linear = (input: Value, name: string, out: number, inSize: number, bias: boolean) =>
    g.linear(input, w.linear([`${p}.${name}.weight`], [[out, inSize]]), bias ? t(`${name}.bias`, [out]) : null);
  // Projections of one input run as one MatMul over their weights side by side (one prepared
  // file): a decode step's [1, C] inputs make each MatMul a memory-bound pass over its weights,
  // and one long pass costs less than several short ones. Every output is still the same dot
  // product, so the results do not change.
  const linears = (input: Value, names: string[], outs: number[], inSize: number, bias: boolean) => {
    const weight = w.linear(names.map((name) => `${p}.${name}.weight`), outs.map((out) => [out, inSize]));
    const biases = bias ? g.concat(names.map((name, i) => t(`${name}.bias`, [outs[i]])), 0) : null;
    const y = g.linear(input, weight, biases);
    // Slices rather than one Split: the backward graph builder differentiates Slice.
    return outs.map((_, i) => {
      const start = outs.slice(0, i).reduce((a, b) => a + b, 0);
      return g.slice(y, [start], [start + outs[i]], [-1]);
    });
  };

  const normed = rmsNorm(g, x, t('input_layernorm.weight', [C]), text.rmsNormEps);
  const [qFlat, kFlat, vFlat] = linears(normed, ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj'], [H * D, KVH * D, KVH * D], C, text.attentionBias);
  // Keys and values span every position; queries, and all that follows them, only the selected rows.
  const rows = (value: Value, axis: number) => (inp.queryRows ? inp.queryRows(value, axis) : value);
  let q = g.reshape(rows(qFlat, 1), [0, 0, H, D]);
  let k = g.reshape(kFlat, [0, 0, KVH, D]);
  const vNew = g.transpose(g.reshape(vFlat, [0, 0, KVH, D]), [0, 2, 1, 3]);
  if (text.qkNorm) {
    // Qwen3: per-head RMSNorm over head_dim, before RoPE.
    q = rmsNorm(g, q, t('self_attn.q_norm.weight', [D]), text.rmsNormEps);
    k = rmsNorm(g, k, t('self_attn.k_norm.weight', [D]), text.rmsNormEps);
  }
  const qRot = applyRope(g, g.transpose(q, [0, 2, 1, 3]), { cos: rows(inp.rope.cos, 0), sin: rows(inp.rope.sin, 0) }, D);
  const kNew = applyRope(g, g.transpose(k, [0, 2, 1, 3]), inp.rope, D);
  // repeat_kv: query head h reads kv head h // (H / KVH).
  const repeat = (kv: Value) => (H === KVH ? kv : g.reshape(g.expand(g.unsqueeze(kv, [2]), g.constI64([1, 1, H / KVH, 1, 1])), [0, H, -1, D]));
  const scores = (keys: Value, mask: Value) => attentionScores(g, qRot, g.transpose(repeat(keys), [0, 1, 3, 2]), D ** -0.5, mask);
  let probs: Value;
  let context: Value; // [B, H, T, D]
  let present: LayerOutputs['present'] = null;
  if (inp.past && inp.freshMask) {
    // One softmax over the buffer's slots and this step's keys; the two value sets are weighted
    // separately, so the buffer is only read (the caller writes this step's keys into it).
    probs = attentionProbs(g, g.concat([scores(inp.past.key, inp.mask), scores(kNew, inp.freshMask)], -1));
    const slots = g.shape(inp.past.key, 2, 3);
    const over = (from: Value | number[], to: Value | number[], values: Value) => g.matmul(g.slice(probs, from, to, [-1]), repeat(values));
    context = g.add(over([0], slots, inp.past.value), over(slots, [Number.MAX_SAFE_INTEGER], vNew));
    present = { key: kNew, value: vNew };
  } else {
    const keys = inp.past ? g.concat([inp.past.key, kNew], 2) : kNew;
    const values = inp.past ? g.concat([inp.past.value, vNew], 2) : vNew;
    probs = attentionProbs(g, scores(keys, rows(inp.mask, -2)));
    context = g.matmul(probs, repeat(values));
    if (inp.past) present = { key: keys, value: values };
  }
  let heads = g.transpose(context, [0, 2, 1, 3]); // [B, T, H, D]
  if (inp.headScale) heads = g.mul(heads, g.unsqueeze(inp.headScale, [1, 3]));
  if (inp.headPatch && inp.headPatchMask) {
    heads = g.where(g.cast(g.unsqueeze(rows(inp.headPatchMask, 1), [3]), 'bool'), rows(inp.headPatch, 1), heads);
  }
  const preOProj = g.reshape(heads, [0, 0, H * D]);
  const h = g.add(rows(x, 1), linear(preOProj, 'self_attn.o_proj', C, H * D, text.attentionBias));

  const post = rmsNorm(g, h, t('post_attention_layernorm.weight', [C]), text.rmsNormEps);
  const [gateIn, up] = linears(post, ['mlp.gate_proj', 'mlp.up_proj'], [I, I], C, text.mlpBias);
  const gate = activation(g, text.hiddenAct, gateIn, 'text_config.hidden_act');
  const mlp = linear(g.mul(gate, up), 'mlp.down_proj', C, I, text.mlpBias);
  return { output: g.add(h, mlp), preOProj, probs, present };
}
