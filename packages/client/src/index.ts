// @locscope/client: the locscope.v1 API for callers outside the monorepo. The generated messages and
// grpc-js clients of each proto file (as namespaces, since files share helper names), the most used
// clients and types directly, intervention builders and tensor decoding.
export * as orchestrator from './gen/locscope/v1/orchestrator.js';
export * as inference from './gen/locscope/v1/inference.js';
export * as masks from './gen/locscope/v1/masks.js';
export * as metrics from './gen/locscope/v1/metrics.js';
export * as inpainting from './gen/locscope/v1/inpainting.js';
export * as tensor from './gen/locscope/v1/tensor.js';
/** The Open Inference Protocol v2 (inference.GRPCInferenceService) the inference service also speaks. */
export * as oip from './gen/inference/grpc_predict_v2.js';
export { OrchestratorClient, RunStatus, type Run, type SubmitRunRequest, type WatchRunResponse } from './gen/locscope/v1/orchestrator.js';
export { InferenceClient, TextSpan, type ScoreRequest, type ScoreResponse, type Variant, type Intervention } from './gen/locscope/v1/inference.js';
export { DType, type Tensor } from './gen/locscope/v1/tensor.js';
export { connect, unary, MAX_MESSAGE_BYTES } from './connect.js';
export { decodeTensor, float32Tensor, TensorDecodeError, type DecodedTensor, type TypedArray } from './tensors.js';
export { ablateHeads, ablateVisualTokens, knockOutLayers, patchHeads, variant, type PatchSource } from './variants.js';
