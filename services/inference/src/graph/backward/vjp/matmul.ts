// VJP of (batched, broadcasting) MatMul y = a·b over the last two axes:
//   da = dy·bᵀ, db = aᵀ·dy, each summed over the batch axes its operand was broadcast along.
import { unbroadcast } from './unbroadcast.ts';
import { type VjpContext, type VjpRule, input, intsAttr } from './types.ts';
import type { Value } from '@locscope/onnx-graph';

/**
 * vᵀ over the last two axes. When v is itself such a transpose (attention's q·kᵀ), its input is
 * returned instead of a second Transpose; for an initializer (a linear weight), or a Cast of one
 * (float16 weights in a float32 graph), the caller's stored transpose of that initializer when it
 * has one, instead of a Transpose onnxruntime would fold into a private copy of the weight.
 */
function swapLastTwo(c: VjpContext, v: Value, rank: number): Value {
  const producer = c.fwd.producers.get(v.name);
  const weight = producer?.opType === 'Cast' ? producer.input[0] : v.name;
  const stored = rank === 2 && c.fwd.isInitializer(weight) ? c.transposeOf?.(weight) : null;
  if (stored) return stored;
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  const producerPerm = producer?.opType === 'Transpose' ? intsAttr(producer, 'perm') : undefined;
  if (producer && producerPerm && producerPerm.join(',') === perm.join(',')) return { name: producer.input[0] };
  return c.b.transpose(v, perm);
}

export const matmul: VjpRule = (c) => {
  const [a, bm] = [input(c, 0), input(c, 1)];
  const [ra, rb, ry] = [c.fwd.rank(a.name), c.fwd.rank(bm.name), c.fwd.rank(c.y.name)];
  return [
    c.wants[0] ? unbroadcast(c.b, c.b.matmul(c.dy, swapLastTwo(c, bm, rb)), ry, a, ra) : null,
    c.wants[1] ? unbroadcast(c.b, c.b.matmul(swapLastTwo(c, a, ra), c.dy), ry, bm, rb) : null,
  ];
};
