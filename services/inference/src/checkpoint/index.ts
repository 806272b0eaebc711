// Public surface of checkpoint loading (re-exported by the package index where public).
export type { ModelFamilyName, TensorEntry, WeightDType, WeightStore } from './types.ts';
export * from './errors.ts';
export { DTYPE_BYTES, fromFloat32, isWeightDType, toFloat32, weightDTypeOfTorch } from './dtype.ts';
export { SafetensorsWriteError, writeAll, writeSafetensors, type TensorChunks, type TensorToWrite } from './safetensors-writer.ts';
export { MAX_HEADER_BYTES, SAFETENSORS_DTYPE_BYTES, readByteRange, readSafetensorsHeader, type SafetensorsHeader, type SafetensorsTensorInfo } from './safetensors.ts';
export { canonicalTensorName, legacyTensorName } from './tensor-names.ts';
export { SafetensorsWeightStore, assertShape, type UnsupportedTensor } from './weight-store.ts';
export { SHARD_INDEX_FILE, SINGLE_FILE, openWeightStore } from './checkpoint-files.ts';
export { SUPPORTED_ARCHITECTURES, parseModelConfig, type InternVLModelConfig, type LlavaModelConfig, type ModelConfig } from './model-config.ts';
export type { RopeScaling, TextConfig } from './text-config.ts';
export type { ClipVisionConfig, InternVisionConfig } from './vision-config.ts';
export { OPENAI_CLIP_MEAN, OPENAI_CLIP_STD, type GenerationConfig, type PreprocessorConfig } from './processor-config.ts';
export { EMBED_TOKENS, LM_HEAD, expectedWeights } from './expected-weights.ts';
export { loadTokenizer, type CheckpointTokenizer } from './tokenizer.ts';
export { INTERNVL_IMAGE_END, INTERNVL_IMAGE_START, createPromptFormat, type EncodedPrompt, type PromptFormat, type PromptOptions, type Span, type TeacherForcedPrompt, type TeacherForcingOptions } from './prompt.ts';
export { CONFIG_FILE, GENERATION_CONFIG_FILE, PREPROCESSOR_CONFIG_FILE, loadCheckpoint, validateWeights, type Checkpoint, type LoadCheckpointOptions } from './load-checkpoint.ts';
