// Typed operator helpers over GraphCore: `g.matmul(a, b)`, `g.softmax(x, -1)`, … Each emits
// standard ai.onnx opset-17 nodes (attribute forms of that opset, e.g. ReduceMean axes).
// A builder has a compute dtype: the element type of its activations and weights. Graph inputs and
// outputs stay float32 (floatInput/floatOutput cast at the boundary, exactly for every value the
// compute dtype represents), and the helpers that keep float32 islands inside a float16 graph
// (toFloat32/toCompute) emit nothing when the compute dtype is float32, so float32 graphs are
// exactly what they were before float16 existed.
import { Float16Array } from '@petamoriken/float16';
import { GraphCore, type Dim, type Value, attr } from './graph-core.ts';
import { type ComputeDType, type DType, onnxDataType } from './dtypes.ts';

export class GraphBuilder extends GraphCore {
  private readonly constCache = new Map<string, Value>();

  constructor(
    name: string,
    readonly compute: ComputeDType = 'float32',
  ) {
    super(name);
  }

  // ---- constants --------------------------------------------------------------------------

  constF32(values: ArrayLike<number>, dims: readonly number[] = [values.length]): Value {
    const data = Float32Array.from(values as ArrayLike<number>);
    return this.cachedConst(`f32:${dims.join(',')}:${Array.from(data).join(',')}`, () =>
      this.inlineTensor('float32', dims, new Uint8Array(data.buffer), 'const_f32'),
    );
  }

