// Reverse-mode differentiation of a forward graph: appends, to a builder, the nodes that compute
// d(objective)/d(wrt) where objective is any float output (seeded with ones, so a batch of
// independent rows gets each row's own gradient). Only values that depend on `wrt` and lead to
// the objective get gradients; weights, masks, RoPE tables and index computations are constants
// of the backward pass, so no VJP is emitted for them.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import { type NodeProto, TensorProto_DataType } from '@locscope/onnx-graph/onnx';
import { ForwardGraph } from './forward-graph.ts';
import { BackwardGraphError, UnsupportedOpError } from './errors.ts';
import { VJP_RULES } from './vjp/index.ts';
import { intAttr } from './vjp/types.ts';

/** Ops whose outputs are piecewise constant in their inputs (comparisons, shapes, indices). */
const NON_DIFFERENTIABLE = new Set(['Shape', 'Size', 'Range', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'NonZero', 'ArgMax', 'ConstantOfShape', 'Not', 'And', 'Or']);

function propagatesGradient(node: NodeProto): boolean {
  if (NON_DIFFERENTIABLE.has(node.opType)) return false;
  // A cast to an integer or bool type cuts the gradient; float32 → float32 passes it through.
  if (node.opType === 'Cast') return intAttr(node, 'to', 0) === TensorProto_DataType.FLOAT;
  return true;
}

/** Values that depend differentiably on `wrt`, in a forward sweep over the (topologically ordered) nodes. */
function activeValues(fwd: ForwardGraph, wrt: string): Set<string> {
  const active = new Set([wrt]);
  for (const node of fwd.nodes) {
    if (propagatesGradient(node) && node.input.some((name) => active.has(name))) for (const out of node.output) active.add(out);
  }
  return active;
}

/** Active values from which the objective is reachable: the only ones that need a gradient. */
function neededValues(fwd: ForwardGraph, active: Set<string>, objective: string): Set<string> {
  const needed = new Set([objective]);
  for (let i = fwd.nodes.length - 1; i >= 0; i--) {
    const node = fwd.nodes[i];
    if (!node.output.some((out) => needed.has(out)) || !propagatesGradient(node)) continue;
    for (const name of node.input) if (active.has(name)) needed.add(name);
  }
  return needed;
}

function accumulate(b: GraphBuilder, parts: Value[]): Value {
  return parts.length === 1 ? parts[0] : b.node('Sum', parts)[0];
}

export interface DifferentiateOptions {
  /**
   * The transpose of a 2-D initializer as another initializer (e.g. a linear weight stored both
   * ways on disk), or null: a Transpose node of a constant would be folded by onnxruntime into a
   * private copy in the backward session.
   */
  transposeOf?: (initializer: string) => Value | null;
}

/** Emits the backward pass into `b`; returns the value holding d(objective)/d(wrt) (shape of `wrt`). */
export function differentiate(fwd: ForwardGraph, b: GraphBuilder, objective: string, wrt: string, options: DifferentiateOptions = {}): Value {
  const active = activeValues(fwd, wrt);
  if (!active.has(objective)) throw new BackwardGraphError(`objective '${objective}' does not depend on '${wrt}'`);
  const needed = neededValues(fwd, active, objective);
  const grads = new Map<string, Value[]>();
  const pending = (name: string, grad: Value) => grads.set(name, [...(grads.get(name) ?? []), grad]);
  pending(objective, b.expand(b.scalarF32(1), b.shape({ name: objective })));

  for (let i = fwd.nodes.length - 1; i >= 0; i--) {
    const node = fwd.nodes[i];
    const incoming = node.output.flatMap((out) => grads.get(out) ?? []);
    if (incoming.length === 0) continue;
    const rule = VJP_RULES[node.opType];
    if (!rule) throw new UnsupportedOpError(node.opType, node.name);
    if (node.output.length !== 1) throw new UnsupportedOpError(node.opType, node.name, 'only single-output nodes are supported');
    const wants = node.input.map((name) => name !== '' && needed.has(name));
    const inputGrads = b.scoped(node.name, () =>
      rule({
        b,
        fwd,
        node,
        x: node.input.map((name) => (name === '' ? null : { name })),
        y: { name: node.output[0] },
        dy: accumulate(b, incoming),
        wants,
        ...(options.transposeOf ? { transposeOf: options.transposeOf } : {}),
      }),
    );
    wants.forEach((want, k) => {
      const grad = inputGrads[k];
      if (want && grad) pending(node.input[k], grad);
    });
  }
  const result = grads.get(wrt);
  if (!result) throw new BackwardGraphError(`no gradient reached '${wrt}'`);
  return b.scoped('total', () => accumulate(b, result));
}
