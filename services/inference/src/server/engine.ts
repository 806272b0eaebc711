// The inference-with-intervention engine behind the gRPC service (and usable in-process): it binds
// requests to loaded models, reuses what repeats (content-caches.ts; mean-embedding artifacts and
// stored runs by name) and batches every request's variants into one forward. It takes domain
// values (the handler layer converts the wire enums: proto-conversion.ts); Capture, HeadSweep and
// Attribute live in their own files, built from the steps this class implements (engine-steps.ts).
import { maskedPerplexity } from '@locscope/perplexity';
import { currentCaller, InvalidArgumentError, NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import type { ImageInput, Variant } from '@locscope/proto/v1/inference';
import { compileVariants, firstAffectedPosition, type HeadPatchPlan, type VariantPlan } from '../interventions/variant-plan.ts';
import { materializeVariants, type HeadOutputs, type VariantInputs } from '../interventions/variant-inputs.ts';
import type { KvCache, Model } from '../runtime/model.ts';
import type { AttributionResult } from '../runtime/attribution.ts';
import { runAttribution, type AttributionRequest } from './attribution-run.ts';
import { runCapture, type CaptureRequest } from './capture.ts';
import { headOutputsOf, type CapturedTensor } from './capture-slices.ts';
import { cached, contentKey, ContentCaches, type CacheBudgets } from './content-caches.ts';
import type { BoundImage, EngineSteps, RunSources, TextRequest, VariantsRequest } from './engine-steps.ts';
import { runHeadSweep, type HeadSweepRequest, type HeadSweepResult } from './head-sweep.ts';
import { DEFAULT_LIMITS, type InferenceLimits } from './limits.ts';
import { checkArtifactName, MeanEmbeddings, type MeanEmbeddingArtifact } from './mean-embeddings.ts';
import { prepareImage } from './model-image.ts';
import type { ModelRegistry } from './model-registry.ts';
import { preparePrompt, targetTokens, type PreparedPrompt } from './prepared-prompt.ts';
import { StoredRuns, type StoredRunsOptions } from './stored-runs.ts';
import { targetMask, type TokenMaskPolicy } from './token-mask.ts';
import { countGeneratedTokens, countVariants } from '../telemetry.ts';

export interface EngineOptions extends CacheBudgets {
  limits?: Partial<InferenceLimits>;
  /** Budget and lifetime of the runs Capture stores (`store_as`). */
  storedRuns?: StoredRunsOptions;
}

/** Shorter shared prefixes are recomputed: a second graph run costs more than it saves. */
export const MIN_SHARED_PREFIX = 8;

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

export interface ScoreInput extends VariantsRequest {
  mask: TokenMaskPolicy;
}

export interface GenerateInput extends TextRequest {
  variants: Variant[];
  /** 0 = 64. */
  maxNewTokens: number;
  stop: string[];
}

/** Tokens Generate produces when the request leaves max_new_tokens at 0. */
export const DEFAULT_MAX_NEW_TOKENS = 64;

export class InferenceEngine implements EngineSteps {
  readonly limits: InferenceLimits;
  readonly storedRuns: StoredRuns;
  private readonly caches: ContentCaches;
  private readonly means = new MeanEmbeddings();

  constructor(
    readonly registry: ModelRegistry<Model>,
    options: EngineOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.storedRuns = new StoredRuns(options.storedRuns);
    this.caches = new ContentCaches(options);
  }

  async bindImage(modelName: string, input: ImageInput | undefined, field = 'image'): Promise<BoundImage> {
    const model = await this.registry.get(modelName);
    const image = await prepareImage(model, input, this.limits, field);
    const encoded = await cached(this.caches.encodings, 'image_encoding', `${modelName}|${image.hash}`, () => model.encodeImage(image.pixelValues));
    return { modelName, model, image, encoded };
  }

  async score(request: ScoreInput): Promise<ScoreResult> {
    const bound = await this.bindImage(request.model, request.image);
    const prompt = await this.prompt(bound, request.prompt, request.target);
    const plans = this.compile(bound.model, prompt, request.variants);
    const target = targetTokens(bound.model, prompt);
    const mask = targetMask(request.mask, request.target, target.tokens, 'mask');
    const logProbs = await this.scoreRun(bound, prompt, plans, target.ids, { owner: request.owner ?? '' });
    return {
      targetTokenIds: target.ids,
      targetTokens: target.tokens,
      mask,
      scores: logProbs.map((lp, b) => {
        const { perplexity } = maskedPerplexity(lp, mask);
        let logProb = 0;
        lp.forEach((v, i) => (logProb += mask[i] ? v : 0));
        return { variant: plans[b].name, tokenLogProbs: lp, perplexity, logProb };
      }),
    };
  }

  async generate(request: GenerateInput): Promise<GeneratedText[]> {
    const maxNewTokens = request.maxNewTokens === 0 ? DEFAULT_MAX_NEW_TOKENS : request.maxNewTokens;
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

  /** Captured tensors per variant, split from the batch (capture.ts). */
  capture(request: CaptureRequest): Promise<CapturedTensor[]> {
    return runCapture(this, request);
  }

  /** CMA sweep of one example: every listed head of the base run patched from the source run (head-sweep.ts). */
  headSweep(request: HeadSweepRequest): Promise<HeadSweepResult> {
    return runHeadSweep(this, request);
  }

  /** Adds images to the running mean of visual embeddings stored as artifact `name`. */
  async meanEmbedding(request: { model: string; name: string; images: ImageInput[] }): Promise<MeanEmbeddingArtifact> {
    checkArtifactName(request.name, 'name');
    if (request.images.length > this.limits.maxImagesPerRequest) {
      throw new ResourceExhaustedError(`${request.images.length} images exceed the limit of ${this.limits.maxImagesPerRequest}`, { field: 'images' });
    }
    const model = await this.registry.get(request.model);
    const bind = (image: ImageInput, i: number) => this.bindImage(request.model, image, `images[${i}]`);
    // One image's encoding at a time: a request may carry hundreds.
    async function* encodings() {
      for (const [i, image] of request.images.entries()) yield (await bind(image, i)).encoded.features;
    }
    return this.means.extend(request.model, request.name, model.info.hidden, encodings());
  }

  /** Integrated Gradients of the target's log-prob per visual token (attribution-run.ts). */
  attribute(request: AttributionRequest): Promise<AttributionResult> {
    return runAttribution(this, this.means, request);
  }

  // ---- the steps (engine-steps.ts) ------------------------------------------------------------

  async prompt(bound: BoundImage, question: string, target: string | undefined, reserve = 0): Promise<PreparedPrompt> {
    const caller = currentCaller();
    const callerMax = caller?.rights.maxSequence;
    return preparePrompt(bound.model, bound.image, bound.encoded, question, target, {
      maxTokens: this.limits.maxSequenceTokens,
      maxTextBytes: this.limits.maxTextBytes,
      reserve,
      ...(callerMax !== undefined && { caller: { name: caller!.name, maxTokens: callerMax } }),
    });
  }

  compile(model: Model, prompt: PreparedPrompt, variants: Variant[]): VariantPlan[] {
    const plans = compileVariants(variants, prompt.layout, model.info, { maxVariants: this.limits.maxVariants });
    countVariants(plans.length);
    return plans;
  }

  async materialize(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], runs: RunSources): Promise<VariantInputs> {
    const sources = new Map<HeadPatchPlan, HeadOutputs | Float32Array>();
    for (const plan of plans) {
      for (const patch of plan.patches) sources.set(patch, await this.patchSource(bound, prompt, patch, runs));
    }
    return materializeVariants(prompt, plans, {
      dims: bound.model.info,
      meanEmbedding: (name) => this.means.get(bound.modelName, name)?.mean,
      patchSource: (plan) => sources.get(plan)!,
    });
  }

  async sourceHeadOutputs(source: BoundImage, prompt: PreparedPrompt): Promise<HeadOutputs> {
    const key = contentKey(source.model.checkpoint.dir, source.image.hash, Int32Array.from(prompt.ids));
    return cached(this.caches.sources, 'source_heads', key, async () => {
      const embeds = await source.model.embedWithImage(prompt.ids, source.encoded.features);
      const out = await source.model.forward({
        inputsEmbeds: embeds,
        seqLen: prompt.layout.length,
        variants: [{}],
        logits: 'last',
        captures: { attnPreOProj: true },
      });
      return headOutputsOf(out.captures, source.model.info.layers, prompt.layout.length);
    });
  }

  /**
   * Positions before the first one any plan can change are identical to the clean run (attention
   * is causal), so their KV cache is computed once (and cached) and the batch only runs the suffix.
   */
  async scoreRun(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], targetIds: number[], runs: RunSources): Promise<Float32Array[]> {
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

  // ---- internals -------------------------------------------------------------------------

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

  /** The clean run's KV cache over `embeds` (cached by model and content). */
  private prefix(bound: BoundImage, embeds: Float32Array, length: number): Promise<KvCache> {
    return cached(this.caches.prefixes, 'prefix_kv', contentKey(bound.model.checkpoint.dir, embeds), () => bound.model.prefill(embeds, length));
  }
}
