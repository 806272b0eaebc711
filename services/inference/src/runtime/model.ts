// The in-process model API: load a checkpoint, encode images into visual-token embeddings, run a
// batch of intervention variants over one prompt (forward with captures, teacher-forced scoring)
// and greedy generation with a KV cache in which the interventions stay active.
import { InvalidArgumentError } from '@locscope/server-kit';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint, type Checkpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { DECODER_GRAPH_KEY, buildDecoderGraph } from '../graph/decoder-graph.ts';
import * as io from '../graph/decoder-io.ts';
import { EMBEDDINGS, INPUT_IDS, buildEmbedGraph } from '../graph/embed-graph.ts';
import { IMAGE_FEATURES, PIXEL_VALUES, buildVisionGraph, visionLayout } from '../graph/vision-graph.ts';
import { captureNames, decoderFeeds, int64Tensor, upTo, type CaptureLayers, type DecoderRun, type DecoderShape, type KvData } from './decoder-run.ts';
import { generateGreedy, type GenerateResult } from './generation.ts';
import { type Intervention, type ModelDims, validateInterventions } from '../interventions/intervention.ts';
import { KvBufferPool } from './kv-buffer-pool.ts';
import { planLayerSharing } from './layer-sharing.ts';
import { rowNorms, tokenLogProb } from './log-probs.ts';
import { DEFAULT_SESSION_SETTINGS, type ExecutionProvider, type GraphSessionOptions, type Precision, SessionCache } from './session.ts';
import { countForward } from '../telemetry.ts';

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
   * Repack weights for onnxruntime's MatMul kernels (default false). Measured on the bench model
   * (when each kind of request had its own graph): decode steps ~10 % and small batches (Score over
   * a cached prefix) ~25 % faster, at the price of a private copy of the weights in each session
   * holding them (~250 MB there; ~28 GB for a 7B model) instead of the mapped files.
   */
  prepackWeights?: boolean;
  /**
   * Bytes of decoder activations one batched run may hold (default DEFAULT_ACTIVATION_BUDGET_BYTES).
   * Score runs its variants in chunks of as many rows as fit (activationBytesPerRow), one after
   * another: the same log-probs, peak memory bounded by the budget instead of growing with the
   * number of variants (InternVL's 1,840-token rows need ≈ 1 GB each).
   */
  activationBudgetBytes?: number;
}
/**
 * 2 GiB: 15 LLaVA-1.5-7B rows at its ~620-token prompts (0.14 GB each: the paper's 8-variant
 * Score stays one run) and 2 InternVL-3.5-8B rows at 1,840 tokens (1.0 GB each), on a 24 GB
 * machine that also maps 14–17 GB of float16 weights.
 */
export const DEFAULT_ACTIVATION_BUDGET_BYTES = 2 * 1024 ** 3;
/** Weight names of the decoder's layers: a session holding any holds a copy of the decoder's weights. */
const DECODER_LAYERS = 'model.language_model.layers.';
/** Idle KV-cache memory a model keeps for its next generate call (the bench model's batch of 1 needs 41 MB: the prompt's keys/values and the decode buffers). */
const KV_POOL_BYTES = 256 * 1024 * 1024;

/** What callers need to know of a loaded model: the dimensions interventions address, and more. */
export interface ModelInfo extends ModelDims {
  family: Checkpoint['family'];
  kvHeads: number;
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
  /** One entry per batch row; {} is the unmodified run. Checked unless already checked (interventions/intervention.ts). */
  variants: readonly Intervention[];
}

