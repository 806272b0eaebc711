// Every operator the backward pass can differentiate, by ONNX op type.
import { elementwiseRules } from './elementwise.ts';
import { shapeRules } from './shape.ts';
import { reduceRules } from './reduce.ts';
import { matmul } from './matmul.ts';
import type { VjpRule } from './types.ts';

export type { VjpContext, VjpRule } from './types.ts';

export const VJP_RULES: Readonly<Record<string, VjpRule>> = {
  ...elementwiseRules,
  ...shapeRules,
  ...reduceRules,
  MatMul: matmul,
};
