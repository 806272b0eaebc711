// The decoder graph (Llama for LLaVA-1.5, Qwen3 for InternVL-3.5) in transformers v4.53 eager
// semantics, computed in the prepared weights' dtype (float32, or float16 with HF's float32
// islands, see nn.ts and rope.ts), with interventions as graph inputs (see decoder-io.ts). Every
// input and output is float32 except the KV cache, which stays in the compute dtype. One graph serves every
// run of a model — forward with captures, scoring over a shared prefix, a generation's prompt and
// decode steps, layer-shared variants — so one onnxruntime session holds the decoder's weights:
// on a GPU, one copy of them per model. What a run does not use costs (almost) nothing:
// - hooks not in use are fed as no-op values that broadcast (a [L, 1, H] scale of ones, a
//   [L, 1, 1, H, D] patch mask of zeros, one empty knockout term);
// - each layer is an ONNX If over START_LAYER: layers before it pass their input through;
// - captures and present keys/values are If branches on switch inputs, empty when off;
// - attention over an empty KV buffer (a prompt, a plain forward) takes a branch without the
//   buffer's slots, so it computes exactly what a graph without a cache computes.
// The branches read the weights as outer-scope initializers of the main graph: one copy, whichever
// branches run. The Integrated-Gradients graph (graph/backward) differentiates a plain forward
// without switches (buildGradientForwardGraph): the backward builder has no rules for If.
import { GraphBuilder, attr, type Value, type ComputeDType, type DType } from '@locscope/onnx-graph';
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
/** The session-cache key of the decoder graph (one per model). */
export const DECODER_GRAPH_KEY = 'decoder';

