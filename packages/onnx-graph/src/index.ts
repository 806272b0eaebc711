// Public surface of @locscope/onnx-graph: the builder the inference service's model graphs are
// written with (and the inpainting service's test models), the element types it deals in, and
// the float64 promotion of a built graph. The ONNX IR messages themselves: `@locscope/onnx-graph/onnx`.
export { GraphBuilder } from './graph-builder.ts';
export { GraphCore, GraphError, attr, DEFAULT_OPSET, type Attribute, type Dim, type ExternalLocation, type ModelOptions, type OpOptions, type Value } from './graph-core.ts';
export { onnxDataType, type ComputeDType, type DType } from './dtypes.ts';
export { FLOAT32_ONLY_OPS, promoteToFloat64 } from './float64.ts';
