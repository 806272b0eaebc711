// promoteToFloat64: same float32 interface, double-precision arithmetic inside (checked by a
// sum that float32 cannot represent), float32-only operators still run, in-graph casts follow.
import { describe, expect, test } from 'vitest';
import { tmpdir } from 'node:os';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, promoteToFloat64 } from '@locscope/onnx-graph';
import { createSession } from '../runtime/session.ts';

function graph(): GraphBuilder {
  const g = new GraphBuilder('precision');
  const x = g.input('x', 'float32', [2]);
  const big = g.scalarF32(1e8);
  // (x + 1e8) − 1e8: float32 loses x (ulp of 1e8 is 8), float64 keeps it.
  g.output(g.sub(g.add(x, big), big), 'roundtrip', 'float32', [2]);
  // Erf has no double kernel: it must still run (in float32 between casts); Cast(to float) follows the promotion.
  g.output(g.erf(g.cast(g.cast(x, 'int64'), 'float32')), 'erf', 'float32', [2]);
  return g;
}

async function run(precision: 'float32' | 'float64'): Promise<Record<string, ort.Tensor>> {
  const session = await createSession('precision', graph().toBytes(), tmpdir(), { executionProvider: 'cpu', intraOpNumThreads: 1, precision });
  try {
    return (await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 3]), [2]) })) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

describe('promoteToFloat64', () => {
  test('computes in double behind float32 inputs and outputs', async () => {
    const single = await run('float32');
    const double = await run('float64');
    expect(Array.from(single.roundtrip.data as Float32Array)).toEqual([0, 0]);
    expect(double.roundtrip.type).toBe('float32');
    expect(Array.from(double.roundtrip.data as Float32Array)).toEqual([1, 3]);
    const erf = Array.from(double.erf.data as Float32Array);
    expect(erf[0]).toBeCloseTo(0.8427007929, 6);
    expect(erf[1]).toBeCloseTo(0.9999779095, 6);
  });

  test('leaves integer inputs, outputs and arithmetic alone', async () => {
    const g = new GraphBuilder('ints');
    const x = g.input('x', 'int64', [1]);
    g.output(g.add(x, g.scalarI64(1)), 'y', 'int64', [1]);
    const session = await ort.InferenceSession.create(promoteToFloat64(g.toBytes()));
    const out = await session.run({ x: new ort.Tensor('int64', BigInt64Array.from([41n]), [1]) });
    expect(out.y.type).toBe('int64');
    expect(Array.from(out.y.data as BigInt64Array)).toEqual([42n]);
    await session.release();
  });
});
