// Public surface of @locscope/inpainting: object removal (dilate + inpaint), its backends, and
// the locscope.v1.Inpainting service registration.
export { removeObject, DEFAULT_METHOD, INPAINT_METHODS, type InpaintMethodName, type LearnedInpainter, type RemoveOptions, type RemoveResult } from './remove.ts';
export { dilateMask, DEFAULT_DILATE_PX, MAX_DILATE_PX } from './dilate.ts';
export { inpaintClassical, DEFAULT_RADIUS, MAX_RADIUS, type ClassicalMethod } from './classical.ts';
export { loadOpenCv, type OpenCv } from './opencv/runtime.ts';
export { OnnxInpainter } from './learned/onnx-inpainter.ts';
export { readLearnedConfig, LEARNED_FLAGS, type OnnxInpainterOptions, DEFAULT_ONNX_INPUT_SIZE, DEFAULT_OUTPUT_RANGE } from './learned/config.ts';
export { type OutputRange } from './learned/tensors.ts';
export { decodeMaskImage, maskFromTensor } from './mask-input.ts';
export { maskFromAnnotation } from './coco-mask.ts';
export { encodeMaskPng, encodeRgbPng } from './png.ts';
export { type BinaryMask, type RgbImage } from './image.ts';
export { inpaintingService, INPAINTING_SERVICE_NAME } from './server/service.ts';
export { inpaintingLauncher, DEFAULT_INPAINTING_PORT, type InpaintingServerConfig } from './launcher.ts';
export { startInpaintingServer, type StartedInpainting } from './server/start.ts';
export { type RemoveHandlerOptions } from './server/remove-handler.ts';
