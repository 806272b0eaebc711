// Token embedding lookup as its own small graph: input_ids [B, T] → [B, T, C]. Kept apart from the
// decoder because interventions edit the embeddings (image features merged in, visual tokens
// replaced or moved) before the decoder runs.
import { GraphBuilder } from '@locscope/onnx-graph';
import { CheckpointWeights } from '../onnx/checkpoint-weights.ts';
import type { TextConfig } from '../checkpoint/text-config.ts';
import type { PreparedWeights } from '../onnx/prepared-weights.ts';
import { EMBED_TOKENS } from '../checkpoint/expected-weights.ts';
import type { BuiltGraph } from './vision-graph.ts';

export const INPUT_IDS = 'input_ids';
export const EMBEDDINGS = 'embeddings';

export function buildEmbedGraph(text: TextConfig, weights: PreparedWeights): BuiltGraph {
  const g = new GraphBuilder('embed', weights.dtype);
  const w = new CheckpointWeights(g, weights);
  const ids = g.input(INPUT_IDS, 'int64', ['batch', 'seq']);
  const table = w.tensor(EMBED_TOKENS, [text.vocabSize, text.hiddenSize]);
  g.floatOutput(g.gather(table, ids, 0), EMBEDDINGS, ['batch', 'seq', text.hiddenSize]);
  return { bytes: g.toBytes(), outputs: [EMBEDDINGS] };
}
