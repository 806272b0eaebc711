// Appending a graph written with a separate GraphBuilder onto a decoded forward model: the part's
// nodes refer to forward values by name, so concatenating node lists (the part after the forward
// nodes keeps topological order) yields one graph. Name clashes are refused, not silently merged.
import { ModelProto } from '@locscope/onnx-graph/onnx';
import { BackwardGraphError } from './errors.ts';

export interface AppendOptions {
  /** Replace the model's outputs with the part's (true) or add the part's to them (false). */
  replaceOutputs: boolean;
}

export function appendGraph(model: ModelProto, partBytes: Uint8Array, options: AppendOptions): void {
  const graph = model.graph;
  const part = ModelProto.decode(partBytes).graph;
  if (!graph || !part) throw new BackwardGraphError('a model without a graph cannot be extended');
  const taken = new Set<string>([...graph.node.flatMap((n) => [n.name, ...n.output]), ...graph.initializer.map((t) => t.name), ...graph.input.map((i) => i.name)]);
  const added = [...part.node.flatMap((n) => [n.name, ...n.output]), ...part.initializer.map((t) => t.name), ...part.input.map((i) => i.name)];
  const clash = added.find((name) => taken.has(name));
  if (clash !== undefined) throw new BackwardGraphError(`appended graph '${part.name}' redefines '${clash}'`);
  graph.node.push(...part.node);
  graph.initializer.push(...part.initializer);
  graph.input.push(...part.input);
  graph.output = options.replaceOutputs ? part.output : [...graph.output, ...part.output];
}
