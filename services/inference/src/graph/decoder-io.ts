// Names and shapes of the decoder graph's inputs and outputs: the intervention hooks of DESIGN §3,
// the KV cache and the optional captures. Shared by the graph builder and the runtime that feeds it.

export const INPUTS_EMBEDS = 'inputs_embeds';
/** [B, T, C] the hidden state entering layer `fromLayer` (replaces INPUTS_EMBEDS when fromLayer > 0). */
export const LAYER_INPUT = 'layer_input';
/**
 * Attention knockout in factored form: R terms per layer and row, term r blocking every query it
 * marks in KNOCKOUT_QUERIES [L, B, T, R] from every key it marks in KNOCKOUT_KEYS [L, B, R, S]
 * (1 = marked, 0 = not). The graph expands them per layer into HF's additive float32-min bias, so
 * what is fed grows with L·(T + S), never with T·S. The causal mask applies regardless.
 */
export const KNOCKOUT_QUERIES = 'knockout_queries';
export const KNOCKOUT_KEYS = 'knockout_keys';
/** [L, B, H] multiplies each head's output before o_proj (0 = ablation, 1 = identity). */
export const HEAD_SCALE = 'head_scale';
/** [L, B, T, H, D] replacement head outputs, used where HEAD_PATCH_MASK [L, B, T, H] is non-zero. */
export const HEAD_PATCH = 'head_patch';
export const HEAD_PATCH_MASK = 'head_patch_mask';
/** int64 scalar: slots already filled in the KV buffers (the first query's position). */
export const PAST_LENGTH = 'past_length';
/** [K] int64 positions whose logits are computed when `logits` is 'positions'. */
export const LOGIT_POSITIONS = 'logit_positions';
export const LOGITS = 'logits';
/** With `logits` 'greedy': [B] int64 argmax token of the last position, and [B] its log-probability. */
export const NEXT_TOKEN = 'next_token';
export const NEXT_LOG_PROB = 'next_log_prob';

export const pastKey = (layer: number) => `past_key.${layer}`;
export const pastValue = (layer: number) => `past_value.${layer}`;
export const presentKey = (layer: number) => `present_key.${layer}`;
export const presentValue = (layer: number) => `present_value.${layer}`;

/** Capture outputs, named like the HF parity references. */
export const hiddenStateName = (i: number) => `hidden_states.${i}`;
export const layerOutName = (i: number) => `layer_out.${i}`;
export const attnPreOProjName = (i: number) => `attn_pre_o_proj.${i}`;
export const attnProbsName = (i: number) => `attn_probs.${i}`;
export const ROPE_COS = 'rope_cos';
export const ROPE_SIN = 'rope_sin';

export interface DecoderHooks {
  knockout: boolean;
  headScale: boolean;
  headPatch: boolean;
}

export interface DecoderCaptures {
  /** hidden_states.0..L (0 = input embeddings, L = final norm output). */
  hiddenStates: boolean;
  /** layer_out.i: raw output of layer i. */
  layerOutputs: boolean;
  /** attn_pre_o_proj.i [B, T, H·D]: o_proj input after hooks. */
  attnPreOProj: boolean;
  /** attn_probs.i [B, H, T, S]. */
  attnProbs: boolean;
  /** rope_cos/rope_sin [1, T, D]. */
  rope: boolean;
}

export interface DecoderVariant {
  hooks: DecoderHooks;
  captures: DecoderCaptures;
  /** past_key/value.i inputs [B, KVH, P, D] (P may be 0) and present_key/value.i outputs [B, KVH, P+T, D]. */
  kvCache: boolean;
  /**
   * With kvCache: also output present K/V (default). `false` is scoring on top of one shared prefix:
   * past K/V are fed with batch 1 and broadcast to every variant in the graph, and present K/V (the
   * largest outputs by far, whose per-variant copies cost more than the run) are left out.
   */
  presentOutputs?: boolean;
  /**
   * With kvCache: past_key/value.i are fixed-capacity buffers [B, KVH, capacity, D] whose first
   * PAST_LENGTH slots are filled, and present_key/value.i are only this step's keys/values
   * [B, KVH, T, D], which the caller writes into its buffers at PAST_LENGTH. Attention reads the
   * buffers' slots and this step's keys side by side, so a decode step neither copies the cache
   * in the graph nor returns it (returning multi-megabyte outputs to JS cost more than the step).
   * The knockout keys span the buffer's slots; this step's keys take its columns from PAST_LENGTH on.
   */
  kvBuffer?: boolean;
  /**
   * Runs layers fromLayer.. only, from LAYER_INPUT (default 0: every layer, from INPUTS_EMBEDS).
   * Variants whose interventions start at a later layer share the layers before it, which every
   * row computes alike. No KV cache or captures (they would need the skipped layers).
   */
  fromLayer?: number;
  /**
   * Which positions get logits: every one, only the last, or those listed in LOGIT_POSITIONS;
   * 'greedy' outputs NEXT_TOKEN and NEXT_LOG_PROB of the last position instead of logits.
   */
  logits: 'all' | 'last' | 'positions' | 'greedy';
}

export const NO_HOOKS: DecoderHooks = { knockout: false, headScale: false, headPatch: false };
export const NO_CAPTURES: DecoderCaptures = { hiddenStates: false, layerOutputs: false, attnPreOProj: false, attnProbs: false, rope: false };

/** A stable cache key: one built graph (and session) per distinct variant. */
export function decoderVariantKey(v: DecoderVariant): string {
  const flags = (o: object) => Object.entries(o).filter(([, on]) => on).map(([k]) => k).join('+') || '-';
  const kv = !v.kvCache ? 0 : v.presentOutputs === false ? 'r' : v.kvBuffer ? 'b' : 1;
  const from = v.fromLayer ? `|from:${v.fromLayer}` : '';
  return `decoder|hooks:${flags(v.hooks)}|captures:${flags(v.captures)}|kv:${kv}|logits:${v.logits}${from}`;
}
