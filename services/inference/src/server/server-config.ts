// The inference server's whole configuration, parsed in one place: flags, then env, then the models
// file's per-model entries, then named defaults. Every value is checked and an error names its flag
// (or the models file's field). `locscope serve inference --help` lists INFERENCE_FLAGS; the service's
// main.ts, `locscope serve`, and the orchestrator's in-process inference (run, worker) all read it here.
import { join } from 'node:path';
import {
  defineFlags,
  defineLimitFlags,
  InvalidArgumentError,
  intOption,
  limitFlagSpecs,
  readLimitFlags,
  readServiceConfig,
  stringOption,
  type FlagValues,
  type SERVICE_FLAGS,
  type ServiceConfig,
} from '@locscope/server-kit';
import { DEFAULT_ACTIVATION_BUDGET_BYTES, type LoadModelOptions } from '../runtime/model.ts';
import type { ExecutionProvider } from '../runtime/session.ts';
import { DEFAULT_LIMITS, type InferenceLimits } from './limits.ts';
import { DEFAULT_STORED_RUNS, type StoredRunsOptions } from './stored-runs.ts';
import {
  demoModelEntries,
  EXECUTION_PROVIDERS,
  optionalChoice,
  readModelsFile,
  SERVED_PRECISIONS,
  type ModelEntry,
  type ServedPrecision,
} from './model-registry.ts';

export const DEFAULT_EXECUTION_PROVIDER: ExecutionProvider = 'cpu';
export const DEFAULT_PRECISION: ServedPrecision = 'auto';
/** Largest intra-op thread count accepted (a typo, not a machine, has more). */
export const MAX_THREADS = 1024;
/** Largest activation budget accepted: 1 TiB. */
export const MAX_ACTIVATION_BUDGET_BYTES = 2 ** 40;

/** The activation budget every served model loads with: a limit flag, parsed and range-checked like the others. */
interface ActivationBudget {
  /** LoadModelOptions.activationBudgetBytes of every served model. */
  activationBudgetBytes: number;
}
const DEFAULT_ACTIVATION_BUDGET: ActivationBudget = { activationBudgetBytes: DEFAULT_ACTIVATION_BUDGET_BYTES };
const ACTIVATION_BUDGET_FLAGS = defineLimitFlags<ActivationBudget>()({
  'activation-budget-bytes': {
    field: 'activationBudgetBytes',
    env: 'LOCSCOPE_ACTIVATION_BUDGET_BYTES',
    max: MAX_ACTIVATION_BUDGET_BYTES,
    description: 'bytes of decoder activations one batched run may hold: Score, HeadSweep and forwards without captures run their variants in chunks that fit',
  },
});

/** Each served limit: its flag, its env var and the InferenceLimits field it sets, with its bounds. */
const LIMIT_FLAGS = defineLimitFlags<InferenceLimits>()({
  'max-variants': { field: 'maxVariants', env: 'LOCSCOPE_MAX_VARIANTS', max: 4096, description: 'intervention variants per request' },
  'max-queue': { field: 'maxQueued', env: 'LOCSCOPE_MAX_QUEUE', max: 1_000_000, description: 'requests waiting for a forward; more are RESOURCE_EXHAUSTED' },
  'max-sequence': { field: 'maxSequenceTokens', env: 'LOCSCOPE_MAX_SEQUENCE', max: 1_048_576, description: 'tokens in one sequence (image, prompt, target, generated)' },
  'max-ig-steps': { field: 'maxAttributionSteps', env: 'LOCSCOPE_MAX_IG_STEPS', max: 100_000, description: 'integrated-gradients steps per Attribute request' },
});

/** The budget and lifetime of the runs Capture keeps under `store_as`. */
const STORED_RUN_FLAGS = defineLimitFlags<Required<StoredRunsOptions>>()({
  'max-stored-run-bytes': { field: 'maxBytes', env: 'LOCSCOPE_MAX_STORED_RUN_BYTES', max: 2 ** 40, description: 'bytes all stored runs (Capture store_as) hold; past it the least recently used go' },
  'stored-run-ttl-ms': { field: 'ttlMs', env: 'LOCSCOPE_STORED_RUN_TTL_MS', max: 7 * 24 * 3600 * 1000, description: 'a stored run unused this long is forgotten' },
});

