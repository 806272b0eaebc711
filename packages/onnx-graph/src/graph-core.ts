// The bookkeeping half of the graph builder: named values, graph inputs/outputs with symbolic dims,
// initializers (inline constants and external data pointing into checkpoint files), nodes, and
// serialization to an ONNX ModelProto. Typed operator helpers live in graph-builder.ts.
import {
  AttributeProto,
  AttributeProto_AttributeType,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
  TensorProto_DataLocation,
  ValueInfoProto,
} from './gen/onnx/onnx.ts';
import { type DType, onnxDataType } from './dtypes.ts';

/** A tensor flowing through the graph, addressed by its unique name. */
export interface Value {
  readonly name: string;
}

/** A dimension: a fixed size, or a symbolic name shared by every input that carries it. */
export type Dim = number | string;

export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'graph'; value: GraphProto };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
};

/** Where an external initializer's bytes are: a byte range of a file next to (or linked beside) the model. */
export interface ExternalLocation {
  /** Path relative to the directory the .onnx file is written to (ONNX forbids escaping it). */
  location: string;
  offset: number;
  length: number;
}

export interface OpOptions {
  /** Number of outputs the node produces (default 1). */
  outputs?: number;
  /** Operator domain: '' (ai.onnx) or e.g. 'com.microsoft'. */
  domain?: string;
}

export interface ModelOptions {
  /** Default-domain opset; 17 is the first with LayerNormalization. */
  opset?: number;
  /** Extra operator domains and their versions (e.g. com.microsoft: 1). */
  extraOpsets?: Record<string, number>;
}

export const DEFAULT_OPSET = 17;
/** IR version 8 is what opset 17 requires and every onnxruntime ≥ 1.14 reads. */
const IR_VERSION = 8;

export class GraphError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphError';
  }
}

/** A branch of an If being built: its nodes, and the values they produce (the others are outer scope). */
interface Branch {
  nodes: NodeProto[];
  produced: Set<string>;
}

