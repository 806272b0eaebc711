// The graph builder against onnxruntime (the ONNX reference runtime we did not write): small
// graphs built with the typed API must compute what plain JS arithmetic computes, checkpoint
// weights must be external data in prepared float32 files (F16/BF16 widened as the checkpoint
// reader widens, linear weights transposed and stacked), and bookkeeping mistakes must fail with a
// named error.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { setFloat16 } from '@petamoriken/float16';
import { GraphBuilder } from '@locscope/onnx-graph';
import { ModelProto, TensorProto_DataLocation } from '@locscope/onnx-graph/onnx';
import { CheckpointWeights } from './checkpoint-weights.ts';
import { PreparedWeights } from './prepared-weights.ts';
import { openWeightStore, toFloat32, writeSafetensors } from '../checkpoint/index.ts';
import { createSession } from '../runtime/session.ts';

async function run(g: GraphBuilder, feeds: Record<string, ort.Tensor>, weightsDir = tmpdir()): Promise<Record<string, ort.Tensor>> {
  const session = await createSession(g.name, g.toBytes(), weightsDir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

const matrix = (rows: number, cols: number) =>
  fc.array(fc.float({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }), { minLength: rows * cols, maxLength: rows * cols }).map((a) => Float32Array.from(a));

describe('typed ops', () => {
  test('linear + softmax equal a JS reference on random inputs', async () => {
    await fc.assert(
      fc.asyncProperty(matrix(3, 4), matrix(4, 5), matrix(1, 5), async (x, w, b) => {
        const g = new GraphBuilder('linear-softmax');
        const xv = g.input('x', 'float32', ['rows', 4]);
        const y = g.softmax(g.linear(xv, g.constF32(w, [4, 5]), g.constF32(b, [5])), -1);
        g.output(y, 'y', 'float32', ['rows', 5]);
        const out = (await run(g, { x: new ort.Tensor('float32', x, [3, 4]) })).y.data as Float32Array;
        for (let r = 0; r < 3; r++) {
          const z = Array.from({ length: 5 }, (_, o) => b[o] + Array.from({ length: 4 }, (_, i) => x[r * 4 + i] * w[i * 5 + o]).reduce((s, v) => s + v, 0));
          const m = Math.max(...z);
          const e = z.map((v) => Math.exp(v - m));
          const sum = e.reduce((s, v) => s + v, 0);
          e.forEach((v, o) => expect(out[r * 5 + o]).toBeCloseTo(v / sum, 5));
        }
      }),
      { numRuns: 15 },
    );
  });

  test('layerNorm, reshape/transpose and slice/concat follow their ONNX definitions', async () => {
    const g = new GraphBuilder('shapes');
    const x = g.input('x', 'float32', [2, 3]);
    const normed = g.layerNorm(x, g.constF32([1, 2, 3]), g.constF32([0, 0, 1]), 1e-5);
    g.output(normed, 'normed', 'float32');
    g.output(g.transpose(g.reshape(x, [3, 2]), [1, 0]), 'tr', 'float32');
    g.output(g.concat([g.slice(x, [1], [3], [1]), g.slice(x, [0], [1], [1])], 1), 'rot', 'float32');
    const out = await run(g, { x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 6, 8]), [2, 3]) });
    expect(Array.from(out.tr.data as Float32Array)).toEqual([1, 3, 6, 2, 4, 8]);
    expect(Array.from(out.rot.data as Float32Array)).toEqual([2, 3, 1, 6, 8, 4]);
    const n = out.normed.data as Float32Array;
    const sd = Math.sqrt(2 / 3 + 1e-5);
    expect(n[0]).toBeCloseTo((-1 / sd) * 1, 5);
    expect(n[2]).toBeCloseTo((1 / sd) * 3 + 1, 5);
    expect(n[3]).toBeCloseTo((-2 / Math.sqrt(8 / 3 + 1e-5)) * 1, 5);
  });
});

