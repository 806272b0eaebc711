// VJPs of reductions and the softmax family along one axis.
//   ReduceSum/ReduceMean: dy broadcast back over the reduced axes (÷ count for the mean).
//   Softmax:    dx = y ⊙ (dy − Σ dy⊙y)
//   LogSoftmax: dx = dy − exp(y) ⊙ Σ dy
import { attr, type Value } from '@locscope/onnx-graph';
import { reduceAxes } from '../forward-graph.ts';
import { type VjpContext, type VjpRule, input, intAttr } from './types.ts';

function sumAlong(c: VjpContext, v: Value, axis: number): Value {
  return c.b.node('ReduceSum', [v, c.b.constI64([axis])], { keepdims: attr.int(1) })[0];
}

const softmax: VjpRule = (c) => {
  const axis = intAttr(c.node, 'axis', -1);
  return [c.wants[0] ? c.b.mul(c.y, c.b.sub(c.dy, sumAlong(c, c.b.mul(c.dy, c.y), axis))) : null];
};

const logSoftmax: VjpRule = (c) => {
  const axis = intAttr(c.node, 'axis', -1);
  return [c.wants[0] ? c.b.sub(c.dy, c.b.mul(c.b.node('Exp', [c.y])[0], sumAlong(c, c.dy, axis))) : null];
};

/** dy with the reduced axes restored (size 1) and broadcast to the input's shape. */
function spread(c: VjpContext): Value {
  const x = input(c, 0);
  const rank = c.fwd.rank(x.name);
  const kept = intAttr(c.node, 'keepdims', 1) === 1 ? c.dy : c.b.unsqueeze(c.dy, reduceAxes(c.fwd, c.node, rank));
  return c.b.expand(kept, c.b.shape(x));
}

const reduceSum: VjpRule = (c) => [c.wants[0] ? spread(c) : null, null];

const reduceMean: VjpRule = (c) => {
  if (!c.wants[0]) return [null];
  // Elements per output = |x| / |y|, read at run time since sizes are symbolic.
  const size = (v: Value) => c.b.node('Size', [v])[0];
  const count = c.b.cast(c.b.div(size(input(c, 0)), size(c.y)), 'float32');
  return [c.b.div(spread(c), count)];
};

export const reduceRules: Record<string, VjpRule> = {
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  ReduceSum: reduceSum,
  ReduceMean: reduceMean,
};
