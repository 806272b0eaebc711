// A bare onnxruntime MatMul in float32 and in float16 at the shapes the bench model's prefill and
// decode multiply by (and the 7B projection), outside any model: what float16 compute
// itself costs or saves on this CPU, apart from the graph around it. Inputs are fed (no weights
// files); each figure is the median of `repeats` runs after a warm-up (CPU time beside wall time).
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { GraphBuilder, type ComputeDType } from '@locscope/onnx-graph';
import { float32ToFloat16Bits } from '../src/checkpoint/float16-bits.ts';
import { median } from './run-bench.ts';

/** [rows, inner, cols]: prefill MLP gate+up, decode-step lm_head, a 7B q_proj over the LLaVA prompt. */
export const MATMUL_SHAPES: readonly (readonly [number, number, number])[] = [
  [607, 512, 2752],
  [1, 512, 32064],
  [607, 4096, 4096],
];

export interface MatmulTiming {
  wall_ms: number;
  cpu_ms: number;
}

/** Per shape `RxKxN`: float32 and float16 timings. */
export type MatmulBenchResult = Record<string, Record<ComputeDType, MatmulTiming>>;

/** Wall and CPU time of a bare MatMul [rows, inner]·[inner, cols] in `dtype`: the median of `repeats` runs after a warm-up. */
export async function matmulTiming(rows: number, inner: number, cols: number, dtype: ComputeDType, repeats: number): Promise<MatmulTiming> {
  const a = Float32Array.from({ length: rows * inner }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: inner * cols }, (_, i) => Math.cos(i) / Math.sqrt(inner));
  const g = new GraphBuilder(`matmul-${dtype}`, dtype);
  g.output(g.matmul(g.input('a', dtype, [rows, inner]), g.input('b', dtype, [inner, cols])), 'y', dtype);
  const session = await ort.InferenceSession.create(g.toBytes(), { executionProviders: ['cpu'], intraOpNumThreads: availableParallelism() });
  try {
    const tensor = (values: Float32Array, dims: number[]) => (dtype === 'float16' ? new ort.Tensor('float16', float32ToFloat16Bits(values), dims) : new ort.Tensor('float32', values, dims));
    const feeds = { a: tensor(a, [rows, inner]), b: tensor(b, [inner, cols]) };
    const t = await median(repeats, () => session.run(feeds));
    return { wall_ms: t.wallMs, cpu_ms: t.cpuMs };
  } finally {
    await session.release();
  }
}

export async function runMatmulBench(repeats: number, log: (line: string) => void = () => {}): Promise<MatmulBenchResult> {
  const result: MatmulBenchResult = {};
  for (const [rows, inner, cols] of MATMUL_SHAPES) {
    const key = `${rows}x${inner}x${cols}`;
    const timings = {} as Record<ComputeDType, MatmulTiming>;
    for (const dtype of ['float32', 'float16'] as const) timings[dtype] = await matmulTiming(rows, inner, cols, dtype, repeats);
    result[key] = timings;
    log(`MatMul ${key}: float32 ${timings.float32.wall_ms.toFixed(1)} ms (CPU ${timings.float32.cpu_ms.toFixed(0)}), float16 ${timings.float16.wall_ms.toFixed(1)} ms (CPU ${timings.float16.cpu_ms.toFixed(0)})`);
  }
  return result;
}