/** `weights` must resolve `lm_head.weight` (loadCheckpoint aliases it to the embeddings when they are tied). */
export function buildDecoderGraph(text: TextConfig, weights: PreparedWeights): BuiltGraph {
  const g = new GraphBuilder(DECODER_GRAPH_KEY, weights.dtype);
  const w = new CheckpointWeights(g, weights);
  const L = text.numHiddenLayers;
  const H = text.numAttentionHeads;
  const KVH = text.numKeyValueHeads;
  const D = text.headDim;
  const C = text.hiddenSize;
  const outputs: string[] = [];
  /** Declares `value` (in `dtype`) graph output `name`: itself when it has that name (an If output), else through an Identity. */
  const emit = (value: Value, name: string, dtype: DType) => {
    g.output(value, name, dtype);
    outputs.push(name);
  };

  const embeds = g.floatInput(io.INPUTS_EMBEDS, ['batch', 'seq', C]);
  const startLayer = g.input(io.START_LAYER, 'int64', []);
  const pastLength = g.input(io.PAST_LENGTH, 'int64', []);
  const past = Array.from({ length: L }, (_, l) => ({
    key: g.input(io.pastKey(l), g.compute, ['past_batch', KVH, 'capacity', D]),
    value: g.input(io.pastValue(l), g.compute, ['past_batch', KVH, 'capacity', D]),
  }));
  const hooks = {
    // The knockout's bias joins the float32 attention scores (nn.ts attentionScores).
    knockoutQueries: g.input(io.KNOCKOUT_QUERIES, 'float32', [L, 'knockout_batch', 'seq', 'knockout_terms']),
    knockoutKeys: g.input(io.KNOCKOUT_KEYS, 'float32', [L, 'knockout_batch', 'knockout_terms', 'keys']),
    headScale: g.floatInput(io.HEAD_SCALE, [L, 'scale_batch', H]),
    headPatch: g.floatInput(io.HEAD_PATCH, [L, 'patch_batch', 'patch_seq', H, D]),
    headPatchMask: g.input(io.HEAD_PATCH_MASK, 'float32', [L, 'patch_batch', 'patch_seq', H]),
  };
  const outputPresent = g.input(io.OUTPUT_PRESENT, 'bool', []);
  const lastLayerRows = g.input(io.LAST_LAYER_ROWS, 'int64', ['rows']);
  const logitRows = g.input(io.LOGIT_ROWS, 'int64', ['logit_rows']);
  const capture = {
    hiddenStates: g.input(io.CAPTURE_HIDDEN_STATES, 'bool', [L + 1]),
    layerOutputs: g.input(io.CAPTURE_LAYER_OUTPUTS, 'bool', [L]),
    attnPreOProj: g.input(io.CAPTURE_ATTN_PRE_O_PROJ, 'bool', [L]),
    attnProbs: g.input(io.CAPTURE_ATTN_PROBS, 'bool', [L]),
  };
  const at = (tensor: Value, i: number) => g.gather(tensor, g.scalarI64(i), 0);
  const empty = g.constF32([], [0]);
  const emptyCompute = g.toCompute(empty);
  /** A capture: `value` in float32 when the bool scalar `on` is true, else an empty tensor (an unused capture is never copied). */
  const keep = (on: Value, value: Value) => g.ifElse(on, ['float32'], () => [g.toFloat32(value)], () => [empty])[0];
  // Every If a run executes costs a fixed overhead (a decode step runs dozens), so a layer's
  // captures sit behind one If on whether it captures anything, and its present keys and values
  // behind one If together.
  const anyOf = (flags: Value[]) => flags.reduce((a, b) => g.node('Or', [a, b])[0]);
  /** The present keys and values (compute dtype) when OUTPUT_PRESENT is on, else empty tensors. */
  const keepPresent = (key: Value, value: Value) => g.ifElse(outputPresent, [g.compute, g.compute], () => [key, value], () => [emptyCompute, emptyCompute]);

  // Queries sit at PAST_LENGTH .. PAST_LENGTH+T-1 (HF cache_position). Every filled slot precedes
  // them, so the slots need no causal mask; slots from PAST_LENGTH on are not filled yet and get
  // -inf rather than float32 min, so that a query whose every key is knocked out (a uniform
  // softmax over its keys, as HF computes it) still ignores them.
  const seqLen = g.squeeze(g.shape(embeds, 1, 2), [0]);
  const capacity = g.squeeze(g.shape(past[0].key, 2, 3), [0]);
  const queryPos = g.range(pastLength, g.add(pastLength, seqLen), g.scalarI64(1));
  const hasPast = g.greater(capacity, g.scalarI64(0));
  const slotPos = g.range(g.scalarI64(0), capacity, g.scalarI64(1));
  const unfilled = g.where(g.greater(slotPos, g.sub(pastLength, g.scalarI64(1))), g.scalarF32(-Infinity), g.scalarF32(0));
  const causal = causalMask(g, queryPos);
  const rope = ropeTables(g, g.cast(queryPos, 'float32'), ropeInverseFrequencies(D, text.ropeTheta, text.ropeScaling));
  for (const [table, name] of [[rope.cos, io.ROPE_COS], [rope.sin, io.ROPE_SIN]] as const) {
    g.floatOutput(g.unsqueeze(table, [0]), name);
    outputs.push(name);
  }
  g.output(keep(at(capture.hiddenStates, 0), embeds), io.hiddenStateName(0), 'float32');
  outputs.push(io.hiddenStateName(0));

  // Without a knockout in a layer, its masks are the causal one and the unfilled slots'
  // (given a query axis, as rows are selected along it).
  const plainMasks = () => [g.expand(unfilled, g.concat([g.shape(embeds, 1, 2), g.constI64([1])], 0)), causal];
  let h = embeds;
  for (let l = 0; l < L; l++) {
    const last = l === L - 1;
    // The If outputs are the graph outputs themselves (no Identity copies).
    const names = [
      `layer${l}/output`,
      io.presentKey(l),
      io.presentValue(l),
      io.attnPreOProjName(l),
      io.attnProbsName(l),
      io.layerOutName(l),
      ...(last ? [] : [io.hiddenStateName(l + 1)]),
    ];
    h = g.scoped(`layer${l}`, () =>
      g.ifElse(
        g.greater(g.scalarI64(l + 1), startLayer),
        [g.compute, g.compute, g.compute, ...names.slice(3).map(() => 'float32' as const)],
        () => {
          const queries = at(hooks.knockoutQueries, l);
          const [slots, fresh] = g.ifElse(g.greater(g.node('ReduceMax', [queries], { keepdims: attr.int(0) })[0], g.scalarF32(0)), ['float32', 'float32'], () => {
            // HF sets knocked-out entries to float32 min; adding then clamping at min reproduces
            // that exactly for 0/min biases and stays additive (and finite) for any other bias.
            const bias = knockoutBias(g, queries, at(hooks.knockoutKeys, l));
            return [
              g.add(g.max(g.slice(bias, [0], g.unsqueeze(capacity, [0]), [-1]), g.scalarF32(FLOAT32_MIN)), unfilled),
              g.max(g.add(causal, g.gather(bias, queryPos, -1)), g.scalarF32(FLOAT32_MIN)),
            ];
          }, plainMasks);
          const layer = decoderLayer(g, w, text, l, h, {
            masks: { slots, fresh },
            rope,
            queryRows: last ? (value, axis) => g.gather(value, lastLayerRows, axis) : null,
            past: past[l],
            hasPast,
            headScale: at(hooks.headScale, l),
            headPatch: at(hooks.headPatch, l),
            headPatchMask: at(hooks.headPatchMask, l),
          });
          const flags = [at(capture.attnPreOProj, l), at(capture.attnProbs, l), at(capture.layerOutputs, l), ...(last ? [] : [at(capture.hiddenStates, l + 1)])];
          const captured = g.ifElse(
            anyOf(flags),
            flags.map(() => 'float32'),
            () => [layer.preOProj, layer.probs, layer.output, layer.output].slice(0, flags.length).map((value, i) => keep(flags[i], value)),
            () => flags.map(() => empty),
          );
          return [layer.output, ...keepPresent(layer.present.key, layer.present.value), ...captured];
        },
        () => [h, emptyCompute, emptyCompute, ...names.slice(3).map(() => empty)],
        names,
      ),
    )[0];
    names.slice(1).forEach((name, i) => emit({ name }, name, i < 2 ? g.compute : 'float32'));
  }
  const normed = rmsNorm(g, h, w.tensor(`${LM}.norm.weight`, [C]), text.rmsNormEps);
  emit(keep(at(capture.hiddenStates, L), normed), io.hiddenStateName(L), 'float32');
  // In float32, as HF's generate takes the logits (`.to(torch.float32)`).
  const logits = g.toFloat32(g.linear(g.gather(normed, logitRows, 1), w.linear([LM_HEAD], [[text.vocabSize, C]]), null));
  emit(logits, io.LOGITS, 'float32');
  // The argmax token of each logit row (the first on ties, as torch.argmax) and its log-probability,
  // which is the row's largest log-softmax value: a decode step fetches 2·B numbers instead of
  // B·vocab logits.
  emit(g.node('ArgMax', [logits], { axis: attr.int(-1), keepdims: attr.int(0) })[0], io.NEXT_TOKEN, 'int64');
  emit(g.node('ReduceMax', [g.logSoftmax(logits, -1)], { axes: attr.ints([-1]), keepdims: attr.int(0) })[0], io.NEXT_LOG_PROB, 'float32');
  return { bytes: g.toBytes(), outputs };
}

