// The steps every engine operation is built from — bind an image to a model, prepare the prompt,
// compile and materialize the variants, score them over a shared prefix — as the contract that
// the operations kept in their own files (capture.ts, head-sweep.ts, attribution-run.ts) use.
// InferenceEngine implements it; the files depend on this interface, not on the engine.
import type { ImageInput, Variant } from '@locscope/proto/v1/inference';
import type { VariantPlan } from '../interventions/variant-plan.ts';
import type { HeadOutputs, VariantInputs } from '../interventions/variant-inputs.ts';
import type { EncodedImage, Model } from '../runtime/model.ts';
import type { InferenceLimits } from './limits.ts';
import type { PreparedImage } from './model-image.ts';
import type { PreparedPrompt } from './prepared-prompt.ts';
import type { StoredRuns } from './stored-runs.ts';

/** What every request that runs the model over an image and a prompt carries. */
export interface TextRequest {
  /** Who stores and reads stored runs (CallContext.owner; '' in-process). */
  owner?: string;
  model: string;
  image?: ImageInput | undefined;
  prompt: string;
}

/** A request that runs its variants against a target answer ('' where the operation allows none). */
export interface VariantsRequest extends TextRequest {
  target: string;
  variants: Variant[];
}

export interface BoundImage {
  /** Registry name of the model. */
  modelName: string;
  model: Model;
  image: PreparedImage;
  encoded: EncodedImage;
}

/** Where `source_run` patches read from: the caller's stored runs, or a sweep's own source run. */
export interface RunSources {
  owner: string;
  sweepSource?: HeadOutputs;
}

export interface EngineSteps {
  readonly limits: InferenceLimits;
  readonly storedRuns: StoredRuns;
  /** Preprocesses and encodes an image (cached by model and pixel hash); `field` names the request's image. */
  bindImage(modelName: string, input: ImageInput | undefined, field?: string): Promise<BoundImage>;
  /** The prompt (and target) bound to the image, within the sequence limits; `reserve`: tokens generation adds later. */
  prompt(bound: BoundImage, question: string, target: string | undefined, reserve?: number): Promise<PreparedPrompt>;
  /** The request's variants, converted and validated against the prompt's layout (no variant: one clean run). */
  compile(model: Model, prompt: PreparedPrompt, variants: Variant[]): VariantPlan[];
  /** The plans' embeddings and domain interventions, patch sources fetched. */
  materialize(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], runs: RunSources): Promise<VariantInputs>;
  /** Target log-probs of every plan in one batch (over the clean run's shared prefix where it can). */
  scoreRun(bound: BoundImage, prompt: PreparedPrompt, plans: VariantPlan[], targetIds: number[], runs: RunSources): Promise<Float32Array[]>;
  /** Head outputs of the clean run of `source` on `prompt`'s token ids (cached by content). */
  sourceHeadOutputs(source: BoundImage, prompt: PreparedPrompt): Promise<HeadOutputs>;
}
