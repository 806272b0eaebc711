// Names and shapes of the decoder graph's inputs and outputs: the intervention hooks of DESIGN §3,
// the KV buffers, the switches that select what one run computes, and the captures. Shared by the
// graph builder and the runtime that feeds it. Every input is always fed (a hook not in use gets
// a tiny no-op value, a switch its off state), so one graph — one session holding the weights —
// serves every request.

/** [B, T, C] the hidden state entering layer START_LAYER (the input embeddings when it is 0). */
export const INPUTS_EMBEDS = 'inputs_embeds';
/** int64 scalar: layers before it pass their input through (variants that share the layers before it). */
export const START_LAYER = 'start_layer';
/**
 * Attention knockout in factored form: R terms per layer and row, term r blocking every query it
 * marks in KNOCKOUT_QUERIES [L, B|1, T, R] from every key it marks in KNOCKOUT_KEYS [L, B|1, R, S]
 * (1 = marked, 0 = not; S ≥ the buffers' capacity and PAST_LENGTH + T, keys by absolute position).
 * The graph expands them per layer into HF's additive float32-min bias, so what is fed grows with
 * L·(T + S), never with T·S. The causal mask applies regardless.
 */
export const KNOCKOUT_QUERIES = 'knockout_queries';
export const KNOCKOUT_KEYS = 'knockout_keys';
/** [L, B|1, H] multiplies each head's output before o_proj (0 = ablation, 1 = identity). */
export const HEAD_SCALE = 'head_scale';
/** [L, B|1, T|1, H, D] replacement head outputs, used where HEAD_PATCH_MASK [L, B|1, T|1, H] is non-zero. */
export const HEAD_PATCH = 'head_patch';
export const HEAD_PATCH_MASK = 'head_patch_mask';
/**
 * past_key/value.i [B|1, KVH, capacity, D]: fixed-capacity KV buffers whose first PAST_LENGTH slots
 * are filled (capacity 0: no past). Batch 1 is one shared prefix that every row attends. The
 * graph only reads them; the caller writes each run's present keys/values into them.
 */
export const pastKey = (layer: number) => `past_key.${layer}`;
export const pastValue = (layer: number) => `past_value.${layer}`;
/** int64 scalar: slots already filled in the KV buffers (the first query's position). */
export const PAST_LENGTH = 'past_length';
/** bool scalar: output this run's keys/values (present_key/value.i [B, KVH, T, D]); else they are empty. */
export const OUTPUT_PRESENT = 'output_present';
export const presentKey = (layer: number) => `present_key.${layer}`;
export const presentValue = (layer: number) => `present_value.${layer}`;
/**
 * int64 [Q]: the query rows (positions of this run) the last layer computes. Its other rows feed
 * nothing but captures (its keys and values still span every position), so a run that needs the
 * logits of a few positions computes only those rows there: ~1/L of a prompt's forward.
 */
export const LAST_LAYER_ROWS = 'last_layer_rows';
/** int64 [K]: indices into LAST_LAYER_ROWS of the rows whose logits are computed. */
export const LOGIT_ROWS = 'logit_rows';
/** [B, K, vocab] */
export const LOGITS = 'logits';
/** [B, K] int64 argmax token of each logit row (the first on ties), and [B, K] its log-probability. */
export const NEXT_TOKEN = 'next_token';
export const NEXT_LOG_PROB = 'next_log_prob';
/**
 * [K] int64 positions whose logits the gradient graph computes (it has no switches: the last layer
 * computes only these rows).
 */
export const LOGIT_POSITIONS = 'logit_positions';

/** Capture switches: bool [L + 1] for hidden states, bool [L] for the others; an unselected capture output is empty. */
export const CAPTURE_HIDDEN_STATES = 'capture_hidden_states';
export const CAPTURE_LAYER_OUTPUTS = 'capture_layer_outputs';
export const CAPTURE_ATTN_PRE_O_PROJ = 'capture_attn_pre_o_proj';
export const CAPTURE_ATTN_PROBS = 'capture_attn_probs';

/** Capture outputs, named like the HF parity references. */
export const hiddenStateName = (i: number) => `hidden_states.${i}`;
export const layerOutName = (i: number) => `layer_out.${i}`;
export const attnPreOProjName = (i: number) => `attn_pre_o_proj.${i}`;
export const attnProbsName = (i: number) => `attn_probs.${i}`;
/** [1, T, D] RoPE tables of this run's positions (always output: they are tiny). */
export const ROPE_COS = 'rope_cos';
export const ROPE_SIN = 'rope_sin';

export interface DecoderCaptures {
  /** hidden_states.0..L (0 = input embeddings, L = final norm output). */
  hiddenStates: boolean;
  /** layer_out.i: raw output of layer i. */
  layerOutputs: boolean;
  /** attn_pre_o_proj.i [B, T, H·D]: o_proj input after hooks. */
  attnPreOProj: boolean;
  /** attn_probs.i [B, H, T, S] (over a filled KV buffer: its slots, then this run's keys). */
  attnProbs: boolean;
  /** rope_cos/rope_sin [1, T, D]. */
  rope: boolean;
}

export const NO_CAPTURES: DecoderCaptures = { hiddenStates: false, layerOutputs: false, attnPreOProj: false, attnProbs: false, rope: false };
