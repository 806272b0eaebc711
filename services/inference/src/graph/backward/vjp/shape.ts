// VJPs of operators that move elements without changing them: the gradient is moved back.
// Reshape-like ops reshape dy to the input's run-time shape; Transpose applies the inverse
// permutation; Expand sums over the expanded axes; Concat slices dy apart; Slice and Gather scatter
// dy into zeros of the input's shape (Gather with 'add', since indices may repeat).
import { attr, type Value, type GraphBuilder } from '@locscope/onnx-graph';
import { unbroadcast } from './unbroadcast.ts';
import { type VjpRule, input, intAttr, intsAttr } from './types.ts';
import { UnsupportedOpError } from '../errors.ts';

const reshapeBack: VjpRule = (c) => [c.wants[0] ? c.b.reshape(c.dy, c.b.shape(input(c, 0))) : null];

const transpose: VjpRule = (c) => {
  const rank = c.fwd.rank(input(c, 0).name);
  const perm = intsAttr(c.node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  return [c.wants[0] ? c.b.transpose(c.dy, inverse) : null];
};

const expand: VjpRule = (c) => {
  const x = input(c, 0);
  return [c.wants[0] ? unbroadcast(c.b, c.dy, c.fwd.rank(c.y.name), x, c.fwd.rank(x.name)) : null, null];
};

const normAxis = (axis: number, rank: number) => (axis < 0 ? axis + rank : axis);

/** The run-time size of `x` along `axis`, as an int64 tensor of shape [1]. */
const sizeAlong = (b: GraphBuilder, x: Value, axis: number) => b.shape(x, axis, axis + 1);

const concat: VjpRule = (c) => {
  const rank = c.fwd.rank(c.y.name);
  const axis = normAxis(intAttr(c.node, 'axis', 0), rank);
  let start: Value = c.b.constI64([0]);
  return c.x.map((x, i) => {
    if (!x) return null;
    const end = c.b.add(start, sizeAlong(c.b, x, axis));
    const grad = c.wants[i] ? c.b.slice(c.dy, start, end, [axis]) : null;
    start = end;
    return grad;
  });
};

/** Scatters `updates` (shaped like the op output) back into zeros shaped like `x` along `axis`. */
function scatterInto(b: GraphBuilder, x: Value, rank: number, axis: number, flatIndices: Value, updates: Value, reduction: 'none' | 'add'): Value {
  const indexShape = Array.from({ length: rank }, (_, i) => (i === axis ? -1 : 1));
  const indices = b.expand(b.reshape(flatIndices, indexShape), b.shape(updates));
  const zeros = b.expand(b.scalarF32(0), b.shape(x));
  return b.node('ScatterElements', [zeros, indices, updates], { axis: attr.int(axis), reduction: attr.string(reduction) })[0];
}

const slice: VjpRule = (c) => {
  const x = input(c, 0);
  const rank = c.fwd.rank(x.name);
  const axesName = c.node.input[3];
  const axes = axesName ? c.fwd.constInts(axesName, `Slice axes of node '${c.node.name}'`) : [0];
  if (axes.length !== 1) throw new UnsupportedOpError(c.node.opType, c.node.name, `slicing ${axes.length} axes at once is not supported`);
  const axis = normAxis(axes[0], rank);
  // Slicing the index range 0..n−1 with the node's own starts/ends/steps yields exactly the source
  // index of every output element, with ONNX's clamping and negative-index rules applied by ONNX.
  const n = c.b.squeeze(sizeAlong(c.b, x, axis), [0]);
  const all = c.b.range(c.b.scalarI64(0), n, c.b.scalarI64(1));
  const steps = c.x[4] ?? null;
  const picked = c.b.node('Slice', [all, input(c, 1), input(c, 2), c.b.constI64([0]), steps])[0];
  return [c.wants[0] ? scatterInto(c.b, x, rank, axis, picked, c.dy, 'none') : null, null, null, null, null];
};

const gather: VjpRule = (c) => {
  const x = input(c, 0);
  const rank = c.fwd.rank(x.name);
  const axis = normAxis(intAttr(c.node, 'axis', 0), rank);
  if (!c.wants[0]) return [null, null];
  // Flatten the index dims of dy into one axis: [x.shape[:axis], K, x.shape[axis+1:]].
  const flatShape = c.b.concat([c.b.shape(x, 0, axis), c.b.constI64([-1]), c.b.shape(x, axis + 1)], 0);
  const flatDy = c.b.reshape(c.dy, flatShape);
  const flatIndices = c.b.reshape(input(c, 1), [-1]);
  return [scatterInto(c.b, x, rank, axis, flatIndices, flatDy, 'add'), null];
};

export const shapeRules: Record<string, VjpRule> = {
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: transpose,
  Expand: expand,
  Concat: concat,
  Slice: slice,
  Gather: gather,
};