export class GraphCore {
  private readonly nodes: NodeProto[] = [];
  /** Innermost last: the If branches being built; nodes go to the innermost one. */
  private readonly branches: Branch[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly domains = new Set<string>();
  private counter = 0;
  private prefix = '';

  constructor(readonly name: string) {}

  /** Runs `body` with node/value names prefixed by `scope/` (readable graphs, unique names). */
  scoped<T>(scope: string, body: () => T): T {
    const saved = this.prefix;
    this.prefix = `${saved}${scope}/`;
    try {
      return body();
    } finally {
      this.prefix = saved;
    }
  }

  input(name: string, dtype: DType, dims: readonly Dim[]): Value {
    this.claim(name);
    this.inputs.push(valueInfo(name, dtype, dims));
    return { name };
  }

  /** Exposes `value` as graph output `name` (an Identity when the names differ). */
  output(value: Value, name: string, dtype: DType, dims?: readonly Dim[]): Value {
    const out = value.name === name ? value : this.node('Identity', [value], {}, { outputs: 1, outputNames: [name] })[0];
    this.outputs.push(valueInfo(out.name, dtype, dims));
    return out;
  }

  /** An initializer whose bytes are stored in the model file itself (small constants only). */
  inlineTensor(dtype: DType, dims: readonly number[], raw: Uint8Array, name?: string): Value {
    const tensorName = this.fresh(name ?? 'const');
    this.initializers.push(
      TensorProto.fromPartial({ name: tensorName, dataType: onnxDataType(dtype), dims: [...dims], rawData: Buffer.from(raw) }),
    );
    return { name: tensorName };
  }

  /** An initializer whose bytes stay in an external file (e.g. a safetensors checkpoint). */
  externalTensor(name: string, dtype: DType, dims: readonly number[], where: ExternalLocation): Value {
    this.claim(name);
    this.initializers.push(
      TensorProto.fromPartial({
        name,
        dataType: onnxDataType(dtype),
        dims: [...dims],
        dataLocation: TensorProto_DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: where.location },
          { key: 'offset', value: String(where.offset) },
          { key: 'length', value: String(where.length) },
        ],
      }),
    );
    return { name };
  }

  /** Emits one node; returns its outputs. */
  node(
    opType: string,
    inputs: readonly (Value | null)[],
    attributes: Record<string, Attribute> = {},
    options: OpOptions & { outputNames?: string[] } = {},
  ): Value[] {
    const count = options.outputs ?? 1;
    const nodeName = this.fresh(opType);
    const outputs = options.outputNames ?? Array.from({ length: count }, (_, i) => (count === 1 ? nodeName : `${nodeName}:${i}`));
    for (const out of options.outputNames ?? []) this.claim(out);
    const domain = options.domain ?? '';
    if (domain !== '') this.domains.add(domain);
    const branch = this.branches.at(-1);
    for (const out of outputs) branch?.produced.add(out);
    (branch?.nodes ?? this.nodes).push(
      NodeProto.fromPartial({
        name: nodeName,
        opType,
        domain,
        // An empty name marks an omitted optional input.
        input: inputs.map((v) => (v === null ? '' : v.name)),
        output: outputs,
        attribute: Object.entries(attributes).map(([key, a]) => attributeProto(key, a)),
      }),
    );
    return outputs.map((name) => ({ name }));
  }

  /**
   * An ONNX If: `condition` (a bool scalar) selects the branch that runs; each returns values of
   * `dtypes`. Branches read the enclosing graphs' values (weights included) as outer scope, so a
   * weight stays one initializer of the main graph whichever branches use it. `names` names the
   * outputs (e.g. graph outputs, which then need no Identity).
   */
  ifElse(condition: Value, dtypes: readonly DType[], thenBody: () => Value[], elseBody: () => Value[], names?: readonly string[]): Value[] {
    const name = this.fresh('If');
    const branch = (label: string, body: () => Value[]): GraphProto => {
      const built: Branch = { nodes: [], produced: new Set() };
      this.branches.push(built);
      try {
        const values = body();
        if (values.length !== dtypes.length) throw new GraphError(`graph ${this.name}: ${name} ${label} branch returns ${values.length} values, expected ${dtypes.length}`);
        // A branch output must be produced inside the branch (onnxruntime refuses outer-scope values there).
        const outputs = values.map((v) => (built.produced.has(v.name) ? v : this.node('Identity', [v])[0]));
        return GraphProto.fromPartial({ name: `${name}/${label}`, node: built.nodes, output: outputs.map((v, i) => valueInfo(v.name, dtypes[i])) });
      } finally {
        this.branches.pop();
      }
    };
    const thenBranch = branch('then', thenBody);
    const elseBranch = branch('else', elseBody);
    const outputs = names ? [...names] : dtypes.map((_, i) => `${name}:${i}`);
    for (const out of outputs) this.claim(out);
    const parent = this.branches.at(-1);
    for (const out of outputs) parent?.produced.add(out);
    (parent?.nodes ?? this.nodes).push(
      NodeProto.fromPartial({
        name,
        opType: 'If',
        domain: '',
        input: [condition.name],
        output: outputs,
        attribute: [attributeProto('then_branch', { kind: 'graph', value: thenBranch }), attributeProto('else_branch', { kind: 'graph', value: elseBranch })],
      }),
    );
    return outputs.map((n) => ({ name: n }));
  }

  /** Serialized ModelProto. */
  toBytes(options: ModelOptions = {}): Uint8Array {
    const opset = options.opset ?? DEFAULT_OPSET;
    const extra = options.extraOpsets ?? {};
    for (const domain of this.domains) {
      if (extra[domain] === undefined) throw new GraphError(`graph ${this.name}: operator domain ${domain} used but no opset version given`);
    }
    const model = ModelProto.fromPartial({
      irVersion: IR_VERSION,
      producerName: 'locscope',
      opsetImport: [{ domain: '', version: opset }, ...Object.entries(extra).map(([domain, version]) => ({ domain, version }))],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return ModelProto.encode(model).finish();
  }

  private fresh(base: string): string {
    let name = `${this.prefix}${base}`;
    while (this.names.has(name)) name = `${this.prefix}${base}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new GraphError(`graph ${this.name}: value name ${name} is defined twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, dtype: DType, dims?: readonly Dim[]): ValueInfoProto {
  return ValueInfoProto.fromPartial({
    name,
    type: {
      value: {
        $case: 'tensorType',
        value: {
          elemType: onnxDataType(dtype),
          // No shape at all means "unknown rank" (used for outputs whose shape ORT infers).
          shape:
            dims === undefined
              ? undefined
              : {
                  dim: dims.map((d) => ({
                    value: typeof d === 'number' ? { $case: 'dimValue' as const, value: d } : { $case: 'dimParam' as const, value: d },
                  })),
                },
        },
      },
    },
  });
}

function attributeProto(name: string, a: Attribute): AttributeProto {
  switch (a.kind) {
    case 'int':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.INT, i: a.value });
    case 'float':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.FLOAT, f: a.value });
    case 'ints':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.INTS, ints: a.value });
    case 'floats':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.FLOATS, floats: a.value });
    case 'string':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.STRING, s: Buffer.from(a.value, 'utf8') });
    case 'graph':
      return AttributeProto.fromPartial({ name, type: AttributeProto_AttributeType.GRAPH, g: a.value });
  }
}
