// @locscope/client: the locscope.v1 API for callers outside the monorepo. The generated messages and
// grpc-js clients of each proto file (as namespaces, since files share helper names), the most used
// clients and types directly, intervention builders and tensor decoding.
export * as orchestrator from './gen/locscope/v1/orchestrator.ts';
export * as inference from './gen/locscope/v1/inference.ts';
export * as masks from './gen/locscope/v1/masks.ts';
export * as metrics from './gen/locscope/v1/metrics.ts';
export * as inpainting from './gen/locscope/v1/inpainting.ts';
export * as tensor from './gen/locscope/v1/tensor.ts';
export { OrchestratorClient, RunStatus, type Run, type SubmitRunRequest, type WatchRunResponse } from './gen/locscope/v1/orchestrator.ts';
export { InferenceClient, TextSpan, type ScoreRequest, type ScoreResponse, type Variant, type Intervention } from './gen/locscope/v1/inference.ts';
export { DType, type Tensor } from './gen/locscope/v1/tensor.ts';
export { connect, unary, MAX_MESSAGE_BYTES } from './connect.ts';
export { decodeTensor, float32Tensor, TensorDecodeError, type DecodedTensor, type TypedArray } from './tensors.ts';
export { ablateHeads, ablateVisualTokens, knockOutLayers, patchHeads, variant, type PatchSource } from './variants.ts';