/**
 * The decoder without switches, hooks or cache, for the gradient graph to differentiate:
 * inputs_embeds [B, T, C] and logit_positions [K] → logits [B, K, vocab] (the last layer computes
 * only those rows). The same layers, so the same numbers, as the decoder graph.
 */
/** Computes in `compute`, by default the weights' dtype (the gradient graph asks for float32 over float16 weights). */
export function buildGradientForwardGraph(text: TextConfig, weights: PreparedWeights, compute: ComputeDType = weights.dtype): BuiltGraph {
  const g = new GraphBuilder(`${DECODER_GRAPH_KEY}|gradient-forward`, compute);
  const w = new CheckpointWeights(g, weights);
  const L = text.numHiddenLayers;
  const C = text.hiddenSize;
  const embeds = g.floatInput(io.INPUTS_EMBEDS, ['batch', 'seq', C]);
  const logitPositions = g.input(io.LOGIT_POSITIONS, 'int64', ['positions']);
  const queryPos = g.range(g.scalarI64(0), g.squeeze(g.shape(embeds, 1, 2), [0]), g.scalarI64(1));
  const masks = { slots: null, fresh: causalMask(g, queryPos) };
  const rope = ropeTables(g, g.cast(queryPos, 'float32'), ropeInverseFrequencies(text.headDim, text.ropeTheta, text.ropeScaling));
  let h = embeds;
  for (let l = 0; l < L; l++) {
    const queryRows = l === L - 1 ? (value: Value, axis: number) => g.gather(value, logitPositions, axis) : null;
    h = g.scoped(`layer${l}`, () => decoderLayer(g, w, text, l, h, { masks, rope, queryRows, past: null, hasPast: null, headScale: null, headPatch: null, headPatchMask: null }).output);
  }
  const normed = rmsNorm(g, h, w.tensor(`${LM}.norm.weight`, [C]), text.rmsNormEps);
  g.floatOutput(g.linear(normed, w.linear([LM_HEAD], [[text.vocabSize, C]]), null), io.LOGITS);
  return { bytes: g.toBytes(), outputs: [io.LOGITS] };
}

/** [T, T] additive causal mask over this run's own keys (at the query positions): float32 min above the diagonal. */
function causalMask(g: GraphBuilder, queryPos: Value): Value {
  return g.where(g.greater(g.unsqueeze(queryPos, [0]), g.unsqueeze(queryPos, [1])), g.scalarF32(FLOAT32_MIN), g.scalarF32(0));
}