export const INFERENCE_FLAGS = defineFlags({
  models: { type: 'string', value: 'FILE', description: 'models file (YAML/JSON): models: [{name, dir, preload?, executionProvider?, precision?}]', default: 'the shipped demo models', env: 'LOCSCOPE_MODELS' },
  'execution-provider': { type: 'string', value: EXECUTION_PROVIDERS.join('|'), description: 'onnxruntime execution provider (cuda needs its GPU build)', default: DEFAULT_EXECUTION_PROVIDER, env: 'LOCSCOPE_EXECUTION_PROVIDER' },
  precision: { type: 'string', value: SERVED_PRECISIONS.join('|'), description: 'compute precision; auto = float32 for float32 checkpoints, float16 for fp16/bf16 ones', default: DEFAULT_PRECISION, env: 'LOCSCOPE_PRECISION' },
  threads: { type: 'string', value: 'N', description: 'intra-op threads per forward', default: 'all cores', env: 'LOCSCOPE_THREADS' },
  ...limitFlagSpecs(ACTIVATION_BUDGET_FLAGS, DEFAULT_ACTIVATION_BUDGET),
  'cache-dir': { type: 'string', value: 'DIR', description: 'cache folder; prepared weights go to DIR/weights', default: '~/.cache/locscope', env: 'LOCSCOPE_CACHE_DIR' },
  ...limitFlagSpecs(LIMIT_FLAGS, DEFAULT_LIMITS),
  ...limitFlagSpecs(STORED_RUN_FLAGS, DEFAULT_STORED_RUNS),
});

export interface InferenceServerConfig extends ServiceConfig, ActivationBudget {
  /** The served models, each with its execution provider and precision resolved. */
  models: (ModelEntry & { executionProvider: ExecutionProvider; precision: ServedPrecision })[];
  /** Intra-op threads; undefined = onnxruntime's choice (all cores). */
  threads: number | undefined;
  /** Cache root (prepared weights in `cacheDir/weights`); undefined = the runtime's default. */
  cacheDir: string | undefined;
  limits: InferenceLimits;
  storedRuns: Required<StoredRunsOptions>;
}

type InferenceFlagValues = FlagValues<typeof SERVICE_FLAGS> & FlagValues<typeof INFERENCE_FLAGS>;

/** The inference server's config: flags, then env, then the models file's entries, then named defaults. */
export function readInferenceServerConfig(values: InferenceFlagValues, env: NodeJS.ProcessEnv, defaultPort: number): InferenceServerConfig {
  const value = (flag: keyof typeof INFERENCE_FLAGS) => stringOption(values[flag], env[INFERENCE_FLAGS[flag].env]);
  const modelsFile = value('models');
  const entries = modelsFile ? readModelsFile(modelsFile) : demoModelEntries();
  const executionProvider = optionalChoice(value('execution-provider'), EXECUTION_PROVIDERS, 'execution-provider');
  const precision = optionalChoice(value('precision'), SERVED_PRECISIONS, 'precision');
  const threads = value('threads');
  const cacheDir = value('cache-dir');
  if (cacheDir !== undefined && cacheDir.trim() === '') throw new InvalidArgumentError('must name a folder', { field: 'cache-dir' });
  return {
    ...readServiceConfig(values, env, defaultPort),
    models: entries.map((entry) => ({
      ...entry,
      executionProvider: executionProvider ?? entry.executionProvider ?? DEFAULT_EXECUTION_PROVIDER,
      precision: precision ?? entry.precision ?? DEFAULT_PRECISION,
    })),
    threads: threads === undefined ? undefined : intOption('threads', threads, 0, 1, MAX_THREADS),
    cacheDir,
    ...readLimitFlags(ACTIVATION_BUDGET_FLAGS, DEFAULT_ACTIVATION_BUDGET, values, env),
    limits: readLimitFlags(LIMIT_FLAGS, DEFAULT_LIMITS, values, env),
    storedRuns: readLimitFlags(STORED_RUN_FLAGS, DEFAULT_STORED_RUNS, values, env),
  };
}

/** What `loadModel` gets for one served model (entries as readInferenceServerConfig resolved them). */
export function loadOptionsFor(config: Pick<InferenceServerConfig, 'threads' | 'cacheDir' | 'activationBudgetBytes'>, entry: ModelEntry): LoadModelOptions {
  return {
    activationBudgetBytes: config.activationBudgetBytes,
    ...(entry.executionProvider !== undefined && { executionProvider: entry.executionProvider }),
    // auto leaves the precision to the loader, which takes it from the checkpoint's dtype.
    ...(entry.precision !== undefined && entry.precision !== 'auto' && { precision: entry.precision }),
    ...(config.threads !== undefined && { intraOpNumThreads: config.threads }),
    ...(config.cacheDir !== undefined && { cacheDir: join(config.cacheDir, 'weights') }),
  };
}
