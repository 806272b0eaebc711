// The in-process model API: load a checkpoint, encode images into visual-token embeddings, run a
// batch of intervention variants over one prompt (forward with captures, teacher-forced scoring)
// and greedy generation with a KV cache in which the interventions stay active.
import { InvalidArgumentError } from '@locscope/server-kit';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint, type Checkpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { buildDecoderGraph } from '../graph/decoder-graph.ts';
import * as io from '../graph/decoder-io.ts';
import { EMBEDDINGS, INPUT_IDS, buildEmbedGraph } from '../graph/embed-graph.ts';
import { IMAGE_FEATURES, PIXEL_VALUES, buildVisionGraph, visionLayout } from '../graph/vision-graph.ts';
import { type Intervention, hookTensors, hooksNeeded, validateInterventions } from './interventions.ts';
import { KvBufferPool } from './kv-buffer-pool.ts';
import { planLayerSharing, type LayerSharingPlan } from './layer-sharing.ts';
import { rowNorms, tokenLogProb } from './log-probs.ts';
import { DEFAULT_SESSION_SETTINGS, type ExecutionProvider, type Precision, SessionCache } from './session.ts';

export interface LoadModelOptions {
  /** 'cpu' (default) or 'cuda' (needs onnxruntime-node's CUDA build; see the README). */
  executionProvider?: ExecutionProvider;
  /** Threads per operator (default: onnxruntime's choice, all cores). */
  intraOpNumThreads?: number;
  /**
   * The compute precision; undefined (auto): 'float16' for a checkpoint stored in float16 or
   * bfloat16 (config `torch_dtype`), else 'float32'. 'float16' prepares the weights in float16
   * (bf16 ones rounded; a value beyond float16's range fails naming its tensor) and computes in
   * float16 with float32 where Hugging Face keeps it in a half model (norm statistics, attention
   * softmax, RoPE tables, GELU/SiLU: graph/nn.ts, graph/rope.ts). 'float64' computes every graph
   * in double precision — slower, for parity runs where our rounding should not add to the
   * reference's. Inputs and outputs are float32 in every precision.
   */
  precision?: Precision;
  /**
   * Folder for the weights as the graphs use them (in the compute dtype, linear layers transposed),
   * written once per checkpoint version and dtype on first use and mapped by every session (see prepared-weights.ts).
   * Default: `$LOCSCOPE_CACHE_DIR/weights`, else `~/.cache/locscope/weights`.
   */
  cacheDir?: string;
  /**
   * Repack weights per graph variant for onnxruntime's MatMul kernels (default false). Measured on
   * the bench model: decode steps ~10 % and small batches (Score over a cached prefix) ~25 % faster,
   * at the price of a private copy of the weights in every graph variant's session (~250 MB each
   * there; ~28 GB each for a 7B model) instead of the shared mapped files.
   */
  prepackWeights?: boolean;
}
/** Idle KV-cache memory a model keeps for its next generate call (the bench model's batch of 1 needs 41 MB: the prompt's keys/values and the decode buffers). */
const KV_POOL_BYTES = 256 * 1024 * 1024;

export interface ModelInfo {
  family: Checkpoint['family'];
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
  vocab: number;
  imageTokenId: number;
  /** Visual tokens per view (LLaVA: 576 for 336 px; InternVL: 256 per 448 px tile). */
  imageTokensPerView: number;
  /** Token grid of one view [rows, cols]: token k of a view is at row k / cols, column k % cols. */
  imageGrid: [number, number];
  /** Pixel size [height, width] of one view. */
  imageSize: [number, number];
  eosTokenIds: number[];
}

/** A float32 tensor returned to callers: row-major data and its dims. */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export interface EncodedImage {
  views: number;
  tokensPerView: number;
  grid: [number, number];
  /** [views · tokensPerView, hidden]: the embeddings that replace the image tokens, view by view. */
  features: Float32Array;
  /** L2 norm of each visual token embedding. */
  norms: Float32Array;
  /** Vision intermediates (vision.hidden_states.i, projector_input, …) when requested. */
  captures: Record<string, TensorData>;
}

