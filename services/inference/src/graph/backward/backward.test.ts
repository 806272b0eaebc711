// Every VJP rule against central finite differences on small graphs written with our builder
// (broadcasting in both operands, batched MatMul with a broadcast operand, softmax, reductions,
// slicing with negative bounds and steps, gathers with repeated indices, …), as fast-check
// properties over random inputs; and the typed error for an operator without a VJP.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, attr, type Value } from '@locscope/onnx-graph';
import { ModelProto } from '@locscope/onnx-graph/onnx';
import { ForwardGraph } from './forward-graph.ts';
import { differentiate } from './differentiate.ts';
import { appendGraph } from './merge.ts';
import { UnsupportedOpError } from './errors.ts';

const DIMS = [2, 3, 4];
const SIZE = 24;
const H = 2 ** -8;
/** |FD − gradient| ≤ TOL·(1 + |gradient|): float32 FD resolves ~1e-4 here; a wrong rule is off by O(1). */
const TOL = 2e-3;

type Body = (g: GraphBuilder, x: Value) => Value;

/** Graph x[2,3,4] → f = Σ sin(body(x)) (sin makes dy non-uniform), plus df/dx from our backward pass. */
async function gradientSession(body: Body): Promise<ort.InferenceSession> {
  const g = new GraphBuilder('case');
  const x = g.input('x', 'float32', DIMS);
  g.output(g.node('ReduceSum', [g.sin(body(g, x))], { keepdims: attr.int(0) })[0], 'f', 'float32', []);
  const model = ModelProto.decode(g.toBytes());
  const backward = new GraphBuilder('backward');
  backward.scoped('grad', () => backward.output(differentiate(new ForwardGraph(model.graph!), backward, 'f', 'x'), 'dx', 'float32', DIMS));
  appendGraph(model, backward.toBytes(), { replaceOutputs: false });
  return ort.InferenceSession.create(ModelProto.encode(model).finish(), { intraOpNumThreads: 1 });
}

async function checkAgainstFiniteDifferences(session: ort.InferenceSession, x: Float32Array): Promise<void> {
  const run = async (v: Float32Array) => session.run({ x: new ort.Tensor('float32', v, DIMS) });
  const dx = (await run(x)).dx.data as Float32Array;
  const f = async (i: number, k: number) => {
    const v = x.slice();
    v[i] += k * H;
    return ((await run(v)).f.data as Float32Array)[0];
  };
  for (let i = 0; i < SIZE; i++) {
    const fd = (8 * ((await f(i, 1)) - (await f(i, -1))) - ((await f(i, 2)) - (await f(i, -2)))) / (12 * H);
    expect(Math.abs(fd - dx[i]), `coordinate ${i}: backward ${dx[i]}, FD ${fd}`).toBeLessThanOrEqual(TOL * (1 + Math.abs(dx[i])));
  }
}

