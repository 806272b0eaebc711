// The decoder's greedy outputs against its logits, on the shared fixture models: per batch row,
// next_token is the first index of the last logit row's largest value and next_log_prob its
// float64 log-softmax value.
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { createSession } from '../runtime/session.ts';
import { tokenLogProb } from '../runtime/log-probs.ts';
import { decoderFeeds } from '../runtime/decoder-run.ts';
import { buildDecoderGraph } from './decoder-graph.ts';
import * as io from './decoder-io.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const checkpoint = loadCheckpoint(join(FIXTURES, fixture));
  const text = checkpoint.config.text;
  const weights = PreparedWeights.open(checkpoint.weights);

  test('next_token is the first argmax of the last logits and next_log_prob its log-probability', async () => {
    const [B, T, C, V] = [3, 5, text.hiddenSize, text.vocabSize];
    const bytes = buildDecoderGraph(text, weights).bytes;
    await weights.flush();
    const session = await createSession(fixture, bytes, weights.dir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
    try {
      const shape = { layers: text.numHiddenLayers, heads: text.numAttentionHeads, headDim: text.headDim, kvHeads: text.numKeyValueHeads, hidden: C };
      const input = Float32Array.from({ length: B * T * C }, (_, i) => Math.sin(i * 0.61) * 0.8);
      // Logits of the last two positions: the greedy outputs read the last of them.
      const feeds = decoderFeeds({ input, variants: [{}, {}, {}], seqLen: T, lastLayerRows: [T - 2, T - 1], logitRows: [0, 1] }, shape);
      const out = await session.run(feeds, [io.LOGITS, io.NEXT_TOKEN, io.NEXT_LOG_PROB]);
      const logits = out[io.LOGITS].data as Float32Array;
      const tokens = Array.from(out[io.NEXT_TOKEN].data as BigInt64Array, Number);
      const logProbs = out[io.NEXT_LOG_PROB].data as Float32Array;
      for (let b = 0; b < B; b++) {
        const last = (2 * b + 1) * V;
        const row = Array.from(logits.subarray(last, last + V));
        expect(tokens[b]).toBe(row.indexOf(Math.max(...row)));
        expect(Math.abs(logProbs[b] - tokenLogProb(logits, last, V, tokens[b]))).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      await session.release();
    }
  });
});
