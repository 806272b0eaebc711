// loadCheckpoint(dir): a Hugging Face checkpoint directory → typed config, weight index (no
// weight data read), tokenizer, prompt format, preprocessing and generation settings.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openWeightStore } from './checkpoint-files.ts';
import { CheckpointNotFoundError } from './errors.ts';
import { EMBED_TOKENS, LM_HEAD, expectedWeights } from './expected-weights.ts';
import { parseWith, readJson, readOptionalJson } from './json-file.ts';
import { parseModelConfig, type ModelConfig } from './model-config.ts';
import { generationConfigSchema, preprocessorConfigSchema, toGenerationConfig, toPreprocessorConfig, type GenerationConfig, type PreprocessorConfig } from './processor-config.ts';
import { createPromptFormat, type PromptFormat } from './prompt.ts';
import { loadTokenizer, type CheckpointTokenizer } from './tokenizer.ts';
import type { ModelFamilyName, WeightStore } from './types.ts';
import { assertShape } from './weight-store.ts';

export const CONFIG_FILE = 'config.json';
export const PREPROCESSOR_CONFIG_FILE = 'preprocessor_config.json';
export const GENERATION_CONFIG_FILE = 'generation_config.json';

export interface Checkpoint {
  /** Absolute path of the checkpoint directory. */
  dir: string;
  family: ModelFamilyName;
  config: ModelConfig;
  /** Canonical names; `lm_head.weight` resolves to the embeddings when they are tied. */
  weights: WeightStore;
  /** Absent when the directory has no tokenizer.json (prompt encoding then fails naming it). */
  tokenizer?: CheckpointTokenizer;
  prompt: PromptFormat;
  preprocessor: PreprocessorConfig;
  generation: GenerationConfig;
}

export interface LoadCheckpointOptions {
  /** Check every tensor the config implies for presence and shape (headers only, cheap). Default true. */
  validate?: boolean;
}

const LLAVA_VISION_TOWER = 'model.vision_tower.';
const CLIP_TOWER = `${LLAVA_VISION_TOWER}vision_model.`;

export function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Checkpoint {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new CheckpointNotFoundError(root, 'checkpoint directory');
  const configFile = join(root, CONFIG_FILE);
  if (!existsSync(configFile)) throw new CheckpointNotFoundError(configFile, 'model config');
  const config = parseModelConfig(readJson(configFile), configFile);

  let weights = openWeightStore(root);
  // transformers 5 saves LLaVA's CLIP tower without its `vision_model.` level.
  if (config.family === 'llava' && !weights.has(`${CLIP_TOWER}embeddings.class_embedding`) && weights.has(`${LLAVA_VISION_TOWER}embeddings.class_embedding`)) {
    weights = weights.withPrefixMoved(LLAVA_VISION_TOWER, CLIP_TOWER);
  }
  // Tied models (e.g. Qwen3-0.6B inside InternVL-3.5-1B) store no lm_head; transformers reuses the embeddings.
  if (config.tieWordEmbeddings && !weights.has(LM_HEAD) && weights.has(EMBED_TOKENS)) weights = weights.withAlias(LM_HEAD, EMBED_TOKENS);

  const tokenizer = loadTokenizer(root);
  const preprocessorFile = join(root, PREPROCESSOR_CONFIG_FILE);
  const preprocessorJson = readOptionalJson(preprocessorFile) ?? {};
  const modelImageSize = config.family === 'llava'
    ? { height: config.vision.imageSize, width: config.vision.imageSize }
    : { height: config.vision.imageSize[0], width: config.vision.imageSize[1] };
  const preprocessor = toPreprocessorConfig(parseWith(preprocessorConfigSchema, preprocessorJson, preprocessorFile), modelImageSize);
  const generationFile = join(root, GENERATION_CONFIG_FILE);
  const generationJson = readOptionalJson(generationFile);
  const generation = toGenerationConfig(generationJson === undefined ? undefined : parseWith(generationConfigSchema, generationJson, generationFile), config.text);

  const checkpoint: Checkpoint = {
    dir: root,
    family: config.family,
    config,
    weights,
    ...(tokenizer ? { tokenizer } : {}),
    prompt: createPromptFormat(config, root, tokenizer, generation.eosTokenIds),
    preprocessor,
    generation,
  };
  if (options.validate ?? true) validateWeights(checkpoint);
  return checkpoint;
}

/**
 * Every tensor the config implies must exist with the implied shape: throws MissingTensorError
 * or TensorShapeError naming the tensor (and file, expected/actual shape) for the first defect.
 */
export function validateWeights(checkpoint: Pick<Checkpoint, 'config' | 'weights'>): void {
  for (const [name, shape] of expectedWeights(checkpoint.config)) {
    assertShape(checkpoint.weights.get(name), shape, `implied by ${CONFIG_FILE}`);
  }
}