  constI64(values: readonly number[], dims: readonly number[] = [values.length]): Value {
    return this.cachedConst(`i64:${dims.join(',')}:${values.join(',')}`, () =>
      this.inlineTensor('int64', dims, new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer), 'const_i64'),
    );
  }

  scalarF32(value: number): Value {
    return this.constF32([value], []);
  }

  /** A scalar in the compute dtype (rounded to nearest float16 there). */
  scalar(value: number): Value {
    if (this.compute === 'float32') return this.scalarF32(value);
    const bits = new Uint16Array(new Float16Array([value]).buffer);
    return this.cachedConst(`f16::${bits[0]}`, () => this.inlineTensor('float16', [], new Uint8Array(bits.buffer), 'const_f16'));
  }

  scalarI64(value: number): Value {
    return this.constI64([value], []);
  }

  // ---- elementwise --------------------------------------------------------------------------

  add(a: Value, b: Value): Value {
    return this.binary('Add', a, b);
  }
  sub(a: Value, b: Value): Value {
    return this.binary('Sub', a, b);
  }
  mul(a: Value, b: Value): Value {
    return this.binary('Mul', a, b);
  }
  div(a: Value, b: Value): Value {
    return this.binary('Div', a, b);
  }
  pow(a: Value, b: Value): Value {
    return this.binary('Pow', a, b);
  }
  max(a: Value, b: Value): Value {
    return this.binary('Max', a, b);
  }
  sqrt(x: Value): Value {
    return this.node('Sqrt', [x])[0];
  }
  erf(x: Value): Value {
    return this.node('Erf', [x])[0];
  }
  sigmoid(x: Value): Value {
    return this.node('Sigmoid', [x])[0];
  }
  cos(x: Value): Value {
    return this.node('Cos', [x])[0];
  }
  sin(x: Value): Value {
    return this.node('Sin', [x])[0];
  }
  neg(x: Value): Value {
    return this.node('Neg', [x])[0];
  }
  equal(a: Value, b: Value): Value {
    return this.binary('Equal', a, b);
  }
  greater(a: Value, b: Value): Value {
    return this.binary('Greater', a, b);
  }
  where(condition: Value, whenTrue: Value, whenFalse: Value): Value {
    return this.node('Where', [condition, whenTrue, whenFalse])[0];
  }
  cast(x: Value, to: DType): Value {
    return this.node('Cast', [x], { to: attr.int(onnxDataType(to)) })[0];
  }
  identity(x: Value): Value {
    return this.node('Identity', [x])[0];
  }

  // ---- compute dtype ---------------------------------------------------------------------------

  /** A float32 value in the compute dtype (no node when that is float32). */
  toCompute(x: Value): Value {
    return this.compute === 'float32' ? x : this.cast(x, this.compute);
  }

  /** A compute-dtype value in float32, for a float32 island inside a float16 graph (no node in float32 graphs). */
  toFloat32(x: Value): Value {
    return this.compute === 'float32' ? x : this.cast(x, 'float32');
  }

  /** A float32 graph input, used in the compute dtype. */
  floatInput(name: string, dims: readonly Dim[]): Value {
    return this.toCompute(this.input(name, 'float32', dims));
  }

  /** Exposes a compute-dtype value as the float32 graph output `name`. */
  floatOutput(value: Value, name: string, dims?: readonly Dim[]): Value {
    if (this.compute === 'float32') return this.output(value, name, 'float32', dims);
    const [cast] = this.node('Cast', [value], { to: attr.int(onnxDataType('float32')) }, { outputNames: [name] });
    return this.output(cast, name, 'float32', dims);
  }

  // ---- linear algebra and normalization ------------------------------------------------------

  matmul(a: Value, b: Value): Value {
    return this.binary('MatMul', a, b);
  }

  softmax(x: Value, axis: number): Value {
    return this.node('Softmax', [x], { axis: attr.int(axis) })[0];
  }

  logSoftmax(x: Value, axis: number): Value {
    return this.node('LogSoftmax', [x], { axis: attr.int(axis) })[0];
  }

  /** LayerNormalization over the last axis (opset 17). */
  layerNorm(x: Value, scale: Value, bias: Value | null, epsilon: number): Value {
    return this.node('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(epsilon) })[0];
  }

  reduceMean(x: Value, axes: number[], keepdims = true): Value {
    return this.node('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) })[0];
  }

  conv(x: Value, weight: Value, bias: Value | null, strides: number[]): Value {
    return this.node('Conv', bias ? [x, weight, bias] : [x, weight], { strides: attr.ints(strides) })[0];
  }

  // ---- shape ---------------------------------------------------------------------------------

  reshape(x: Value, shape: readonly number[] | Value): Value {
    const target = Array.isArray(shape) ? this.constI64(shape as number[]) : (shape as Value);
    return this.node('Reshape', [x, target])[0];
  }

  transpose(x: Value, perm: number[]): Value {
    return this.node('Transpose', [x], { perm: attr.ints(perm) })[0];
  }

  concat(xs: Value[], axis: number): Value {
    return this.node('Concat', xs, { axis: attr.int(axis) })[0];
  }

  /** Slice along `axes` with constant or computed bounds. */
  slice(x: Value, starts: number[] | Value, ends: number[] | Value, axes: number[]): Value {
    const s = Array.isArray(starts) ? this.constI64(starts) : starts;
    const e = Array.isArray(ends) ? this.constI64(ends) : ends;
    return this.node('Slice', [x, s, e, this.constI64(axes)])[0];
  }

  gather(x: Value, indices: Value, axis: number): Value {
    return this.node('Gather', [x, indices], { axis: attr.int(axis) })[0];
  }

  unsqueeze(x: Value, axes: number[]): Value {
    return this.node('Unsqueeze', [x, this.constI64(axes)])[0];
  }

  squeeze(x: Value, axes: number[]): Value {
    return this.node('Squeeze', [x, this.constI64(axes)])[0];
  }

  shape(x: Value, start?: number, end?: number): Value {
    const attrs: Record<string, ReturnType<typeof attr.int>> = {};
    if (start !== undefined) attrs.start = attr.int(start);
    if (end !== undefined) attrs.end = attr.int(end);
    return this.node('Shape', [x], attrs)[0];
  }

  expand(x: Value, shape: Value): Value {
    return this.node('Expand', [x, shape])[0];
  }

  range(start: Value, limit: Value, delta: Value): Value {
    return this.node('Range', [start, limit, delta])[0];
  }

  // ---- composites used by every architecture --------------------------------------------------

  /** nn.Linear with its weight already transposed: x [.., in] · weightT [in, out] (+ bias). */
  linear(x: Value, weightT: Value, bias: Value | null): Value {
    const y = this.matmul(x, weightT);
    return bias ? this.add(y, bias) : y;
  }

  private binary(op: string, a: Value, b: Value): Value {
    return this.node(op, [a, b])[0];
  }

  private cachedConst(key: string, make: () => Value): Value {
    let v = this.constCache.get(key);
    if (!v) {
      v = make();
      this.constCache.set(key, v);
    }
    return v;
  }
}