describe('checkpoint weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'locscope-onnx-'));
  const values = Float32Array.from({ length: 12 }, (_, i) => (i - 5.5) / 3);
  // Round-to-nearest-even of the top 16 bits: the bf16 encoding of each value.
  const bf16 = Uint16Array.from(new Uint32Array(values.buffer), (u) => (u + 0x7fff + ((u >> 16) & 1)) >>> 16);
  const f16 = new Uint16Array(values.length);
  values.forEach((v, i) => setFloat16(new DataView(f16.buffer), i * 2, v, true));
  writeSafetensors(join(dir, 'model.safetensors'), [
    { name: 'pad', dtype: 'F32', shape: [3], data: new Float32Array(3) },
    { name: 'w32', dtype: 'F32', shape: [3, 4], data: values },
    { name: 'w16', dtype: 'F16', shape: [3, 4], data: f16 },
    { name: 'wbf', dtype: 'BF16', shape: [3, 4], data: bf16 },
  ]);
  const store = openWeightStore(dir);
  const weights = PreparedWeights.open(store, mkdtempSync(join(tmpdir(), 'locscope-prepared-')));

  test.each(['w32', 'w16', 'wbf'])('%s is float32 external data in a prepared file, widened as the checkpoint reader widens', async (name) => {
    const g = new GraphBuilder(`ext-${name}`);
    const w = new CheckpointWeights(g, weights);
    g.output(g.identity(w.tensor(name, [3, 4])), 'out', 'float32');
    await weights.flush();
    const out = await run(g, {}, weights.dir);
    expect(Array.from(out.out.data as Float32Array)).toEqual(Array.from(store.readFloat32(name)));
    // The initializer points at its file; no bytes are copied into the model.
    const init = ModelProto.decode(g.toBytes()).graph!.initializer.find((t) => t.name === name)!;
    expect(init.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    expect(init.rawData.length).toBe(0);
    expect(Object.fromEntries(init.externalData.map((e) => [e.key, e.value]))).toEqual({ location: `${name}.f32`, offset: '0', length: '48' });
  });

  test('linear layers stacked from [out, in] weights compute each projection side by side', async () => {
    const g = new GraphBuilder('stacked');
    const x = g.input('x', 'float32', [2, 4]);
    g.output(g.linear(x, new CheckpointWeights(g, weights).linear(['w32', 'w16'], [[3, 4], [3, 4]]), null), 'y', 'float32');
    const xs = Float32Array.from({ length: 8 }, (_, i) => Math.cos(i));
    await weights.flush();
    const y = (await run(g, { x: new ort.Tensor('float32', xs, [2, 4]) }, weights.dir)).y.data as Float32Array;
    const [a, b] = [store.readFloat32('w32'), store.readFloat32('w16')];
    for (let r = 0; r < 2; r++) {
      for (let o = 0; o < 6; o++) {
        const m = o < 3 ? a : b;
        const expected = [0, 1, 2, 3].reduce((sum, i) => sum + xs[r * 4 + i] * m[(o % 3) * 4 + i], 0);
        expect(y[r * 6 + o]).toBeCloseTo(expected, 5);
      }
    }
  });

  test('a weight of the wrong shape is rejected naming the tensor', () => {
    const w = new CheckpointWeights(new GraphBuilder('bad-shape'), weights);
    expect(() => w.tensor('w32', [4, 3])).toThrow(/w32.*\[3, 4\].*\[4, 3\]/);
    expect(() => w.linear(['w16', 'w32'], [[3, 4], [4, 3]])).toThrow(/w32.*\[3, 4\].*\[4, 3\]/);
  });

  test('widening matches the checkpoint reader', () => {
    expect(Array.from(toFloat32(new Uint8Array(bf16.buffer), 'BF16'))).toEqual(Array.from(store.readFloat32('wbf')));
  });
});

describe('bookkeeping errors', () => {
  test('a value name defined twice', () => {
    const g = new GraphBuilder('dup');
    g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow(/value name x is defined twice/);
  });

  test('an operator domain without an opset version', () => {
    const g = new GraphBuilder('domain');
    const x = g.input('x', 'float32', [1]);
    g.output(g.node('FusedMatMul', [x, x], {}, { domain: 'com.microsoft' })[0], 'y', 'float32');
    expect(() => g.toBytes()).toThrow(/com\.microsoft used but no opset version given/);
  });
});
