// Greedy decoding over KV buffers. The prompt runs once with no past; its keys/values and each new
// token's are then written into fixed-capacity buffers that every decode step reads in place (the
// decoder returns only the step's own keys/values, into small preallocated outputs), so no step
// copies the cache or hands it across the JS boundary. Interventions stay active at every step.
import * as ort from 'onnxruntime-node';
import * as io from '../graph/decoder-io.ts';
import type { DecoderRun, DecoderShape, KvData } from './decoder-run.ts';
import type { Intervention } from '../interventions/intervention.ts';
import type { KvBufferPool } from './kv-buffer-pool.ts';

export interface GenerateResult {
  /** Generated token ids per variant (ending with an eos id when one was produced). */
  tokens: number[][];
  /** log p of each generated token given everything before it (same shape as `tokens`). */
  logProbs: number[][];
}

/** What decoding needs of a model: its decoder runs, token embeddings and KV memory. */
export interface Decoding {
  shape: DecoderShape;
  run(run: DecoderRun, fetches: Record<string, ort.Tensor | null>): Promise<ort.InferenceSession.OnnxValueMapType>;
  /** Embeddings [dims[0], dims[1], hidden] of token ids. */
  embed(ids: readonly number[], dims: [number, number]): Promise<Float32Array>;
  kvMemory: KvBufferPool;
}

export interface GreedyRequest {
  /** [B, T, hidden], one row per variant. */
  inputsEmbeds: Float32Array;
  seqLen: number;
  variants: readonly Intervention[];
  maxNewTokens: number;
  eosTokenIds: readonly number[];
}

/** Greedy decoding of every variant in one batch (the request is validated by the caller). */
export async function generateGreedy(model: Decoding, request: GreedyRequest): Promise<GenerateResult> {
  const { variants, seqLen } = request;
  const B = variants.length;
  const eos = new Set(request.eosTokenIds);
  const tokens: number[][] = variants.map(() => []);
  const logProbs: number[][] = variants.map(() => []);
  const done = variants.map(() => false);
  /** Records each unfinished row's token; returns the tokens to feed next, or null once every row is done. */
  const take = (out: ort.InferenceSession.OnnxValueMapType): number[] | null => {
    const next = Array.from(out[io.NEXT_TOKEN].data as BigInt64Array, Number);
    const nextLogProbs = out[io.NEXT_LOG_PROB].data as Float32Array;
    next.forEach((t, b) => {
      if (done[b]) return;
      tokens[b].push(t);
      logProbs[b].push(nextLogProbs[b]);
      if (eos.has(t)) done[b] = true;
    });
    return done.every(Boolean) ? null : next;
  };

  // Slots ever filled: the prompt and every generated token but the last.
  const keys = seqLen + request.maxNewTokens - 1;
  const decodes = request.maxNewTokens > 1;
  // The prompt's keys/values go to preallocated outputs in one pooled block with the decode buffers
  // (faster than outputs onnxruntime allocates: median prompt run 167 vs 204 ms on the bench model).
  // onnxruntime-node 1.30 still hands every output back as a fresh copy, which is what writeKv
  // reads; that copy is why decode steps return only their own keys/values.
  const { sets, memory } = kvBuffers(model, B, decodes ? [seqLen, keys] : [seqLen]);
  const [promptKv, cache] = sets;
  const common = { variants, outputPresent: true, lastLayerRows: [] as number[], logitRows: [0] };
  try {
    const prompt = await model.run({ ...common, input: request.inputsEmbeds, seqLen, lastLayerRows: [seqLen - 1] }, greedyFetches(promptKv, model.shape.layers));
    let next = take(prompt);
    if (!decodes || !next) return { tokens, logProbs };
    writeKv(model.shape, cache, prompt, 0);
    // Each decode step's own keys/values: small outputs reused from step to step.
    const stepFetches = greedyFetches(kvBuffers(model, B, [1], { pooled: false }).sets[0], model.shape.layers);
    for (let position = seqLen; next && position < keys; position++) {
      const out = await model.run(
        { ...common, input: await model.embed(next, [B, 1]), seqLen: 1, lastLayerRows: [0], past: { buffers: cache, length: position } },
        stepFetches,
      );
      writeKv(model.shape, cache, out, position);
      next = take(out);
    }
  } finally {
    model.kvMemory.give(memory);
  }
  return { tokens, logProbs };
}

/** Copies a run's present keys/values [B, KVH, T, D] into the KV buffers at slots `at`..`at`+T. */
function writeKv({ layers, headDim }: DecoderShape, buffers: Record<string, ort.Tensor>, out: ort.InferenceSession.OnnxValueMapType, at: number): void {
  for (let l = 0; l < layers; l++) {
    for (const [past, present] of [[io.pastKey(l), io.presentKey(l)], [io.pastValue(l), io.presentValue(l)]]) {
      const buffer = buffers[past];
      const fresh = out[present] as ort.Tensor;
      const rows = fresh.dims[0] * fresh.dims[1];
      const span = fresh.dims[2] * headDim;
      const capacity = buffer.dims[2] * headDim;
      const from = fresh.data as KvData;
      const to = buffer.data as KvData;
      for (let r = 0; r < rows; r++) to.set(from.subarray(r * span, (r + 1) * span), r * capacity + at * headDim);
    }
  }
}

/**
 * For each of `lengths`, zeroed KV tensors [batch, kvHeads, length, headDim] per layer keyed by
 * their past input names, in the compute dtype: views on one block, `memory`, taken from the pool
 * (the caller gives it back) unless `pooled` is false.
 */
function kvBuffers(model: Decoding, batch: number, lengths: number[], { pooled = true } = {}): { sets: Record<string, ort.Tensor>[]; memory: Float32Array } {
  const { kvHeads, headDim, layers, kvDtype } = model.shape;
  const row = batch * kvHeads * headDim;
  const total = 2 * layers * row * lengths.reduce((a, b) => a + b, 0);
  const half = kvDtype === 'float16';
  // The pool deals in floats: float16 values take half as many.
  const floats = half ? Math.ceil(total / 2) : total;
  const memory = pooled ? model.kvMemory.take(floats) : new Float32Array(floats);
  const values: KvData = half ? new Uint16Array(memory.buffer, memory.byteOffset, total) : memory;
  let offset = 0;
  const tensor = (length: number) => {
    const view = values.subarray(offset, offset + row * length);
    offset += view.length;
    return new ort.Tensor(kvDtype, view, [batch, kvHeads, length, headDim]);
  };
  const sets = lengths.map((length) => {
    const set: Record<string, ort.Tensor> = {};
    for (let l = 0; l < layers; l++) {
      set[io.pastKey(l)] = tensor(length);
      set[io.pastValue(l)] = tensor(length);
    }
    return set;
  });
  return { sets, memory };
}

/** Fetches of a greedy run: the next token and its log-probability, and each layer's present keys/values into `kv` (keyed by past input names). */
function greedyFetches(kv: Record<string, ort.Tensor>, layers: number): Record<string, ort.Tensor | null> {
  const fetches: Record<string, ort.Tensor | null> = { [io.NEXT_TOKEN]: null, [io.NEXT_LOG_PROB]: null };
  for (let l = 0; l < layers; l++) {
    fetches[io.presentKey(l)] = kv[io.pastKey(l)];
    fetches[io.presentValue(l)] = kv[io.pastValue(l)];
  }
  return fetches;
}
