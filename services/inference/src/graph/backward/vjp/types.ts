// The contract of one vector-Jacobian product rule: given the forward node, its input and output
// values and the incoming gradient dy of its (single) output, emit nodes computing the gradient of
// each input that `wants` marks (null elsewhere: constants, indices, masks need none).
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import type { NodeProto } from '@locscope/onnx-graph/onnx';
import type { ForwardGraph } from '../forward-graph.ts';
import { BackwardGraphError } from '../errors.ts';

export interface VjpContext {
  b: GraphBuilder;
  fwd: ForwardGraph;
  node: NodeProto;
  /** The forward node's inputs (absent optional inputs are null). */
  x: (Value | null)[];
  y: Value;
  dy: Value;
  wants: boolean[];
  /** The transpose of a 2-D initializer as another initializer, where one exists (see DifferentiateOptions). */
  transposeOf?: (initializer: string) => Value | null;
}

export type VjpRule = (c: VjpContext) => (Value | null)[];

export function intAttr(node: NodeProto, key: string, fallback: number): number {
  const a = node.attribute.find((at) => at.name === key);
  return a ? a.i : fallback;
}

export function intsAttr(node: NodeProto, key: string): number[] | undefined {
  return node.attribute.find((at) => at.name === key)?.ints;
}

/** The forward input i, which the rule requires to be present. */
export function input(c: VjpContext, i: number): Value {
  const v = c.x[i];
  if (!v) throw new BackwardGraphError(`node '${c.node.name}' (op ${c.node.opType}) lacks input ${i}`);
  return v;
}
