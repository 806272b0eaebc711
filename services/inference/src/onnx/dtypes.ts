// Element types the graph builder deals in, and their ONNX TensorProto.DataType codes.
import { TensorProto_DataType } from './gen/onnx/onnx.ts';
import type { WeightDType } from '../checkpoint/types.ts';

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'bool';

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

/** Checkpoint weight dtype (safetensors spelling) → builder dtype. */
export function weightDType(dtype: WeightDType): DType {
  switch (dtype) {
    case 'F32':
      return 'float32';
    case 'F16':
      return 'float16';
    case 'BF16':
      return 'bfloat16';
  }
}
