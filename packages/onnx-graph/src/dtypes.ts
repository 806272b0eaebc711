// Element types the graph builder deals in, and their ONNX TensorProto.DataType codes.
import { TensorProto_DataType } from './gen/onnx/onnx.ts';

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'bool';

/** The element type a graph computes its activations and stores its weights in. */
export type ComputeDType = 'float32' | 'float16';

const ONNX_CODES: Record<DType, TensorProto_DataType> = {
  float32: TensorProto_DataType.FLOAT,
  float16: TensorProto_DataType.FLOAT16,
  bfloat16: TensorProto_DataType.BFLOAT16,
  int64: TensorProto_DataType.INT64,
  int32: TensorProto_DataType.INT32,
  bool: TensorProto_DataType.BOOL,
};

export function onnxDataType(dtype: DType): TensorProto_DataType {
  return ONNX_CODES[dtype];
}