/**
 * One layer's knockout bias [B, 1, T, S] from its factors (queries [B, T, R], keys [B, R, S], B may be 1):
 * float32 min where some term marks both the query and the key, else 0 — the dense bias HF adds,
 * built here per layer instead of fed (a term count > 0, so overlapping terms block once).
 */
function knockoutBias(g: GraphBuilder, queries: Value, keys: Value): Value {
  const terms = g.matmul(queries, keys);
  return g.unsqueeze(g.where(g.greater(terms, g.scalarF32(0)), g.scalarF32(FLOAT32_MIN), g.scalarF32(0)), [1]);
}

interface LayerInputs {
  masks: {
    /** Additive mask [.., T, capacity] over the KV buffer's slots; null: no buffer (the gradient forward). */
    slots: Value | null;
    /** Additive mask [.., T, T] over this run's own keys (causal, knockout). */
    fresh: Value;
  };
  rope: RopeTables;
  /** Selects the query rows to compute along an axis (the others are dropped); null: every row. */
  queryRows: ((value: Value, axis: number) => Value) | null;
  /** The layer's KV buffers, attended when `hasPast` (a bool scalar) holds; null: never. */
  past: { key: Value; value: Value } | null;
  hasPast: Value | null;
  headScale: Value | null;
  headPatch: Value | null;
  headPatchMask: Value | null;
}

interface LayerOutputs {
  output: Value;
  preOProj: Value;
  probs: Value;
  /** This run's keys (after RoPE) and values [B, KVH, T, D]. */
  present: { key: Value; value: Value };
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
  const fresh = rows(inp.masks.fresh, -2);
  const withoutPast = () => {
    const probs = attentionProbs(g, scores(kNew, fresh));
    return [g.matmul(probs, repeat(vNew)), probs];
  };
  // One softmax over the buffer's slots and this run's keys; the two value sets are weighted
  // separately, so the buffer is only read (the caller writes this run's keys into it). A batch-1
  // buffer (one shared prefix) broadcasts over the rows in the MatMuls.
  const overBuffer = (past: { key: Value; value: Value }, slotMask: Value) => () => {
    const probs = attentionProbs(g, g.concat([scores(past.key, rows(slotMask, -2)), scores(kNew, fresh)], -1));
    const slots = g.shape(past.key, 2, 3);
    const over = (from: Value | number[], to: Value | number[], values: Value) => g.matmul(g.slice(probs, from, to, [-1]), repeat(values));
    return [g.add(over([0], slots, past.value), over(slots, [Number.MAX_SAFE_INTEGER], vNew)), probs];
  };
  const [context, probs] = // context [B, H, T, D]
    inp.past && inp.hasPast && inp.masks.slots ? g.ifElse(inp.hasPast, [g.compute, g.compute], overBuffer(inp.past, inp.masks.slots), withoutPast) : withoutPast();
  let heads = g.transpose(context, [0, 2, 1, 3]); // [B, T, H, D]
  if (inp.headScale) heads = g.mul(heads, g.unsqueeze(inp.headScale, [1, 3]));
  if (inp.headPatch && inp.headPatchMask) {
    // A patch not in use is fed with a position axis of 1 that broadcasts; selecting rows needs the whole axis.
    const seq = inp.queryRows && g.shape(x, 1, 2);
    const positions = (hook: Value, rank: number) => (seq ? g.expand(hook, g.concat([g.constI64([1]), seq, g.constI64(new Array(rank - 2).fill(1))], 0)) : hook);
    heads = g.where(g.cast(g.unsqueeze(rows(positions(inp.headPatchMask, 3), 1), [3]), 'bool'), rows(positions(inp.headPatch, 4), 1), heads);
  }
  const preOProj = g.reshape(heads, [0, 0, H * D]);
  const h = g.add(rows(x, 1), linear(preOProj, 'self_attn.o_proj', C, H * D, text.attentionBias));

  const post = rmsNorm(g, h, t('post_attention_layernorm.weight', [C]), text.rmsNormEps);
  const [gateIn, up] = linears(post, ['mlp.gate_proj', 'mlp.up_proj'], [I, I], C, text.mlpBias);
  const gate = activation(g, text.hiddenAct, gateIn, 'text_config.hidden_act');
  const mlp = linear(g.mul(gate, up), 'mlp.down_proj', C, I, text.mlpBias);
  return { output: g.add(h, mlp), preOProj, probs, present: { key: kNew, value: vNew } };
}
