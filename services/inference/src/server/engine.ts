// The inference-with-intervention engine behind the gRPC service (and usable in-process): it
// binds requests to loaded models, caches what repeats (visual encodings and source-run head
// outputs, by content hash; mean-embedding artifacts and stored runs, by name) and batches every
// request's variants into one forward.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { answerWordMask, boxAnswerMask, maskedPerplexity } from '@locscope/metrics';
import { currentCaller, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import {
  AttributionBaseline,
  TextSpan,
  TokenMaskMode,
  type CaptureSpec,
  type ImageInput,
  type LayerHead,
  type Positions,
  type Variant,
} from '@locscope/proto/v1/inference';
import { resolvePositions } from '../interventions/positions.ts';
import { compileVariants, firstAffectedPosition, type HeadPatchPlan, type ModelDims, type VariantPlan } from '../interventions/variant-plan.ts';
import * as io from '../graph/decoder-io.ts';
import type { EncodedImage, KvCache, Model, TensorData } from '../runtime/model.ts';
import { DEFAULT_IG_STEPS, integratedGradients, type AttributionResult, type Baseline } from '../runtime/attribution.ts';
import { DEFAULT_LIMITS, type InferenceLimits } from './limits.ts';
import { prepareImage, type PreparedImage } from './model-image.ts';
import type { ModelRegistry } from './model-registry.ts';
import { preparePrompt, type PreparedPrompt } from './prepared-prompt.ts';
import { StoredRuns, type StoredRunsOptions } from './stored-runs.ts';
import { materializeVariants, type HeadOutputs } from './variant-inputs.ts';
import { countCacheLookup, countGeneratedTokens, countVariants } from '../telemetry.ts';

export interface EngineOptions {
  limits?: Partial<InferenceLimits>;
  /** Bytes of visual encodings kept (default 256 MiB). */
  encodingCacheBytes?: number;
  /** Bytes of source-run head outputs kept (default 256 MiB). */
  sourceCacheBytes?: number;
  /** Bytes of clean-run prefix KV caches kept (default 512 MiB). */
  prefixCacheBytes?: number;
  /** Budget and lifetime of the runs Capture stores (`store_as`). */
  storedRuns?: StoredRunsOptions;
}

export const DEFAULT_ENCODING_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SOURCE_CACHE_BYTES = 256 * 1024 * 1024;
/** Bytes of clean-run prefix KV caches kept (default 512 MiB). */
export const DEFAULT_PREFIX_CACHE_BYTES = 512 * 1024 * 1024;
/** Shorter shared prefixes are recomputed: a second graph run costs more than it saves. */
export const MIN_SHARED_PREFIX = 8;

export interface BoundImage {
  /** Registry name of the model. */
  modelName: string;
  model: Model;
  image: PreparedImage;
  encoded: EncodedImage;
}

export interface ScoredVariant {
  variant: string;
  tokenLogProbs: Float32Array;
  perplexity: number;
  logProb: number;
}

export interface ScoreResult {
  targetTokenIds: number[];
  targetTokens: string[];
  mask: boolean[];
  scores: ScoredVariant[];
}

export interface GeneratedText {
  variant: string;
  text: string;
  tokenIds: number[];
  finishReason: 'eos' | 'stop' | 'length';
}

export interface CapturedTensor {
  variant: string;
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface HeadSweepResult {
  targetTokens: string[];
  mask: boolean[];
  basePerplexity: number;
  sourcePerplexity: number;
  heads: LayerHead[];
  patchedPerplexities: number[];
}

export interface MeanEmbeddingArtifact {
  mean: Float32Array;
  count: number;
}

interface TextRequest {
  /** Who stores and reads stored runs (CallContext.owner; '' in-process). */
  owner?: string;
  model: string;
  image?: ImageInput | undefined;
  prompt: string;
}

interface ScoreInput extends TextRequest {
  target: string;
  variants: Variant[];
  maskMode: TokenMaskMode;
  mask: boolean[];
}

export class InferenceEngine {
  readonly limits: InferenceLimits;
  private readonly encodings: LRUCache<string, EncodedImage>;
  private readonly sources: LRUCache<string, HeadOutputs>;
  private readonly prefixes: LRUCache<string, KvCache>;
  readonly storedRuns: StoredRuns;
  private readonly artifacts = new Map<string, MeanEmbeddingArtifact>();

  constructor(
    readonly registry: ModelRegistry<Model>,
    options: EngineOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.storedRuns = new StoredRuns(options.storedRuns);
    this.encodings = new LRUCache({
      maxSize: options.encodingCacheBytes ?? DEFAULT_ENCODING_CACHE_BYTES,
      sizeCalculation: (e) => Math.max(1, e.features.byteLength + e.norms.byteLength),
    });
    this.sources = new LRUCache({
      maxSize: options.sourceCacheBytes ?? DEFAULT_SOURCE_CACHE_BYTES,
      sizeCalculation: (s) => Math.max(1, s.layers.reduce((n, l) => n + l.byteLength, 0)),
    });
    this.prefixes = new LRUCache({
      maxSize: options.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_BYTES,
      sizeCalculation: (c) => Math.max(1, c.layers.reduce((n, l) => n + l.key.byteLength + l.value.byteLength, 0)),
    });
  }

  /** Preprocesses and encodes an image (cached by model and pixel hash). */
  async bindImage(modelName: string, input: ImageInput | undefined, field = 'image'): Promise<BoundImage> {
    const model = await this.registry.get(modelName);
    const image = await prepareImage(model, input, this.limits, field);
    const key = `${modelName}|${image.hash}`;
    let encoded = this.encodings.get(key);
    countCacheLookup('image_encoding', encoded !== undefined);
    if (!encoded) {
      encoded = await model.encodeImage(image.pixelValues);
      this.encodings.set(key, encoded);
    }
    return { modelName, model, image, encoded };
  }

  async score(request: ScoreInput): Promise<ScoreResult> {
    const bound = await this.bindImage(request.model, request.image);
    const prompt = await this.prompt(bound, request.prompt, request.target);
    const plans = this.compile(bound.model, prompt, request.variants);
    const targetIds = prompt.ids.slice(prompt.target.start, prompt.target.end);
    const targetTokens = targetIds.map((id) => bound.model.checkpoint.tokenizer?.idToToken(id) ?? String(id));
    const mask = this.tokenMask(request.maskMode, request.mask, request.target, targetTokens, 'mask');
    const logProbs = await this.scoreRun(bound, prompt, plans, targetIds, { owner: request.owner ?? '' });
    return {
      targetTokenIds: targetIds,
      targetTokens,
      mask,
      scores: logProbs.map((lp, b) => {
        const { perplexity } = maskedPerplexity(lp, mask);
        let logProb = 0;
        lp.forEach((v, i) => (logProb += mask[i] ? v : 0));
        return { variant: plans[b].name, tokenLogProbs: lp, perplexity, logProb };
      }),
    };
  }

  async generate(request: TextRequest & { variants: Variant[]; maxNewTokens: number; stop: string[] }): Promise<GeneratedText[]> {
    const maxNewTokens = request.maxNewTokens === 0 ? 64 : request.maxNewTokens;
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens > this.limits.maxNewTokens) {
      throw new InvalidArgumentError(`must be in [1, ${this.limits.maxNewTokens}], got ${request.maxNewTokens}`, { field: 'max_new_tokens' });
    }
    request.stop.forEach((s, i) => {
      if (s === '') throw new InvalidArgumentError('stop strings must not be empty', { field: `stop[${i}]` });
    });
    const bound = await this.bindImage(request.model, request.image);
    const prompt = await this.prompt(bound, request.prompt, undefined, maxNewTokens);
    const plans = this.compile(bound.model, prompt, request.variants);
    const inputs = await this.materialize(bound, prompt, plans, { owner: request.owner ?? '' });
    const result = await bound.model.generate({ ...inputs, seqLen: prompt.layout.length, variants: inputs.interventions, maxNewTokens });
    countGeneratedTokens(bound.modelName, result.tokens);
    const eos = new Set(bound.model.info.eosTokenIds);
    const tokenizer = bound.model.checkpoint.tokenizer!;
    return result.tokens.map((tokens, b) => {
      const endsWithEos = tokens.length > 0 && eos.has(tokens[tokens.length - 1]);
      // Ids past the tokenizer's vocabulary (a model's embedding matrix may be padded) decode to nothing.
      const decodable = (endsWithEos ? tokens.slice(0, -1) : tokens).filter((id) => tokenizer.idToToken(id) !== undefined);
      const text = tokenizer.decode(decodable, { skipSpecialTokens: true });
      const stopAt = Math.min(...request.stop.map((s) => text.indexOf(s)).filter((i) => i >= 0));
      if (Number.isFinite(stopAt)) return { variant: plans[b].name, text: text.slice(0, stopAt), tokenIds: tokens, finishReason: 'stop' };
      return { variant: plans[b].name, text, tokenIds: tokens, finishReason: endsWithEos ? 'eos' : 'length' };
    });
  }

  /** Captured tensors per variant, split from the batch; vision states come from the encoder. */
  async capture(request: TextRequest & { target: string; variants: Variant[]; spec: CaptureSpec | undefined; storeAs: string }): Promise<CapturedTensor[]> {
    const spec = request.spec;
    if (!spec || !(spec.hiddenStates || spec.headOutputs || spec.attentionProbs || spec.visionStates)) {
      throw new InvalidArgumentError('select at least one of hidden_states, head_outputs, attention_probs, vision_states', { field: 'spec' });
    }
    const bound = await this.bindImage(request.model, request.image);
    const prompt = await this.prompt(bound, request.prompt, request.target || undefined);
    const plans = this.compile(bound.model, prompt, request.variants);
    const { layers: L } = bound.model.info;
    spec.layers.forEach((l, i) => {
      if (!Number.isInteger(l) || l < 0 || l > L) throw new InvalidArgumentError(`layer ${l} outside [0, ${L}]`, { field: `spec.layers[${i}]` });
    });
    const keep = spec.positions ? resolvePositions(spec.positions, prompt.layout, 'spec.positions').indices : undefined;
    const needsHeads = spec.headOutputs || request.storeAs !== '';
    const T = prompt.layout.length;
    const { heads: H, headDim: D, hidden: C } = bound.model.info;
    // Priced before the forward: it captures every layer at every position for every variant.
    const perRow = (spec.hiddenStates ? (L + 1) * T * C : 0) + (needsHeads ? L * T * H * D : 0) + (spec.attentionProbs ? L * H * T * T : 0);
    const predicted = 4 * plans.length * perRow;
    if (request.storeAs) this.storedRuns.checkFits(4 * L * T * H * D, 'store_as');
    if (predicted > this.limits.maxCaptureBytes) {
      throw new ResourceExhaustedError(
        `capturing ${plans.length} variant(s) × ${T} positions needs ${predicted} bytes, over the limit of ${this.limits.maxCaptureBytes}; capture fewer kinds, variants or a shorter prompt`,
        { field: 'spec' },
      );
    }
    const inputs = await this.materialize(bound, prompt, plans, { owner: request.owner ?? '' });
    const out = await bound.model.forward({
      ...inputs,
      seqLen: prompt.layout.length,
      variants: inputs.interventions,
      logits: 'last',
      captures: { hiddenStates: spec.hiddenStates, attnPreOProj: needsHeads, attnProbs: spec.attentionProbs },
    });
    if (request.storeAs) this.storedRuns.set(request.owner ?? '', request.model, request.storeAs, headOutputsOf(out.captures, L, prompt.layout.length));
    const tensors: CapturedTensor[] = [];
    const wanted = (layer: number) => spec.layers.length === 0 || spec.layers.includes(layer);
    plans.forEach((plan, b) => {
      for (const [name, tensor] of Object.entries(out.captures)) {
        const [kind, index] = splitName(name);
        if (!wanted(index)) continue;
        if (kind === 'hidden_states' && spec.hiddenStates) tensors.push(rowsOf(plan.name, name, tensor, b, T, keep));
        if (kind === 'attn_pre_o_proj' && spec.headOutputs) {
          const t = rowsOf(plan.name, `head_outputs.${index}`, tensor, b, T, keep);
          tensors.push({ ...t, shape: [t.shape[0], H, D] });
        }
        if (kind === 'attn_probs' && spec.attentionProbs) tensors.push(batchRow(plan.name, name, tensor, b));
      }
    });
    if (spec.visionStates) {
      const vision = await bound.model.encodeImage(bound.image.pixelValues, { captures: true });
      for (const [name, tensor] of Object.entries(vision.captures)) {
        tensors.push({ variant: '', name: name.startsWith('vision.') ? name : `vision.${name}`, shape: tensor.dims, data: tensor.data });
      }
    }
    const bytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
    if (bytes > this.limits.maxCaptureBytes) {
      throw new ResourceExhaustedError(`capture of ${bytes} bytes exceeds the limit of ${this.limits.maxCaptureBytes}; select fewer layers or positions`, { field: 'spec' });
    }
    return tensors;
  }

  /** CMA sweep of one example: every listed head of the base run patched from the source run. */
  async headSweep(request: {
    model: string;
    baseImage: ImageInput | undefined;
    sourceImage: ImageInput | undefined;
    prompt: string;
    target: string;
    positions: Positions | undefined;
    heads: LayerHead[];
    maskMode: TokenMaskMode;
    mask: boolean[];
  }): Promise<HeadSweepResult> {
    const base = await this.bindImage(request.model, request.baseImage, 'base_image');
    const source = await this.bindImage(request.model, request.sourceImage, 'source_image');
    const basePrompt = await this.prompt(base, request.prompt, request.target);
    const sourcePrompt = await this.prompt(source, request.prompt, request.target);
    if (sourcePrompt.layout.length !== basePrompt.layout.length) {
      throw new InvalidArgumentError(
        `source image gives a ${sourcePrompt.layout.length}-token sequence, base image ${basePrompt.layout.length} (different tile grids)`,
        { field: 'source_image' },
      );
    }
    const { layers: L, heads: H } = base.model.info;
    const heads = request.heads.length > 0 ? request.heads : Array.from({ length: L * H }, (_, i) => ({ layer: Math.floor(i / H), head: i % H }));
    const dims = this.dims(base.model);
    const positions = request.positions ?? { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] };
    // Validate every head once through the compiler (errors name heads[i]).
    compileVariants(
      [{ name: 'sweep', interventions: [{ kind: { $case: 'patch', value: { heads, positions, source: { $case: 'sourceRun', value: 'sweep' } } } }] }],
      basePrompt.layout,
      dims,
      { maxVariants: 1 },
      'request',
    );
    const targetIds = basePrompt.ids.slice(basePrompt.target.start, basePrompt.target.end);
    const targetTokens = targetIds.map((id) => base.model.checkpoint.tokenizer?.idToToken(id) ?? String(id));
    const mask = this.tokenMask(request.maskMode, request.mask, request.target, targetTokens, 'mask');
    const sourceOutputs = await this.sourceHeadOutputs(source, sourcePrompt);
    const perplexity = (lp: Float32Array) => maskedPerplexity(lp, mask).perplexity;
    const [sourceLp] = await this.scoreRun(source, sourcePrompt, [emptyPlan('source')], targetIds, { owner: '' });
    const patchedPerplexities: number[] = [];
    let basePerplexity = NaN;
    const batch = Math.max(1, this.limits.maxVariants);
    const resolved = resolvePositions(positions, basePrompt.layout, 'positions');
    const plans: VariantPlan[] = [
      emptyPlan('base'),
      ...heads.map((lh) => ({
        ...emptyPlan(`L${lh.layer}H${lh.head}`),
        patches: [{ layer: lh.layer, head: lh.head, positions: resolved, source: { kind: 'run' as const, name: 'sweep' } }],
      })),
    ];
    for (let start = 0; start < plans.length; start += batch) {
      const chunk = plans.slice(start, start + batch);
      const lps = await this.scoreRun(base, basePrompt, chunk, targetIds, { owner: '', sweepSource: sourceOutputs });
      lps.forEach((lp, i) => (start + i === 0 ? (basePerplexity = perplexity(lp)) : patchedPerplexities.push(perplexity(lp))));
    }
    return { targetTokens, mask, basePerplexity, sourcePerplexity: perplexity(sourceLp), heads, patchedPerplexities };
  }

  /** Adds images to the running mean of visual embeddings stored as artifact `name`. */
  async meanEmbedding(request: { model: string; name: string; images: ImageInput[] }): Promise<MeanEmbeddingArtifact> {
    if (!/^[\w.-]+$/.test(request.name)) throw new InvalidArgumentError('name must be letters, digits, ".", "_" or "-"', { field: 'name' });
    if (request.images.length > this.limits.maxImagesPerRequest) {
      throw new ResourceExhaustedError(`${request.images.length} images exceed the limit of ${this.limits.maxImagesPerRequest}`, { field: 'images' });
    }
    const model = await this.registry.get(request.model);
    const C = model.info.hidden;
    const key = this.runKey(request.model, request.name);
    const artifact = this.artifacts.get(key) ?? { mean: new Float32Array(C), count: 0 };
    const sum = Float64Array.from(artifact.mean, (m) => m * artifact.count);
    let count = artifact.count;
    for (let i = 0; i < request.images.length; i++) {
      const { encoded } = await this.bindImage(request.model, request.images[i], `images[${i}]`);
      const n = encoded.features.length / C;
      for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) sum[c] += encoded.features[t * C + c];
      count += n;
    }
    if (count === 0) throw new InvalidArgumentError('no images given and no stored mean to return', { field: 'images' });
    const updated = { mean: Float32Array.from(sum, (s) => s / count), count };
    this.artifacts.set(key, updated);
    return updated;
  }

  /** Integrated Gradients of the target's log-prob per visual token (runtime/attribution.ts). */
  async attribute(request: TextRequest & { target: string; steps: number; baseline: AttributionBaseline; meanEmbedding: string; signal?: AbortSignal }): Promise<AttributionResult> {
    const steps = request.steps === 0 ? DEFAULT_IG_STEPS : request.steps;
    if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`must be positive (0 = ${DEFAULT_IG_STEPS}), got ${steps}`, { field: 'steps' });
    if (steps > this.limits.maxAttributionSteps) throw new ResourceExhaustedError(`${steps} exceeds the limit of ${this.limits.maxAttributionSteps}`, { field: 'steps' });
    if (!request.target) throw new InvalidArgumentError('is required: attributions explain the log-prob of the target', { field: 'target' });
    const bound = await this.bindImage(request.model, request.image);
    const baseline = this.attributionBaseline(bound.modelName, request.baseline, request.meanEmbedding);
    const prompt = await this.prompt(bound, request.prompt, request.target);
    const { start, end } = prompt.target;
    if (end === start) throw new InvalidArgumentError('encodes to no tokens', { field: 'target' });
    const imageToken = bound.model.info.imageTokenId;
    return integratedGradients(bound.model, {
      inputsEmbeds: prompt.embeds,
      seqLen: prompt.layout.length,
      visualPositions: prompt.ids.flatMap((id, p) => (id === imageToken ? [p] : [])),
      targets: { positions: Array.from({ length: end - start }, (_, i) => start + i), tokenIds: prompt.ids.slice(start, end) },
      baseline,
      steps,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }

  // ---- internals -------------------------------------------------------------------------

  private attributionBaseline(modelName: string, kind: AttributionBaseline, name: string): Baseline {
    switch (kind) {
      case AttributionBaseline.ATTRIBUTION_BASELINE_UNSPECIFIED:
      case AttributionBaseline.ATTRIBUTION_BASELINE_ZERO:
        return { kind: 'zero' };
      case AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING: {
        if (!name) throw new InvalidArgumentError('is required for ATTRIBUTION_BASELINE_MEAN_EMBEDDING', { field: 'mean_embedding' });
        const artifact = this.artifacts.get(this.runKey(modelName, name));
        if (!artifact) throw new NotFoundError(`no mean-embedding artifact "${name}" for this model (MeanEmbedding first)`, { field: 'mean_embedding' });
        return { kind: 'embedding', embedding: artifact.mean };
      }
      default:
        throw new InvalidArgumentError(`unknown baseline ${kind as number}`, { field: 'baseline' });
    }
  }

  private dims(model: Model): ModelDims {
    return { layers: model.info.layers, heads: model.info.heads, headDim: model.info.headDim, hiddenSize: model.info.hidden };
  }

  /** `reserve`: tokens the request adds to the sequence later (generation). */
  private async prompt(bound: BoundImage, question: string, target: string | undefined, reserve = 0): Promise<PreparedPrompt> {
    const caller = currentCaller();
    const callerMax = caller?.rights.maxSequence;
    return preparePrompt(bound.model, bound.image, bound.encoded, question, target, {
      maxTokens: this.limits.maxSequenceTokens,
      maxTextBytes: this.limits.maxTextBytes,
      reserve,
      ...(callerMax !== undefined && { caller: { name: caller!.name, maxTokens: callerMax } }),
    });
  }

  private compile(model: Model, prompt: PreparedPrompt, variants: Variant[]): VariantPlan[] {
    const plans = compileVariants(variants, prompt.layout, this.dims(model), { maxVariants: this.limits.maxVariants });
    countVariants(plans.length);
    return plans;
  }

  private runKey(model: string, name: string): string {
    return `${model}|${name}`;
  }

  private async materialize(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], runs: RunSources) {
    const sources = new Map<HeadPatchPlan, HeadOutputs | Float32Array>();
    for (const plan of plans) {
      for (const patch of plan.patches) sources.set(patch, await this.patchSource(bound, prompt, patch, runs));
    }
    const { hidden, heads, headDim } = bound.model.info;
    return materializeVariants(prompt, plans, {
      hidden,
      heads,
      headDim,
      meanEmbedding: (name) => this.artifacts.get(this.runKey(bound.modelName, name))?.mean,
      patchSource: (plan) => sources.get(plan)!,
    });
  }

  private async patchSource(bound: BoundImage, prompt: PreparedPrompt, patch: HeadPatchPlan, runs: RunSources): Promise<HeadOutputs | Float32Array> {
    const src = patch.source;
    switch (src.kind) {
      case 'values':
        return src.values;
      case 'run': {
        const stored = runs.sweepSource ?? this.storedRuns.get(runs.owner, bound.modelName, src.name);
        if (!stored) throw new NotFoundError(`no stored source run "${src.name}" for this model (Capture with store_as first)`, { field: 'patch.source_run' });
        return stored;
      }
      case 'image':
        return this.sourceHeadOutputs(await this.bindImage(bound.modelName, src.image, 'patch.source_image'), prompt);
    }
  }

  /** Head outputs of the clean run of `source` on `prompt`'s token ids (cached by content). */
  private async sourceHeadOutputs(source: BoundImage, prompt: PreparedPrompt): Promise<HeadOutputs> {
    const key = createHash('sha256').update(source.model.checkpoint.dir).update(source.image.hash).update(Int32Array.from(prompt.ids)).digest('hex');
    const cached = this.sources.get(key);
    countCacheLookup('source_heads', cached !== undefined);
    if (cached) return cached;
    const embeds = await source.model.embedWithImage(prompt.ids, source.encoded.features);
    const out = await source.model.forward({
      inputsEmbeds: embeds,
      seqLen: prompt.layout.length,
      variants: [{}],
      logits: 'last',
      captures: { attnPreOProj: true },
    });
    const outputs = headOutputsOf(out.captures, source.model.info.layers, prompt.layout.length);
    this.sources.set(key, outputs);
    return outputs;
  }

  /**
   * Target log-probs of every plan in one batch. Positions before the first one any plan can
   * change are identical to the clean run (attention is causal), so their KV cache is computed
   * once (and cached) and the batch only runs the suffix.
   */
  private async scoreRun(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], targetIds: number[], runs: RunSources): Promise<Float32Array[]> {
    const inputs = await this.materialize(bound, prompt, plans, runs);
    const positions = targetIds.map((_, i) => prompt.target.start + i);
    const T = prompt.layout.length;
    const shared = Math.min(prompt.target.start - 1, ...plans.map((p) => firstAffectedPosition(p, prompt.layout)));
    if (shared < MIN_SHARED_PREFIX) {
      return bound.model.score({ ...inputs, seqLen: T, variants: inputs.interventions, targets: { positions, tokenIds: targetIds } });
    }
    const C = bound.model.info.hidden;
    const prefix = await this.prefix(bound, prompt.embeds.subarray(0, shared * C), shared);
    const B = inputs.inputsEmbeds.length / (T * C);
    const suffix = new Float32Array(B * (T - shared) * C);
    for (let b = 0; b < B; b++) suffix.set(inputs.inputsEmbeds.subarray((b * T + shared) * C, (b + 1) * T * C), b * (T - shared) * C);
    return bound.model.scoreSuffix({ prefix, inputsEmbeds: suffix, seqLen: T - shared, variants: inputs.interventions, targets: { positions, tokenIds: targetIds } });
  }

  /** The clean run's KV cache over `embeds` (cached by model and content). */
  private async prefix(bound: BoundImage, embeds: Float32Array, length: number): Promise<KvCache> {
    const key = createHash('sha256').update(bound.model.checkpoint.dir).update(new Uint8Array(embeds.buffer, embeds.byteOffset, embeds.byteLength)).digest('hex');
    const cached = this.prefixes.get(key);
    countCacheLookup('prefix_kv', cached !== undefined);
    if (cached) return cached;
    const cache = await bound.model.prefill(embeds, length);
    this.prefixes.set(key, cache);
    return cache;
  }

  private tokenMask(mode: TokenMaskMode, explicit: boolean[], target: string, tokens: string[], field: string): boolean[] {
    switch (mode) {
      case TokenMaskMode.TOKEN_MASK_MODE_ALL:
        return tokens.map(() => true);
      case TokenMaskMode.TOKEN_MASK_MODE_EXPLICIT:
        if (explicit.length !== tokens.length) {
          throw new InvalidArgumentError(`${explicit.length} flags for ${tokens.length} target tokens`, { field });
        }
        if (!explicit.some(Boolean)) throw new InvalidArgumentError('selects no token', { field });
        return explicit;
      case TokenMaskMode.TOKEN_MASK_MODE_UNSPECIFIED:
        if (/[0-9]/.test(target)) return boxAnswerMask(tokens);
        try {
          return answerWordMask(tokens);
        } catch {
          return tokens.map(() => true);
        }
      default:
        throw new InvalidArgumentError(`unknown mask mode ${mode}`, { field: 'mask_mode' });
    }
  }
}

