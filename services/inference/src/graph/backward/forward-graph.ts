// A read-only view of a built (serialized) forward graph for the backward pass: who produces each
// value, the constant int64 initializers that ops read as attributes (axes, shapes), and the static
// rank of every value. Ranks are all the shape knowledge the VJPs need; sizes stay symbolic and are
// read at run time with Shape, so one backward graph serves every batch and sequence length.
import { type GraphProto, type NodeProto, type TensorProto, TensorProto_DataType } from '@locscope/onnx-graph/onnx';
import { BackwardGraphError, UnsupportedOpError } from './errors.ts';

export class ForwardGraph {
  readonly producers = new Map<string, NodeProto>();
  private readonly initializers = new Map<string, TensorProto>();
  private readonly inputRanks = new Map<string, number>();
  private readonly ranks = new Map<string, number>();

  constructor(readonly graph: GraphProto) {
    for (const node of graph.node) for (const out of node.output) this.producers.set(out, node);
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    for (const input of graph.input) {
      const type = input.type?.value;
      const dims = type?.$case === 'tensorType' ? type.value.shape?.dim : undefined;
      if (dims) this.inputRanks.set(input.name, dims.length);
    }
  }

  get nodes(): readonly NodeProto[] {
    return this.graph.node;
  }

  isInitializer(name: string): boolean {
    return this.initializers.has(name);
  }

  /** The external-data file of an initializer (undefined when its bytes are inline or it is none). */
  externalLocation(name: string): string | undefined {
    return this.initializers.get(name)?.externalData.find((e) => e.key === 'location')?.value;
  }

  /** The values of a constant int64 initializer (axes, shapes, starts); throws naming `what` otherwise. */
  constInts(name: string, what: string): number[] {
    const t = this.initializers.get(name);
    if (!t || t.dataType !== TensorProto_DataType.INT64 || t.rawData.length === 0) {
      throw new BackwardGraphError(`${what} '${name}' must be an inline int64 initializer`);
    }
    const bytes = t.rawData;
    return Array.from(new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)), Number);
  }

  /** Static rank of a value (graph input, initializer or node output). */
  rank(name: string): number {
    const known = this.ranks.get(name) ?? this.inputRanks.get(name) ?? this.initializers.get(name)?.dims.length;
    if (known !== undefined) return known;
    const node = this.producers.get(name);
    if (!node) throw new BackwardGraphError(`value '${name}' has no producer, initializer or graph input`);
    const rank = this.inferRank(node);
    this.ranks.set(name, rank);
    return rank;
  }

  private inferRank(node: NodeProto): number {
    const r = (i: number) => this.rank(node.input[i]);
    const intAttr = (key: string, fallback: number) => node.attribute.find((a) => a.name === key)?.i ?? fallback;
    const count = (i: number, what: string) => this.constInts(node.input[i], `${node.opType} ${what} of node '${node.name}'`).length;
    switch (node.opType) {
      case 'Add': case 'Sub': case 'Mul': case 'Div': case 'Pow': case 'Max': case 'Where':
      case 'Equal': case 'Greater': case 'Less': case 'GreaterOrEqual':
        return Math.max(...node.input.map((_, i) => r(i)));
      case 'Sqrt': case 'Neg': case 'Sigmoid': case 'Exp': case 'Cos': case 'Sin': case 'Cast': case 'Identity': case 'Erf': case 'Tanh': case 'Log': case 'Abs':
      case 'Softmax': case 'LogSoftmax': case 'Transpose': case 'Slice': case 'Concat':
        return r(0);
      case 'MatMul':
        if (r(0) < 2 || r(1) < 2) throw new UnsupportedOpError(node.opType, node.name, 'only operands of rank ≥ 2 are supported');
        return Math.max(r(0), r(1));
      case 'ReduceMean': case 'ReduceSum':
        if (intAttr('keepdims', 1) === 1) return r(0);
        return r(0) - reduceAxes(this, node, r(0)).length;
      case 'Reshape':
        return count(1, 'shape');
      case 'Unsqueeze':
        return r(0) + count(1, 'axes');
      case 'Squeeze':
        return r(0) - count(1, 'axes');
      case 'Expand':
        return Math.max(r(0), count(1, 'shape'));
      case 'Gather':
        return r(0) + r(1) - 1;
      case 'Shape': case 'Range':
        return 1;
      case 'NonZero':
        return 2;
      default:
        throw new UnsupportedOpError(node.opType, node.name, 'its output rank cannot be inferred');
    }
  }
}

/** The normalized (non-negative, sorted) reduction axes of a ReduceMean (attribute) or ReduceSum (input) node. */
export function reduceAxes(graph: ForwardGraph, node: NodeProto, rank: number): number[] {
  const fromAttr = node.attribute.find((a) => a.name === 'axes')?.ints;
  const axes = node.opType === 'ReduceSum'
    ? node.input[1] ? graph.constInts(node.input[1], `ReduceSum axes of node '${node.name}'`) : []
    : fromAttr ?? [];
  const all = axes.length === 0 ? Array.from({ length: rank }, (_, i) => i) : axes.map((a) => (a < 0 ? a + rank : a));
  return [...all].sort((a, b) => a - b);
}
