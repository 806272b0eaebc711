// Promotes a float32 model to compute in float64 while keeping its float32 interface: every float
// input and initializer is cast up where it enters, every float output cast down where it leaves,
// and in-graph casts to float become casts to double. Used for parity runs, where our own float32
// rounding would otherwise add to the reference's: computed in float64, the difference to Hugging
// Face is (almost) only Hugging Face's own float32 error. Ops onnxruntime's CPU provider has no
// double kernel for run in float32 between casts.
import { AttributeProto, ModelProto, NodeProto, TensorProto_DataType, type GraphProto } from './gen/onnx/onnx.ts';

/** Operators without float64 CPU kernels in onnxruntime: computed in float32 (inputs/outputs cast). */
export const FLOAT32_ONLY_OPS: ReadonlySet<string> = new Set(['Erf', 'Conv']);

const FLOAT = TensorProto_DataType.FLOAT;
const DOUBLE = TensorProto_DataType.DOUBLE;

export function promoteToFloat64(bytes: Uint8Array): Uint8Array {
  const model = ModelProto.decode(bytes);
  const graph = model.graph!;
  const rename = new Map<string, string>();
  const cast = (input: string, output: string, to: TensorProto_DataType): NodeProto =>
    NodeProto.fromPartial({ name: `${output}/cast`, opType: 'Cast', input: [input], output: [output], attribute: [AttributeProto.fromPartial({ name: 'to', type: 2, i: to })] });

  // Float values entering the graph: inputs and initializers.
  const entering: NodeProto[] = [];
  const floatInputs = graph.input.filter((v) => elemType(v.type) === FLOAT).map((v) => v.name);
  const floatInits = graph.initializer.filter((t) => t.dataType === FLOAT).map((t) => t.name);
  for (const name of [...floatInputs, ...floatInits]) {
    rename.set(name, `${name}/f64`);
    entering.push(cast(name, `${name}/f64`, DOUBLE));
  }

  // Float outputs: the producing node writes a double, a final cast restores the float output.
  const floatOutputs = new Set(graph.output.filter((v) => elemType(v.type) === FLOAT).map((v) => v.name));
  const leaving: NodeProto[] = [];
  const promote = (nodes: NodeProto[], top: boolean): NodeProto[] =>
    nodes.flatMap((node) => {
      node.input = node.input.map((n) => rename.get(n) ?? n);
      if (top) {
        node.output = node.output.map((n) => {
          if (!floatOutputs.has(n)) return n;
          rename.set(n, `${n}/f64`);
          leaving.push(cast(`${n}/f64`, n, FLOAT));
          return `${n}/f64`;
        });
      }
      if (node.opType === 'Cast') {
        for (const a of node.attribute) if (a.name === 'to' && a.i === FLOAT) a.i = DOUBLE;
      }
      // If branches read outer values by name (renamed above) and return doubles where they returned floats.
      for (const a of node.attribute) {
        if (!a.g) continue;
        a.g.node = promote(a.g.node, false);
        for (const out of a.g.output) if (out.type?.value?.$case === 'tensorType' && out.type.value.value.elemType === FLOAT) out.type.value.value.elemType = DOUBLE;
      }
      return FLOAT32_ONLY_OPS.has(node.opType) && node.domain === '' ? inFloat32(node, cast) : [node];
    });
  const body = promote(graph.node, true);
  graph.node = [...entering, ...body, ...leaving];
  return ModelProto.encode(model).finish();
}

/** `node` between casts: double inputs → float, float outputs → double. */
function inFloat32(node: NodeProto, cast: (input: string, output: string, to: TensorProto_DataType) => NodeProto): NodeProto[] {
  const before = node.input.filter((n) => n !== '').map((n) => cast(n, `${n}/f32-for-${node.name}`, FLOAT));
  const after = node.output.map((n) => cast(`${n}/f32`, n, DOUBLE));
  const inner = NodeProto.fromPartial({
    ...node,
    input: node.input.map((n) => (n === '' ? n : `${n}/f32-for-${node.name}`)),
    output: node.output.map((n) => `${n}/f32`),
  });
  return [...before, inner, ...after];
}

function elemType(type: GraphProto['input'][number]['type']): number | undefined {
  return type?.value?.$case === 'tensorType' ? type.value.value.elemType : undefined;
}
