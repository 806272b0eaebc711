// Checkpoint weights as ONNX initializers whose bytes stay out of the graph: each one is external
// data in a file of the model's PreparedWeights folder (in its dtype and the layout its node uses), which
// onnxruntime maps rather than copies. Sessions are created with that folder as
// `session.model_external_initializers_file_folder_path`. A graph computing in another dtype than
// the files (the float32 gradient graph of a float16 model) gets each weight through a Cast.
import type { GraphBuilder, Value } from '@locscope/onnx-graph';
import { assertShape } from '../checkpoint/weight-store.ts';
import type { PreparedTensor, PreparedWeights } from './prepared-weights.ts';

export class CheckpointWeights {
  private readonly bound = new Map<string, Value>();

  constructor(
    private readonly g: GraphBuilder,
    readonly weights: PreparedWeights,
  ) {}

  has(name: string): boolean {
    return this.weights.store.has(name);
  }

  /** The tensor in the prepared dtype, shape-checked when `shape` is given. */
  tensor(name: string, shape?: readonly number[]): Value {
    this.check(name, shape);
    return this.bind(name, () => this.weights.tensor(name));
  }

  /**
   * The weight of a linear layer stored as [out, in] (each of `names` checked against its `shapes`),
   * as the [in, out] matrix GraphBuilder.linear multiplies by; several names: their matrices side
   * by side, [in, Σ out], one MatMul for projections of one input.
   */
  linear(names: readonly string[], shapes: readonly (readonly number[])[]): Value {
    names.forEach((name, i) => this.check(name, shapes[i]));
    return this.bind(`${names.join('+')}^T`, () => this.weights.transposed(names));
  }

  private check(name: string, shape: readonly number[] | undefined): void {
    const entry = this.weights.store.get(name);
    if (shape) assertShape(entry, shape);
  }

  private bind(key: string, prepare: () => PreparedTensor): Value {
    const cached = this.bound.get(key);
    if (cached) return cached;
    const t = prepare();
    const stored = this.g.externalTensor(key, this.weights.dtype, t.dims, { location: t.location, offset: 0, length: t.byteLength });
    const value = this.weights.dtype === this.g.compute ? stored : this.g.cast(stored, this.g.compute);
    this.bound.set(key, value);
    return value;
  }
}
