// The part of every experiment config that is not experiment-specific: identity, models, data,
// sample count, prompts and scoring. Defaults are the paper's (§2.2–§2.3) where it gives them.
import { DEMO_MODEL_NAMES } from '@locscope/scenes/paths';
import { z } from 'zod';

/** Models of the embedded demo (issue 7): both families, so every comparison in the paper has two columns. */
export const DEFAULT_MODELS: string[] = [...DEMO_MODEL_NAMES];
/** Paper §2.3: localization success is averaged over these IoU thresholds. */
export const PAPER_IOU_THRESHOLDS = [0.5, 0.7, 0.9];

/**
 * Prompt templates; `{object}` is the target's class name, `{categories}` the comma-separated
 * category names of the dataset. The model family's chat template is applied by the inference
 * service, so these are only the user turn.
 */
export const promptsSchema = z
  .object({
    localization: z
      .string()
      .min(1)
      .default('Please provide the bounding box coordinate of the region this sentence describes: {object}.'),
    classification: z
      .string()
      .min(1)
      .default('List all objects in the image. Only use these categories: {categories}.'),
    binary: z.string().min(1).default('Is there a {object} in the image? Answer yes or no.'),
  })
  .strict();

export const datasetSchema = z
  .object({
    /** COCO-format instances JSON (images, annotations with segmentation, categories). */
    annotations: z.string().min(1),
    /** Directory holding the images named by `file_name`. */
    images: z.string().min(1),
  })
  .strict();

/** The one config file format; a file names it so that a later format can be told apart. */
export const CONFIG_FORMAT_VERSION = 1;

/** Fields every experiment config has; `params` is validated by the experiment's own schema. */
export const envelopeSchema = z
  .object({
    experiment: z.string().regex(/^[a-z][a-z0-9-]*$/),
    /**
     * The config file format (only 1 exists). Not a results version: what would alter results is the
     * module's `version` and the config's content, both pinned by the run manifest.
     */
    version: z.literal(CONFIG_FORMAT_VERSION),
    description: z.string().min(1),
    models: z.array(z.string().min(1)).min(1).default(DEFAULT_MODELS),
    /** Omitted: the shipped synthetic evaluation split of the demo (or `--data`). */
    dataset: datasetSchema.optional(),
    /** Number of samples (object annotations) to use; null = all of the dataset. */
    samples: z.number().int().positive().nullable().default(null),
    /** Seed of the sample selection; experiment-specific seeds live in params. */
    seed: z.number().int().nonnegative().default(0),
    prompts: promptsSchema.prefault({}),
    iouThresholds: z.array(z.number().gt(0).lte(1)).min(1).default(PAPER_IOU_THRESHOLDS),
    /** Upper bound on generated tokens per answer. */
    maxNewTokens: z.number().int().positive().default(32),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type Envelope = z.infer<typeof envelopeSchema>;

/** Named overrides applied on top of the base config (deep merge; arrays replace). */
export const PROFILES = ['demo', 'paper'] as const;
export type Profile = (typeof PROFILES)[number];