const cases: Record<string, Body> = {
  'broadcasting Add/Sub/Mul/Div/Pow with ReduceMean (both operands active)': (g, x) => {
    const r = g.reduceMean(x, [-1]); // [2,3,1]
    return g.div(g.sub(g.mul(x, g.constF32([0.5, -1, 2, 1.5])), g.add(r, g.scalarF32(2))), g.add(g.pow(r, g.scalarF32(2)), g.scalarF32(1)));
  },
  'RMSNorm and SiLU': (g, x) => {
    const normed = g.div(x, g.sqrt(g.add(g.reduceMean(g.pow(x, g.scalarF32(2)), [-1]), g.scalarF32(1e-5))));
    return g.mul(normed, g.sigmoid(x));
  },
  'attention: batched MatMul, Softmax, a rank-2 operand broadcast over the batch': (g, x) => {
    const xt = g.transpose(x, [0, 2, 1]); // [2,4,3]
    const probs = g.softmax(g.mul(g.matmul(x, xt), g.scalarF32(0.5)), -1); // [2,3,3]
    const first = g.gather(x, g.scalarI64(0), 0); // [3,4]
    return g.add(g.matmul(probs, x), g.matmul(g.matmul(first, xt), first)); // [2,3,4]
  },
  'Reshape, Transpose, Unsqueeze, Squeeze, Expand, Concat': (g, x) => {
    const wide = g.expand(g.unsqueeze(x, [1]), g.constI64([2, 2, 3, 4])); // [2,2,3,4]
    const back = g.squeeze(g.reshape(g.transpose(wide, [1, 0, 3, 2]), [1, 4, 2, 3, 2]), [0]);
    return g.concat([g.reshape(back, [2, 3, 8]), g.neg(x), g.cos(x)], -1);
  },
  'Slice with negative bounds and steps, Gather with repeated indices': (g, x) => {
    const tail = g.slice(x, [-3], [Number.MAX_SAFE_INTEGER], [2]); // [2,3,3]
    const stepped = g.node('Slice', [x, g.constI64([3]), g.constI64([-5]), g.constI64([-1]), g.constI64([-2])])[0]; // [2,3,2] (cols 3, 1)
    const gathered = g.gather(x, g.constI64([2, 0, 2, 2]), 1); // [2,4,4]
    return g.concat([g.mul(tail, tail), stepped, gathered].map((v) => g.reshape(v, [2, -1])), 1);
  },
  'Where, Max, LogSoftmax, Exp, Cast, Identity': (g, x) => {
    const cond = g.greater(g.constF32([0, 1, -1, 0.5], [4]), g.scalarF32(0.2));
    const picked = g.where(cond, x, g.mul(x, g.scalarF32(3)));
    const floored = g.max(g.identity(picked), g.scalarF32(0.1));
    return g.add(g.logSoftmax(floored, 1), g.cast(g.node('Exp', [g.mul(x, g.scalarF32(0.5))])[0], 'float32'));
  },
};

describe('VJP rules match finite differences', () => {
  test.each(Object.entries(cases))('%s', async (_, body) => {
    const session = await gradientSession(body);
    // Away from 0.1 steps so Max's kink is never inside the stencil.
    const value = fc.float({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v - 0.1) > 0.05 && Math.abs(v - 0.1 / 3) > 0.05);
    await fc.assert(fc.asyncProperty(fc.array(value, { minLength: SIZE, maxLength: SIZE }), (values) => checkAgainstFiniteDifferences(session, Float32Array.from(values))), { numRuns: 5, seed: 7 });
    await session.release();
  });
});

describe('errors', () => {
  test('an operator without a VJP on the differentiated path is a typed error naming it', () => {
    const g = new GraphBuilder('erf');
    const x = g.input('x', 'float32', DIMS);
    g.output(g.erf(x), 'f', 'float32');
    const fwd = new ForwardGraph(ModelProto.decode(g.toBytes()).graph!);
    const differentiateErf = () => differentiate(fwd, new GraphBuilder('backward'), 'f', 'x');
    expect(differentiateErf).toThrow(UnsupportedOpError);
    expect(differentiateErf).toThrow(/node 'Erf' \(op Erf\)/);
  });

  test('an unsupported operator off the path (on constants only) does not matter', () => {
    const g = new GraphBuilder('erf-constant');
    const x = g.input('x', 'float32', DIMS);
    g.output(g.mul(x, g.erf(g.constF32([0.3]))), 'f', 'float32');
    const fwd = new ForwardGraph(ModelProto.decode(g.toBytes()).graph!);
    expect(() => differentiate(fwd, new GraphBuilder('backward'), 'f', 'x')).not.toThrow();
  });

  test('an objective that does not depend on the input is refused', () => {
    const g = new GraphBuilder('constant');
    const x = g.input('x', 'float32', DIMS);
    g.output(g.cast(g.shape(x), 'float32'), 'f', 'float32');
    const fwd = new ForwardGraph(ModelProto.decode(g.toBytes()).graph!);
    expect(() => differentiate(fwd, new GraphBuilder('backward'), 'f', 'x')).toThrow(/does not depend on 'x'/);
  });
});
