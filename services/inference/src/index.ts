// Public surface of @locscope/inference: checkpoint loading, the in-process model API (load,
// encode images, batched forward/score with interventions, greedy generation with a KV cache),
// parity against Hugging Face references, and the gRPC service. The graphs the model runs are
// internal; the builder they are written with is @locscope/onnx-graph.
export * from './checkpoint/index.ts';

export { UnsupportedModelFeatureError } from './graph/errors.ts';

export {
  loadModel,
  Model,
  type DecoderRequest,
  type EncodedImage,
  type ForwardRequest,
  type ForwardResult,
  type GenerateRequest,
  type GenerateResult,
  type LoadModelOptions,
  type ModelInfo,
  type ScoreRequest,
  type TensorData,
} from './runtime/model.ts';
export { validateInterventions, type CheckedInterventions, type HeadAblation, type HeadPatch, type Intervention, type Knockout, type ModelDims } from './interventions/intervention.ts';
export { SessionError, type ExecutionProvider, type Precision } from './runtime/session.ts';

export { Reference } from './parity/reference.ts';
export { ReferenceFormatError } from './parity/errors.ts';
export { DEFAULT_ATOL, runParity, type ParityLine, type ParityReport } from './parity/run-parity.ts';

// The gRPC service (locscope.v1.Inference) and its engine.
export { INFERENCE_SERVICE_NAME, inferenceImplementation, startInferenceServer, type InferenceServiceOptions, type StartedInference } from './server/inference-service.ts';
export { InferenceEngine, type EngineOptions } from './server/engine.ts';
export type { BoundImage } from './server/engine-steps.ts';
export type { TokenMaskPolicy } from './server/token-mask.ts';
export type { AttributionBaselineSpec } from './server/attribution-run.ts';
export { ModelRegistry, demoModelEntries, readModelsFile, type ModelEntry, type ServedPrecision } from './server/model-registry.ts';
export { INFERENCE_FLAGS, readInferenceServerConfig, loadOptionsFor, type InferenceServerConfig } from './server/server-config.ts';
export { inferenceLauncher, DEFAULT_INFERENCE_PORT } from './launcher.ts';
export { DEFAULT_LIMITS, type InferenceLimits } from './server/limits.ts';
export { prepareImage, type PreparedImage } from './server/model-image.ts';
export type { KvCache } from './runtime/model.ts';
