// One run of a model's decoder graph: the feeds for a batch of rows at one step — the switches,
// KV buffers and hook inputs the graph always takes (graph/decoder-io.ts) — and which outputs to
// fetch (onnxruntime-node copies every fetched output into JS memory, so a run fetches only what
// its caller reads).
import * as ort from 'onnxruntime-node';
import * as io from '../graph/decoder-io.ts';
import type { Intervention, ModelDims } from '../interventions/intervention.ts';
import { hookTensors } from './hook-tensors.ts';

/** KV-cache values in the model's compute dtype: float32, or float16 bit patterns. */
export type KvData = Float32Array | Uint16Array;

export interface DecoderShape extends ModelDims {
  kvHeads: number;
  /** The KV cache's element type: the compute dtype (float16 values as Uint16Array bit patterns). */
  kvDtype: 'float32' | 'float16';
}

/** The layers whose captures a run returns, per kind (hidden states: 0..L). */
export interface CaptureLayers {
  hiddenStates?: readonly number[];
  layerOutputs?: readonly number[];
  attnPreOProj?: readonly number[];
  attnProbs?: readonly number[];
}

export interface DecoderRun {
  /** [B, T, hidden] row-major: the hidden state entering `startLayer` (the input embeddings at 0). */
  input: Float32Array;
  /** One per batch row: the interventions, at absolute positions. */
  variants: readonly Intervention[];
  seqLen: number;
  /** Layers before it pass the input through (default 0). */
  startLayer?: number;
  /**
   * KV buffers by past input name ([B|1, KVH, capacity, D]) whose first `pastLength` slots are
   * filled; the run's queries sit at positions pastLength.. . Absent: no past.
   */
  past?: { buffers: Record<string, ort.Tensor>; length: number };
  /** Output this run's keys/values (present_key/value.i). */
  outputPresent?: boolean;
  /** Query rows (of this run) the last layer computes; the logits come from these. */
  lastLayerRows: readonly number[];
  /** Indices into lastLayerRows of the rows whose logits are computed. */
  logitRows: readonly number[];
  captures?: CaptureLayers;
}

/** Every input of the decoder graph for `run`. */
export function decoderFeeds(run: DecoderRun, shape: DecoderShape): Record<string, ort.Tensor> {
  const { layers: L, kvHeads, headDim, hidden, kvDtype } = shape;
  const B = run.variants.length;
  const start = run.past?.length ?? 0;
  const capacity = run.past ? run.past.buffers[io.pastKey(0)].dims[2] : 0;
  const none = new ort.Tensor(kvDtype, kvDtype === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, kvHeads, 0, headDim]);
  const pastFeeds: Record<string, ort.Tensor> = {};
  for (let l = 0; l < L; l++) {
    pastFeeds[io.pastKey(l)] = run.past?.buffers[io.pastKey(l)] ?? none;
    pastFeeds[io.pastValue(l)] = run.past?.buffers[io.pastValue(l)] ?? none;
  }
  const switches = (count: number, on: readonly number[] = []) => {
    const flags = new Uint8Array(count);
    for (const i of on) flags[i] = 1;
    return new ort.Tensor('bool', flags, [count]);
  };
  return {
    [io.INPUTS_EMBEDS]: new ort.Tensor('float32', run.input, [B, run.seqLen, hidden]),
    [io.START_LAYER]: int64Tensor([run.startLayer ?? 0], []),
    [io.PAST_LENGTH]: int64Tensor([start], []),
    ...pastFeeds,
    ...hookTensors(run.variants, shape, { start, length: run.seqLen, keys: Math.max(capacity, start + run.seqLen) }),
    [io.OUTPUT_PRESENT]: new ort.Tensor('bool', new Uint8Array([run.outputPresent ? 1 : 0]), []),
    [io.LAST_LAYER_ROWS]: int64Tensor(run.lastLayerRows, [run.lastLayerRows.length]),
    [io.LOGIT_ROWS]: int64Tensor(run.logitRows, [run.logitRows.length]),
    [io.CAPTURE_HIDDEN_STATES]: switches(L + 1, run.captures?.hiddenStates),
    [io.CAPTURE_LAYER_OUTPUTS]: switches(L, run.captures?.layerOutputs),
    [io.CAPTURE_ATTN_PRE_O_PROJ]: switches(L, run.captures?.attnPreOProj),
    [io.CAPTURE_ATTN_PROBS]: switches(L, run.captures?.attnProbs),
  };
}

/** The output names of `captures`. */
export function captureNames(captures: CaptureLayers): string[] {
  return [
    ...(captures.hiddenStates ?? []).map(io.hiddenStateName),
    ...(captures.layerOutputs ?? []).map(io.layerOutName),
    ...(captures.attnPreOProj ?? []).map(io.attnPreOProjName),
    ...(captures.attnProbs ?? []).map(io.attnProbsName),
  ];
}

/** 0, 1, …, n − 1. */
export function upTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export function int64Tensor(values: readonly number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}
