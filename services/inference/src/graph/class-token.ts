// Prepends a learned class token to every sequence of a batch: cat(cls.expand(N, 1, C), tokens).
import type { GraphBuilder, Value } from '@locscope/onnx-graph';

/** tokens [N, P, C], cls [1, 1, C] → [N, P+1, C]. */
export function prependClassToken(g: GraphBuilder, tokens: Value, cls: Value, channels: number): Value {
  const shape = g.concat([g.shape(tokens, 0, 1), g.constI64([1, channels])], 0);
  return g.concat([g.expand(cls, shape), tokens], 1);
}