/** Where `source_run` patches read from: the caller's stored runs, or a sweep's own source run. */
interface RunSources {
  owner: string;
  sweepSource?: HeadOutputs;
}

function emptyPlan(name: string): VariantPlan {
  return { name, embeddingEdits: [], knockouts: [], ablations: [], patches: [] };
}

/** Batch row 0 of every layer's `attn_pre_o_proj` capture. */
function headOutputsOf(captures: Record<string, TensorData>, layers: number, length: number): HeadOutputs {
  return {
    length,
    layers: Array.from({ length: layers }, (_, l) => {
      const { data, dims } = captures[io.attnPreOProjName(l)];
      return data.slice(0, data.length / dims[0]);
    }),
  };
}

function splitName(name: string): [string, number] {
  const dot = name.lastIndexOf('.');
  return [name.slice(0, dot), Number(name.slice(dot + 1))];
}

/** Batch row `b` of a [B, T, W] capture, keeping `keep` positions (all when undefined). */
function rowsOf(variant: string, name: string, tensor: TensorData, b: number, T: number, keep: number[] | undefined): CapturedTensor {
  const W = tensor.data.length / (tensor.dims[0] * T);
  const row = tensor.data.subarray(b * T * W, (b + 1) * T * W);
  if (!keep) return { variant, name, shape: [T, W], data: row.slice() };
  const data = new Float32Array(keep.length * W);
  keep.forEach((t, i) => data.set(row.subarray(t * W, (t + 1) * W), i * W));
  return { variant, name, shape: [keep.length, W], data };
}

function batchRow(variant: string, name: string, tensor: TensorData, b: number): CapturedTensor {
  const per = tensor.data.length / tensor.dims[0];
  return { variant, name, shape: tensor.dims.slice(1), data: tensor.data.slice(b * per, (b + 1) * per) };
}