export interface DecoderRequest {
  /** [T, hidden] shared by every variant, or [B, T, hidden] one per variant (token replacement done by the caller). */
  inputsEmbeds: Float32Array;
  seqLen: number;
  /** One entry per batch row; {} is the unmodified run. */
  variants: Intervention[];
}

export interface ForwardRequest extends DecoderRequest {
  captures?: Partial<io.DecoderCaptures>;
  /** Logits for every position (default) or only the last. */
  logits?: 'all' | 'last';
}

export interface ForwardResult {
  /** [B, T | 1, vocab] */
  logits: TensorData;
  /** Capture outputs by name (hidden_states.i, layer_out.i, attn_pre_o_proj.i, attn_probs.i, rope_cos/sin). */
  captures: Record<string, TensorData>;
}

export interface ScoreRequest extends DecoderRequest {
  /** Teacher-forced targets: the token at `positions[k]` is `tokenIds[k]` (predicted from position − 1). */
  targets: { positions: number[]; tokenIds: number[] };
}

export interface GenerateRequest extends DecoderRequest {
  maxNewTokens: number;
  /** Stop tokens (default: the checkpoint's generation eos ids). */
  eosTokenIds?: number[];
}

export interface GenerateResult {
  /** Generated token ids per variant (ending with an eos id when one was produced). */
  tokens: number[][];
  /** log p of each generated token given everything before it (same shape as `tokens`). */
  logProbs: number[][];
}

/** KV-cache values in the model's compute dtype: float32, or float16 bit patterns. */
export type KvData = Float32Array | Uint16Array;

/** Keys and values of every layer for the first `length` positions of one sequence ([1, kvHeads, length, headDim] each). */
export interface KvCache {
  length: number;
  layers: { key: KvData; value: KvData }[];
}

/** `requested`, or the checkpoint's own precision: float16 for half-precision (fp16/bf16) checkpoints. */
export function resolvePrecision(checkpoint: Checkpoint, requested?: Precision): Precision {
  return requested ?? (checkpoint.config.dtype === 'F32' ? 'float32' : 'float16');
}

export class Model {
  readonly info: ModelInfo;
  /** The compute precision (resolved from the checkpoint when the options leave it out). */
  readonly precision: Precision;
  private readonly sessions: SessionCache;
  /** The prepared weight files every graph of this model points at. */
  private readonly weights: PreparedWeights;
  private readonly kvMemory = new KvBufferPool(KV_POOL_BYTES);

