// VJPs of elementwise operators. Binary ones broadcast, so each input's gradient is summed back to
// that input's shape (unbroadcast). Unary ones reuse the forward output where the derivative is a
// function of it (sqrt, sigmoid, exp) instead of recomputing from the input.
import { unbroadcast } from './unbroadcast.ts';
import { type VjpContext, type VjpRule, input } from './types.ts';
import type { Value } from '@locscope/onnx-graph';
import { UnsupportedOpError } from '../errors.ts';

/** Gradient contributions g_i (already of dy's shape) summed back to input i's shape. */
function toInputs(c: VjpContext, grads: ((() => Value) | null)[]): (Value | null)[] {
  const dyRank = c.fwd.rank(c.y.name);
  return grads.map((make, i) => (c.wants[i] && make ? unbroadcast(c.b, make(), dyRank, input(c, i), c.fwd.rank(input(c, i).name)) : null));
}

const add: VjpRule = (c) => toInputs(c, [() => c.dy, () => c.dy]);
const sub: VjpRule = (c) => toInputs(c, [() => c.dy, () => c.b.neg(c.dy)]);
const mul: VjpRule = (c) => toInputs(c, [() => c.b.mul(c.dy, input(c, 1)), () => c.b.mul(c.dy, input(c, 0))]);
// d(a/b)/db = −a/b² = −y/b.
const div: VjpRule = (c) => toInputs(c, [() => c.b.div(c.dy, input(c, 1)), () => c.b.neg(c.b.div(c.b.mul(c.dy, c.y), input(c, 1)))]);

const pow: VjpRule = (c) => {
  if (c.wants[1]) throw new UnsupportedOpError(c.node.opType, c.node.name, 'a differentiable exponent is not supported');
  const [base, exponent] = [input(c, 0), input(c, 1)];
  const one = c.b.scalarF32(1);
  return toInputs(c, [() => c.b.mul(c.dy, c.b.mul(exponent, c.b.pow(base, c.b.sub(exponent, one)))), null]);
};

// Where(cond, a, b): the gradient flows to whichever branch was selected.
const where: VjpRule = (c) => {
  const zero = c.b.scalarF32(0);
  const cond = input(c, 0);
  return toInputs(c, [null, () => c.b.where(cond, c.dy, zero), () => c.b.where(cond, zero, c.dy)]);
};

// Max(a, b): ties send the gradient to a (a subgradient; ties have measure zero for real inputs).
const max: VjpRule = (c) => {
  if (c.node.input.length !== 2) throw new UnsupportedOpError(c.node.opType, c.node.name, 'only two-input Max is supported');
  const zero = c.b.scalarF32(0);
  const aWins = c.b.node('GreaterOrEqual', [input(c, 0), input(c, 1)])[0];
  return toInputs(c, [() => c.b.where(aWins, c.dy, zero), () => c.b.where(aWins, zero, c.dy)]);
};

const unary = (derivative: (c: VjpContext) => Value): VjpRule => (c) => [c.wants[0] ? derivative(c) : null];

export const elementwiseRules: Record<string, VjpRule> = {
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Pow: pow,
  Where: where,
  Max: max,
  Neg: unary((c) => c.b.neg(c.dy)),
  Identity: unary((c) => c.dy),
  // d√x = 1/(2√x).
  Sqrt: unary((c) => c.b.div(c.b.mul(c.dy, c.b.scalarF32(0.5)), c.y)),
  // σ' = σ(1 − σ).
  Sigmoid: unary((c) => c.b.mul(c.dy, c.b.mul(c.y, c.b.sub(c.b.scalarF32(1), c.y)))),
  Exp: unary((c) => c.b.mul(c.dy, c.y)),
  Cos: unary((c) => c.b.neg(c.b.mul(c.dy, c.b.sin(input(c, 0))))),
  Sin: unary((c) => c.b.mul(c.dy, c.b.cos(input(c, 0)))),
  // Only float → float casts are differentiable (see differentiate.ts); the gradient passes through.
  Cast: unary((c) => c.dy),
};
