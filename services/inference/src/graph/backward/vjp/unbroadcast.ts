// Sums a gradient over the axes along which numpy-style broadcasting expanded an operand, so the
// result has the operand's shape. Leading axes (the operand has lower rank) are known statically;
// size-1 axes of the operand are found at run time (sizes are symbolic), as the axes where the
// operand's size is smaller than the gradient's.
import { type GraphBuilder, type Value, attr } from '@locscope/onnx-graph';

export function unbroadcast(b: GraphBuilder, dy: Value, dyRank: number, x: Value, xRank: number): Value {
  let g = dy;
  if (dyRank > xRank) {
    const leading = Array.from({ length: dyRank - xRank }, (_, i) => i);
    g = b.node('ReduceSum', [g, b.constI64(leading)], { keepdims: attr.int(0) })[0];
  }
  if (xRank === 0) return g;
  const smaller = b.node('Less', [b.shape(x), b.shape(g)])[0];
  const axes = b.reshape(b.node('NonZero', [smaller])[0], [-1]);
  // With no broadcast axes this is the identity (noop_with_empty_axes), not a full reduction.
  return b.node('ReduceSum', [g, axes], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) })[0];
}