export interface ForwardRequest extends DecoderRequest {
  captures?: Partial<io.DecoderCaptures>;
  /** Logits for every position (default), only the last, or at the listed positions (in order). */
  logits?: 'all' | 'last' | number[];
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

export type { GenerateResult };

export type { KvData };

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
  private readonly activationBudgetBytes: number;

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
    const budget = options.activationBudgetBytes ?? DEFAULT_ACTIVATION_BUDGET_BYTES;
    if (!Number.isFinite(budget) || budget <= 0) throw new InvalidArgumentError(`must be a positive number of bytes, got ${budget}`, { field: 'activation_budget_bytes' });
    this.activationBudgetBytes = budget;
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
    countForward('vision', views);
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
    this.checkRequest(request, request.seqLen);
    const T = request.seqLen;
    const logits = request.logits ?? 'all';
    const rows = logits === 'all' ? upTo(T) : logits === 'last' ? [T - 1] : logits;
    rows.forEach((p, i) => {
      if (!Number.isInteger(p) || p < 0 || p >= T) throw new InvalidArgumentError(`position ${p} is outside [0, ${T})`, { field: `logits[${i}]` });
    });
    const layers = Object.values(captures).some(Boolean) ? this.captureLayers(captures) : null;
    if (!layers) return { logits: await this.logits(request, rows, {}), captures: {} };
    // Captures need every row of the last layer; the logits come from the chosen ones.
    const names = captureNames(layers);
    if (captures.rope) names.push(io.ROPE_COS, io.ROPE_SIN);
    const out = await this.runDecoder(
      { input: this.embedsFor(request), variants: request.variants, seqLen: T, lastLayerRows: upTo(T), logitRows: rows, captures: layers },
      [io.LOGITS, ...names],
    );
    const result: ForwardResult = { logits: tensorData(out[io.LOGITS]), captures: {} };
    for (const name of names) result.captures[name] = tensorData(out[name]);
    return result;
  }

  /** Every layer of each capture kind that is on. */
  private captureLayers(captures: io.DecoderCaptures): CaptureLayers {
    const L = this.info.layers;
    return {
      hiddenStates: captures.hiddenStates ? upTo(L + 1) : [],
      layerOutputs: captures.layerOutputs ? upTo(L) : [],
      attnPreOProj: captures.attnPreOProj ? upTo(L) : [],
      attnProbs: captures.attnProbs ? upTo(L) : [],
    };
  }

  /** One run of the decoder graph; `fetches` are the outputs handed back (each one is copied into JS memory). */
  private async runDecoder(run: DecoderRun, fetches: string[] | Record<string, ort.Tensor | null>): Promise<ort.InferenceSession.OnnxValueMapType> {
    const session = await this.decoder();
    countForward('decoder', run.variants.length);
    return session.run(decoderFeeds(run, this.shape()), fetches);
  }

  /**
   * Logits [B, rows.length, vocab] at the positions `rows` of every variant, in request order, in
   * runs of at most `rowsPerRun` rows; when the variants share one input and some start
   * intervening after layer 0, the layers before each variant's group start are computed once,
   * by one clean pass that every chunk of every group reads (see layer-sharing.ts).
   */
  private async logits(request: DecoderRequest, rows: number[], captures: CaptureLayers): Promise<TensorData> {
    const { seqLen, variants } = request;
    const perRun = this.rowsPerRun(seqLen, seqLen);
    const plan = this.sharesInput(request) ? planLayerSharing(variants, this.info.layers) : null;
    const run = { seqLen, lastLayerRows: rows, logitRows: upTo(rows.length), captures };
    const row = rows.length * this.info.vocab;
    const result = new Float32Array(variants.length * row);
    /** The logits of `part`'s variants from layer `fromLayer` on, one run per chunk that fits the budget. */
    const chunked = (part: DecoderRequest, fromLayer: number) =>
      this.inChunks(part, perRun, async (chunk) => {
        const out = await this.runDecoder({ ...run, input: this.embedsFor(chunk), variants: chunk.variants, startLayer: fromLayer }, [io.LOGITS]);
        const data = out[io.LOGITS].data as Float32Array;
        return upTo(chunk.variants.length).map((i) => data.subarray(i * row, (i + 1) * row));
      });
    const dims = [variants.length, rows.length, this.info.vocab];
    if (!plan) {
      (await chunked(request, 0)).forEach((data, r) => result.set(data, r * row));
      return { data: result, dims };
    }
    // Only the layer outputs a group starts from are handed back.
    const starts = plan.groups.filter((group) => group.fromLayer > 0).map((group) => group.fromLayer - 1);
    const clean = await this.runDecoder(
      { ...run, input: request.inputsEmbeds, variants: [{}], captures: { layerOutputs: starts } },
      [io.LOGITS, ...starts.map(io.layerOutName)],
    );
    const cleanLogits = clean[io.LOGITS].data as Float32Array;
    for (const r of plan.cleanRows) result.set(cleanLogits, r * row);
    for (const { fromLayer, rows: members } of plan.groups) {
      const input = fromLayer === 0 ? request.inputsEmbeds : (clean[io.layerOutName(fromLayer - 1)].data as Float32Array);
      const group = await chunked({ inputsEmbeds: input, seqLen, variants: members.map((r) => variants[r]) }, fromLayer);
      group.forEach((data, i) => result.set(data, members[i] * row));
    }
    return { data: result, dims };
  }

  /** Per-variant log-probabilities of the target tokens (one value per target), in runs that fit the activation budget. */
  async score(request: ScoreRequest): Promise<Float32Array[]> {
    const { positions, tokenIds } = request.targets;
    this.checkTargets(request.targets, 1, request.seqLen);
    this.checkRequest(request, request.seqLen);
    const { data: logits } = await this.logits(request, positions.map((p) => p - 1), {});
    return this.targetLogProbs(logits, request.variants.length, tokenIds);
  }

  /**
   * Activation bytes of one batch row whose `queries` positions attend to `keys` positions: the
   * largest working set of one layer (layers run one after another), as the README's GPU memory
   * formula counts it — float32 attention scores and probabilities (2·H·queries·keys·4) and the
   * MLP's gate, up and activated [queries, I] in the compute dtype (3·queries·I·b).
   */
  activationBytesPerRow(queries: number, keys: number): number {
    const valueBytes = this.weights.dtype === 'float16' ? 2 : 4;
    return 2 * this.info.heads * queries * keys * 4 + 3 * queries * this.checkpoint.config.text.intermediateSize * valueBytes;
  }

  /** How many rows of `queries` × `keys` attention one run may batch within the activation budget (at least 1). */
  private rowsPerRun(queries: number, keys: number): number {
    return Math.max(1, Math.floor(this.activationBudgetBytes / this.activationBytesPerRow(queries, keys)));
  }

  /** `run` over consecutive chunks of at most `rows` variants (with their input rows), results in request order. */
  private async inChunks<R>(request: DecoderRequest, rows: number, run: (chunk: DecoderRequest) => Promise<R[]>): Promise<R[]> {
    if (request.variants.length <= rows) return run(request);
    const rowLength = request.seqLen * this.info.hidden;
    const shared = this.sharesInput(request);
    const results: R[] = [];
    for (let start = 0; start < request.variants.length; start += rows) {
      const end = Math.min(start + rows, request.variants.length);
      const inputsEmbeds = shared ? request.inputsEmbeds : request.inputsEmbeds.subarray(start * rowLength, end * rowLength);
      results.push(...(await run({ ...request, inputsEmbeds, variants: request.variants.slice(start, end) })));
    }
    return results;
  }

  /**
   * Greedy decoding of every variant in one batch; interventions apply to the prompt and to every
   * new token (see generation.ts).
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (!Number.isInteger(request.maxNewTokens) || request.maxNewTokens < 1) {
      throw new InvalidArgumentError(`must be a positive integer, got ${request.maxNewTokens}`, { field: 'max_new_tokens' });
    }
    this.checkRequest(request, request.seqLen + request.maxNewTokens);
    return generateGreedy(
      {
        shape: this.shape(),
        run: (run, fetches) => this.runDecoder(run, fetches),
        embed: (ids, dims) => this.embedBatch(ids, dims),
        kvMemory: this.kvMemory,
      },
      { ...request, inputsEmbeds: this.embedsFor(request), eosTokenIds: request.eosTokenIds ?? this.info.eosTokenIds },
    );
  }

  /**
   * KV cache of the clean run over `inputsEmbeds` [seqLen, hidden] (batch 1, no hooks): the prefix
   * every variant shares when its interventions only change later positions (attention is causal).
   */
  async prefill(inputsEmbeds: Float32Array, seqLen: number): Promise<KvCache> {
    this.checkRequest({ inputsEmbeds, seqLen, variants: [{}] }, seqLen);
    const L = this.info.layers;
    const out = await this.runDecoder(
      { input: inputsEmbeds, variants: [{}], seqLen, outputPresent: true, lastLayerRows: [seqLen - 1], logitRows: [0] },
      upTo(L).flatMap((l) => [io.presentKey(l), io.presentValue(l)]),
    );
    const layers = upTo(L).map((l) => ({ key: out[io.presentKey(l)].data as KvData, value: out[io.presentValue(l)].data as KvData }));
    return { length: seqLen, layers };
  }

  /**
   * `score` for a batch whose interventions all start at or after `prefix.length`: only the suffix
   * positions run, on top of the shared prefix cache (fed once, batch 1, read by every row).
   * `inputsEmbeds`/`seqLen` cover the suffix; intervention and target positions stay absolute.
   * Equals `score` over the whole sequence.
   */
  async scoreSuffix(request: ScoreRequest & { prefix: KvCache }): Promise<Float32Array[]> {
    const { prefix, seqLen } = request;
    const start = prefix.length;
    this.checkTargets(request.targets, start + 1, start + seqLen);
    this.checkRequest(request, start + seqLen);
    const { kvHeads, headDim } = this.info;
    const buffers: Record<string, ort.Tensor> = {};
    prefix.layers.forEach(({ key, value }, l) => {
      buffers[io.pastKey(l)] = new ort.Tensor(this.weights.dtype, key, [1, kvHeads, start, headDim]);
      buffers[io.pastValue(l)] = new ort.Tensor(this.weights.dtype, value, [1, kvHeads, start, headDim]);
    });
    const rows = request.targets.positions.map((p) => p - 1 - start);
    return this.inChunks(request, this.rowsPerRun(seqLen, start + seqLen), async (chunk) => {
      const out = await this.runDecoder(
        { input: this.embedsFor(chunk), variants: chunk.variants, seqLen, past: { buffers, length: start }, lastLayerRows: rows, logitRows: upTo(rows.length) },
        [io.LOGITS],
      );
      return this.targetLogProbs(out[io.LOGITS].data as Float32Array, chunk.variants.length, request.targets.tokenIds);
    });
  }

  /** log p of target k per variant from logits [B, K, vocab]. */
  private targetLogProbs(logits: Float32Array, batch: number, tokenIds: readonly number[]): Float32Array[] {
    const V = this.info.vocab;
    const K = tokenIds.length;
    return Array.from({ length: batch }, (_, b) => Float32Array.from(tokenIds, (t, k) => tokenLogProb(logits, (b * K + k) * V, V, t)));
  }

  /** Targets of equal length, predicted positions in [from, to), token ids in the vocabulary. */
  private checkTargets({ positions, tokenIds }: ScoreRequest['targets'], from: number, to: number): void {
    if (positions.length !== tokenIds.length) {
      throw new InvalidArgumentError(`has ${tokenIds.length} ids for ${positions.length} positions`, { field: 'targets.token_ids' });
    }
    positions.forEach((p, i) => {
      if (!Number.isInteger(p) || p < from || p >= to) throw new InvalidArgumentError(`position ${p} is outside [${from}, ${to})`, { field: `targets.positions[${i}]` });
    });
    tokenIds.forEach((t, i) => {
      if (!Number.isInteger(t) || t < 0 || t >= this.info.vocab) throw new InvalidArgumentError(`token id ${t} is outside [0, ${this.info.vocab})`, { field: `targets.token_ids[${i}]` });
    });
  }

  /**
   * A session for an extra graph over this model's weights (e.g. the attribution graph), built once
   * per key by `build` from the model's prepared weights; `settings` override the model's for it.
   */
  graphSession(key: string, build: (weights: PreparedWeights) => Uint8Array, options?: GraphSessionOptions): Promise<ort.InferenceSession> {
    return this.sessions.get(key, () => build(this.weights), options);
  }

  /**
   * Builds and loads the graphs every request needs (vision encoder, embeddings, the decoder),
   * writing the model's prepared weight files on the way: a server calls it before it reports
   * SERVING, so that no request waits for the weights' preparation.
   */
  async warmUp(): Promise<void> {
    await Promise.all([this.visionSession(false), this.embedSession(), this.decoder()]);
  }

  /** Number of graphs built and loaded so far. */
  get loadedGraphs(): number {
    return this.sessions.size;
  }

  /** The folder of the prepared weight files this model's graphs map. */
  get preparedWeightsDir(): string {
    return this.weights.dir;
  }

  /** Keys of the graph variants loaded so far (decoder variants, `vision|…`, `embed`, extra graphs). */
  get loadedGraphKeys(): string[] {
    return this.sessions.keys;
  }

  /**
   * Loaded sessions that hold a copy of the decoder layers' weights (on a GPU, each one uploads
   * its own): the decoder graph, and the Integrated-Gradients graph once an attribution ran.
   */
  get weightCopies(): number {
    return this.sessions.countHolding((initializer) => initializer.startsWith(DECODER_LAYERS));
  }

  async dispose(): Promise<void> {
    await this.sessions.dispose();
  }

  private shape(): DecoderShape {
    return { ...this.info, kvDtype: this.weights.dtype };
  }

  /** The decoder graph's session: one per model, whatever the requests (graph/decoder-graph.ts). */
  private decoder(): Promise<ort.InferenceSession> {
    return this.sessions.get(DECODER_GRAPH_KEY, () => buildDecoderGraph(this.checkpoint.config.text, this.weights).bytes);
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

  /** Validates the shared request fields. */
  private checkRequest(request: DecoderRequest, maxPosition: number): void {
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
    validateInterventions(variants, this.info, maxPosition);
  }

  /** Whether the request gives one input [T, hidden] for every variant (rather than one per variant). */
  private sharesInput(request: DecoderRequest): boolean {
    return request.inputsEmbeds.length === request.seqLen * this.info.hidden;
  }

  /** The input embeddings [B, T, hidden], one row per variant. */
  private embedsFor(request: DecoderRequest): Float32Array {
    return this.sharesInput(request) ? repeatRows(request.inputsEmbeds, request.variants.length) : request.inputsEmbeds;
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

/** `row` repeated `count` times (the row itself when count is 1). */
export function repeatRows(row: Float32Array, count: number): Float32Array {
  if (count === 1) return row;
  const data = new Float32Array(row.length * count);
  for (let b = 0; b < count; b++) data.set(row, b * row.length);
  return data;
}