  constructor(readonly checkpoint: Checkpoint, options: LoadModelOptions = {}) {
    const { config } = checkpoint;
    const layout = visionLayout(config);
    this.info = {
      family: checkpoint.family,
      layers: config.text.numHiddenLayers,
      heads: config.text.numAttentionHeads,
      kvHeads: config.text.numKeyValueHeads,
      headDim: config.text.headDim,
      hidden: config.text.hiddenSize,
      vocab: config.text.vocabSize,
      imageTokenId: config.imageTokenId,
      imageTokensPerView: layout.tokensPerView,
      imageGrid: layout.grid,
      imageSize: layout.imageSize,
      eosTokenIds: checkpoint.generation.eosTokenIds,
    };
    this.precision = resolvePrecision(checkpoint, options.precision);
    // float64 graphs are float32 graphs promoted when their session loads (session.ts).
    this.weights = PreparedWeights.open(checkpoint.weights, options.cacheDir, this.precision === 'float16' ? 'float16' : 'float32');
    this.sessions = new SessionCache(this.weights, {
      ...DEFAULT_SESSION_SETTINGS,
      ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}),
      ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
      precision: this.precision,
      ...(options.prepackWeights ? { prepackWeights: true } : {}),
    });
  }

  /** pixelValues [views, 3, H, W] (already preprocessed) → visual-token embeddings, norms and layout. */
  async encodeImage(pixelValues: Float32Array, options: { captures?: boolean } = {}): Promise<EncodedImage> {
    const [height, width] = this.info.imageSize;
    const channels = this.checkpoint.config.vision.numChannels;
    const perView = channels * height * width;
    if (pixelValues.length === 0 || pixelValues.length % perView !== 0) {
      throw new InvalidArgumentError(`has ${pixelValues.length} values, not a positive multiple of ${channels}×${height}×${width}`, { field: 'pixel_values' });
    }
    const views = pixelValues.length / perView;
    const captures = options.captures ?? false;
    const session = await this.visionSession(captures);
    const out = await session.run({ [PIXEL_VALUES]: new ort.Tensor('float32', pixelValues, [views, channels, height, width]) });
    const features = out[IMAGE_FEATURES].data as Float32Array;
    const rest: Record<string, TensorData> = {};
    for (const name of session.outputNames) if (name !== IMAGE_FEATURES) rest[name] = tensorData(out[name]);
    return {
      views,
      tokensPerView: this.info.imageTokensPerView,
      grid: this.info.imageGrid,
      features,
      norms: rowNorms(features, this.info.hidden),
      captures: rest,
    };
  }

  /** Token embeddings [ids.length, hidden]. */
  async embed(ids: readonly number[]): Promise<Float32Array> {
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.info.vocab) throw new InvalidArgumentError(`token id ${id} is outside [0, ${this.info.vocab})`, { field: `input_ids[${i}]` });
    });
    return this.embedBatch(ids, [1, ids.length]);
  }

  /** Embeddings of `ids` with the image tokens' rows replaced, in order, by `imageFeatures` rows (HF's masked_scatter). */
  async embedWithImage(ids: readonly number[], imageFeatures: Float32Array): Promise<Float32Array> {
    const embeds = await this.embed(ids);
    const C = this.info.hidden;
    const slots = ids.flatMap((id, pos) => (id === this.info.imageTokenId ? [pos] : []));
    if (slots.length * C !== imageFeatures.length) {
      throw new InvalidArgumentError(`holds ${imageFeatures.length / C} visual tokens but input_ids has ${slots.length} image tokens (id ${this.info.imageTokenId})`, { field: 'image_features' });
    }
    slots.forEach((pos, k) => embeds.set(imageFeatures.subarray(k * C, (k + 1) * C), pos * C));
    return embeds;
  }

  async forward(request: ForwardRequest): Promise<ForwardResult> {
    const captures = { ...io.NO_CAPTURES, ...request.captures };
    const hooks = this.checkRequest(request, request.seqLen);
    const logits = request.logits ?? 'all';
    if (!Object.values(captures).some(Boolean)) return { logits: await this.logits(request, hooks, logits, {}), captures: {} };
    const { session, out } = await this.runWhole({ hooks, captures, kvCache: false, logits }, this.embedsFeed(request), request);
    const result: ForwardResult = { logits: tensorData(out[io.LOGITS]), captures: {} };
    for (const name of session.outputNames) if (name !== io.LOGITS) result.captures[name] = tensorData(out[name]);
    return result;
  }

  /**
   * One run of `graph` over the whole sequence: `input` (inputs_embeds, or the hidden state entering
   * graph.fromLayer), the hooks of `variants`, and `extra` feeds; `fetches` limits the outputs
   * handed back (each one is copied into JS memory).
   */
  private async runWhole(
    graph: io.DecoderVariant,
    input: Record<string, ort.Tensor>,
    { variants, seqLen }: { variants: readonly Intervention[]; seqLen: number },
    extra: Record<string, ort.Tensor> = {},
    fetches?: string[],
  ): Promise<{ session: ort.InferenceSession; out: ort.InferenceSession.OnnxValueMapType }> {
    const session = await this.decoder(graph);
    const feeds = { ...input, ...hookTensors(variants, this.dims(), { start: 0, length: seqLen }, graph.hooks), ...extra };
    return { session, out: await (fetches ? session.run(feeds, fetches) : session.run(feeds)) };
  }

  /**
   * Logits [B, …] of every variant, in request order: one batched run, or, when the variants
   * share one input and some start intervening after layer 0, a run that computes the layers
   * before each variant's group start once (see layer-sharing.ts).
   */
  private async logits(request: DecoderRequest, hooks: io.DecoderHooks, logits: 'all' | 'last' | 'positions', extra: Record<string, ort.Tensor>): Promise<TensorData> {
    const plan = this.sharesInput(request) ? planLayerSharing(request.variants, this.info.layers) : null;
    if (plan) return this.logitsSharingLayers(request, plan, logits, extra);
    const { out } = await this.runWhole({ hooks, captures: io.NO_CAPTURES, kvCache: false, logits }, this.embedsFeed(request), request, extra);
    return tensorData(out[io.LOGITS]);
  }

  private async logitsSharingLayers(request: DecoderRequest, plan: LayerSharingPlan, logits: 'all' | 'last' | 'positions', extra: Record<string, ort.Tensor>): Promise<TensorData> {
    const { seqLen, variants } = request;
    // Only the layer outputs a group starts from are handed back.
    const starts = plan.groups.filter((group) => group.fromLayer > 0).map((group) => io.layerOutName(group.fromLayer - 1));
    const cleanRun = { variants: [{}], seqLen };
    const { out: clean } = await this.runWhole(
      { hooks: io.NO_HOOKS, captures: { ...io.NO_CAPTURES, layerOutputs: starts.length > 0 }, kvCache: false, logits },
      this.embedsFeed({ ...request, ...cleanRun }),
      cleanRun,
      extra,
      [io.LOGITS, ...starts],
    );
    const cleanLogits = tensorData(clean[io.LOGITS]);
    const row = cleanLogits.data.length;
    const result = new Float32Array(variants.length * row);
    for (const r of plan.cleanRows) result.set(cleanLogits.data, r * row);
    for (const { fromLayer, rows } of plan.groups) {
      const group = { variants: rows.map((r) => variants[r]), seqLen };
      const input =
        fromLayer === 0
          ? this.embedsFeed({ ...request, ...group })
          : { [io.LAYER_INPUT]: new ort.Tensor('float32', repeatRows(clean[io.layerOutName(fromLayer - 1)].data as Float32Array, rows.length), [rows.length, seqLen, this.info.hidden]) };
      const { out } = await this.runWhole({ hooks: hooksNeeded(group.variants), captures: io.NO_CAPTURES, kvCache: false, logits, fromLayer }, input, group, extra);
      const data = out[io.LOGITS].data as Float32Array;
      rows.forEach((r, i) => result.set(data.subarray(i * row, (i + 1) * row), r * row));
    }
    return { data: result, dims: [variants.length, ...cleanLogits.dims.slice(1)] };
  }

  /** Per-variant log-probabilities of the target tokens (one value per target), batched in one run. */
  async score(request: ScoreRequest): Promise<Float32Array[]> {
    const { positions, tokenIds } = request.targets;
    if (positions.length !== tokenIds.length) {
      throw new InvalidArgumentError(`has ${tokenIds.length} ids for ${positions.length} positions`, { field: 'targets.token_ids' });
    }
    positions.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 1 || p >= request.seqLen) throw new InvalidArgumentError(`position ${p} is outside [1, ${request.seqLen})`, { field: `targets.positions[${i}]` });
    });
    tokenIds.forEach((t, i) => {
      if (!Number.isInteger(t) || t < 0 || t >= this.info.vocab) throw new InvalidArgumentError(`token id ${t} is outside [0, ${this.info.vocab})`, { field: `targets.token_ids[${i}]` });
    });
    const hooks = this.checkRequest(request, request.seqLen);
    const { data: logits } = await this.logits(request, hooks, 'positions', { [io.LOGIT_POSITIONS]: int64Tensor(positions.map((p) => p - 1), [positions.length]) });
    const V = this.info.vocab;
    const K = positions.length;
    return request.variants.map((_, b) => Float32Array.from(tokenIds, (t, k) => tokenLogProb(logits, (b * K + k) * V, V, t)));
  }

  /**
   * Greedy decoding of every variant in one batch; interventions apply to the prompt and to every
   * new token. The prompt runs once with an empty past; its keys/values and each new token's are
   * then written into fixed-capacity buffers that every decode step reads in place (the step's
   * graph returns only its own keys/values, into small preallocated outputs), so no step copies
   * the cache or hands it across the JS boundary.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (!Number.isInteger(request.maxNewTokens) || request.maxNewTokens < 1) {
      throw new InvalidArgumentError(`must be a positive integer, got ${request.maxNewTokens}`, { field: 'max_new_tokens' });
    }
    const hooks = this.checkRequest(request, request.seqLen + request.maxNewTokens);
    const graph = { hooks, captures: io.NO_CAPTURES, kvCache: true, logits: 'greedy' } as const;
    const [promptSession, stepSession] = await Promise.all([
      this.decoder(graph),
      request.maxNewTokens > 1 ? this.decoder({ ...graph, kvBuffer: true }) : null,
    ]);
    const { variants, seqLen } = request;
    const B = variants.length;
    const eos = new Set(request.eosTokenIds ?? this.info.eosTokenIds);
    const dims = this.dims();
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
    // The prompt's keys/values go to preallocated outputs in one pooled block with the decode buffers
    // (faster than outputs onnxruntime allocates: median prompt run 167 vs 204 ms on the bench model).
    // onnxruntime-node 1.30 still hands every output back as a fresh copy, which is what writeKv
    // reads; that copy is why decode steps return only their own keys/values.
    const { sets, memory } = this.kvBuffers(B, stepSession ? [seqLen, keys] : [seqLen]);
    const [promptKv, cache] = sets;
    try {
      const prompt = await promptSession.run(
        { ...this.embedsFeed(request), ...hookTensors(variants, dims, { start: 0, length: seqLen }, hooks), ...this.pastFeeds(null, B) },
        greedyFetches(promptKv, dims.layers),
      );
      let next = take(prompt);
      if (!stepSession || !next) return { tokens, logProbs };
      this.writeKv(cache, prompt, 0);
      // Each decode step's own keys/values: small outputs reused from step to step.
      const stepFetches = greedyFetches(this.kvBuffers(B, [1], { pooled: false }).sets[0], dims.layers);
      for (let position = seqLen; next && position < keys; position++) {
        const out = await stepSession.run(
          {
            [io.INPUTS_EMBEDS]: new ort.Tensor('float32', await this.embedBatch(next, [B, 1]), [B, 1, this.info.hidden]),
            ...hookTensors(variants, dims, { start: position, length: 1, keys }, hooks),
            ...cache,
            [io.PAST_LENGTH]: int64Tensor([position], []),
          },
          stepFetches,
        );
        this.writeKv(cache, out, position);
        next = take(out);
      }
    } finally {
      this.kvMemory.give(memory);
    }
    return { tokens, logProbs };
  }

  /** Copies a run's present keys/values [B, KVH, T, D] into the KV buffers at slots `at`..`at`+T. */
  private writeKv(buffers: Record<string, ort.Tensor>, out: ort.InferenceSession.OnnxValueMapType, at: number): void {
    const { layers, headDim } = this.info;
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
  private kvBuffers(batch: number, lengths: number[], { pooled = true } = {}): { sets: Record<string, ort.Tensor>[]; memory: Float32Array } {
    const { kvHeads, headDim, layers } = this.info;
    const row = batch * kvHeads * headDim;
    const total = 2 * layers * row * lengths.reduce((a, b) => a + b, 0);
    const half = this.weights.dtype === 'float16';
    // The pool deals in floats: float16 values take half as many.
    const floats = half ? Math.ceil(total / 2) : total;
    const memory = pooled ? this.kvMemory.take(floats) : new Float32Array(floats);
    const values: KvData = half ? new Uint16Array(memory.buffer, memory.byteOffset, total) : memory;
    let offset = 0;
    const tensor = (length: number) => {
      const view = values.subarray(offset, offset + row * length);
      offset += view.length;
      return new ort.Tensor(this.weights.dtype, view, [batch, kvHeads, length, headDim]);
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

  /**
   * KV cache of the clean run over `inputsEmbeds` [seqLen, hidden] (batch 1, no hooks): the prefix
   * every variant shares when its interventions only change later positions (attention is causal).
   */
  async prefill(inputsEmbeds: Float32Array, seqLen: number): Promise<KvCache> {
    this.checkRequest({ inputsEmbeds, seqLen, variants: [{}] }, seqLen);
    const session = await this.decoder({ hooks: io.NO_HOOKS, captures: io.NO_CAPTURES, kvCache: true, logits: 'last' });
    const out = await session.run({ ...this.embedsFeed({ inputsEmbeds, seqLen, variants: [{}] }), ...this.pastFeeds(null, 1) });
    const layers = Array.from({ length: this.info.layers }, (_, l) => ({
      key: out[io.presentKey(l)].data as KvData,
      value: out[io.presentValue(l)].data as KvData,
    }));
    return { length: seqLen, layers };
  }

  /**
   * `score` for a batch whose interventions all start at or after `prefix.length`: only the suffix
   * positions run, on top of the shared prefix cache. `inputsEmbeds`/`seqLen` cover the suffix;
   * intervention and target positions stay absolute. Equals `score` over the whole sequence.
   */
  async scoreSuffix(request: ScoreRequest & { prefix: KvCache }): Promise<Float32Array[]> {
    const { prefix, seqLen, variants } = request;
    const start = prefix.length;
    const { positions, tokenIds } = request.targets;
    positions.forEach((p, i) => {
      if (!Number.isInteger(p) || p - 1 < start || p >= start + seqLen) {
        throw new InvalidArgumentError(`position ${p} is outside [${start + 1}, ${start + seqLen})`, { field: `targets.positions[${i}]` });
      }
    });
    const hooks = this.checkRequest(request, start + seqLen);
    const session = await this.decoder({ hooks, captures: io.NO_CAPTURES, kvCache: true, presentOutputs: false, logits: 'positions' });
    const out = await session.run({
      ...this.embedsFeed(request),
      ...hookTensors(variants, this.dims(), { start, length: seqLen }, hooks),
      ...this.pastFeeds(prefix, 1),
      [io.LOGIT_POSITIONS]: int64Tensor(positions.map((p) => p - 1 - start), [positions.length]),
    });
    const logits = out[io.LOGITS].data as Float32Array;
    const V = this.info.vocab;
    const K = positions.length;
    return variants.map((_, b) => Float32Array.from(tokenIds, (t, k) => tokenLogProb(logits, (b * K + k) * V, V, t)));
  }

  /** past_key/value feeds: `prefix` repeated for each of `batch` rows, or empty (length 0). */
  private pastFeeds(prefix: KvCache | null, batch: number): Record<string, ort.Tensor> {
    const { kvHeads, headDim, layers } = this.info;
    const P = prefix?.length ?? 0;
    const feeds: Record<string, ort.Tensor> = {};
    const empty = this.weights.dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0);
    const tile = (rows: KvData | undefined) => new ort.Tensor(this.weights.dtype, repeatRows(rows ?? empty, batch), [batch, kvHeads, P, headDim]);
    for (let l = 0; l < layers; l++) {
      feeds[io.pastKey(l)] = tile(prefix?.layers[l].key);
      feeds[io.pastValue(l)] = tile(prefix?.layers[l].value);
    }
    return feeds;
  }

  /**
   * A session for an extra graph over this model's weights (e.g. the attribution graph), built once
   * per key by `build` from the model's prepared weights.
   */
  graphSession(key: string, build: (weights: PreparedWeights) => Uint8Array): Promise<ort.InferenceSession> {
    return this.sessions.get(key, () => build(this.weights));
  }

  /**
   * Builds and loads the graphs every request needs (vision encoder, embeddings, the decoder
   * without hooks), writing the model's prepared weight files on the way: a server calls it
   * before it reports SERVING, so that no request waits for the weights' preparation.
   */
  async warmUp(): Promise<void> {
    await Promise.all([this.visionSession(false), this.embedSession(), this.decoder({ hooks: io.NO_HOOKS, captures: io.NO_CAPTURES, kvCache: false, logits: 'last' })]);
  }

  /** Number of graph variants built and loaded so far. */
  get loadedGraphs(): number {
    return this.sessions.size;
  }

  async dispose(): Promise<void> {
    await this.sessions.dispose();
  }

  private dims() {
    return { layers: this.info.layers, heads: this.info.heads, headDim: this.info.headDim };
  }

  private decoder(variant: io.DecoderVariant): Promise<ort.InferenceSession> {
    return this.sessions.get(io.decoderVariantKey(variant), () =>
      buildDecoderGraph(this.checkpoint.config.text, this.weights, variant).bytes,
    );
  }

  private visionSession(captures: boolean): Promise<ort.InferenceSession> {
    return this.sessions.get(`vision|captures:${captures ? 1 : 0}`, () => buildVisionGraph(this.checkpoint.config, this.weights, { captures }).bytes);
  }

  private embedSession(): Promise<ort.InferenceSession> {
    return this.sessions.get('embed', () => buildEmbedGraph(this.checkpoint.config.text, this.weights).bytes);
  }

  private async embedBatch(ids: readonly number[], dims: [number, number]): Promise<Float32Array> {
    const session = await this.embedSession();
    const out = await session.run({ [INPUT_IDS]: int64Tensor(ids, dims) });
    return out[EMBEDDINGS].data as Float32Array;
  }

  /** Validates the shared request fields; returns the hook inputs the variants need. */
  private checkRequest(request: DecoderRequest, maxPosition: number): io.DecoderHooks {
    const { seqLen, variants, inputsEmbeds } = request;
    if (!Number.isInteger(seqLen) || seqLen < 1) throw new InvalidArgumentError(`must be a positive integer, got ${seqLen}`, { field: 'seq_len' });
    if (variants.length < 1) throw new InvalidArgumentError('needs at least one variant ({} is the unmodified run)', { field: 'variants' });
    const row = seqLen * this.info.hidden;
    if (inputsEmbeds.length !== row && inputsEmbeds.length !== row * variants.length) {
      throw new InvalidArgumentError(
        `has ${inputsEmbeds.length} values; expected ${row} ([${seqLen}, ${this.info.hidden}]) or ${row * variants.length} ([${variants.length}, ${seqLen}, ${this.info.hidden}])`,
        { field: 'inputs_embeds' },
      );
    }
    validateInterventions(variants, this.dims(), maxPosition);
    return hooksNeeded(variants);
  }

  /** Whether the request gives one input [T, hidden] for every variant (rather than one per variant). */
  private sharesInput(request: DecoderRequest): boolean {
    return request.inputsEmbeds.length === request.seqLen * this.info.hidden;
  }

  private embedsFeed(request: DecoderRequest): Record<string, ort.Tensor> {
    const B = request.variants.length;
    const data = this.sharesInput(request) ? repeatRows(request.inputsEmbeds, B) : request.inputsEmbeds;
    return { [io.INPUTS_EMBEDS]: new ort.Tensor('float32', data, [B, request.seqLen, this.info.hidden]) };
  }
}

/** Loads a Hugging Face checkpoint directory (LLaVA-1.5 or InternVL-3.5 layout); graphs are built on first use. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<Model> {
  return new Model(loadCheckpoint(dir), options);
}

function tensorData(t: ort.OnnxValue): TensorData {
  const tensor = t as ort.Tensor;
  return { data: tensor.data as Float32Array, dims: [...tensor.dims] };
}

/** Fetches of a greedy KV-cache run: the next token and its log-probability, and each layer's present keys/values into `kv` (keyed by past input names). */
function greedyFetches(kv: Record<string, ort.Tensor>, layers: number): Record<string, ort.Tensor | null> {
  const fetches: Record<string, ort.Tensor | null> = { [io.NEXT_TOKEN]: null, [io.NEXT_LOG_PROB]: null };
  for (let l = 0; l < layers; l++) {
    fetches[io.presentKey(l)] = kv[io.pastKey(l)];
    fetches[io.presentValue(l)] = kv[io.pastValue(l)];
  }
  return fetches;
}

/** `row` repeated `count` times (the row itself when count is 1). */
function repeatRows<T extends KvData>(row: T, count: number): T {
  if (count === 1) return row;
  const data = (row instanceof Float32Array ? new Float32Array(row.length * count) : new Uint16Array(row.length * count)) as T;
  for (let b = 0; b < count; b++) data.set(row, b * row.length);
  return data;
}

function int64Tensor(values: readonly number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}
