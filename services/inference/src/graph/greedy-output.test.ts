// The decoder's greedy outputs against its logits, on the shared fixture models: per logit row,
// next_token is the first index of the row's largest value and next_log_prob its float64
// log-softmax value; a run without logit rows (a Score without targets) has none.
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

  test('next_token is the first argmax of each logit row and next_log_prob its log-probability', async () => {
    const [B, T, C, V] = [3, 5, text.hiddenSize, text.vocabSize];
    const bytes = buildDecoderGraph(text, weights).bytes;
    await weights.flush();
    const session = await createSession(fixture, bytes, weights.dir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
    try {
      const shape = { layers: text.numHiddenLayers, heads: text.numAttentionHeads, headDim: text.headDim, kvHeads: text.numKeyValueHeads, hidden: C, kvDtype: 'float32' as const };
      const input = Float32Array.from({ length: B * T * C }, (_, i) => Math.sin(i * 0.61) * 0.8);
      const feeds = decoderFeeds({ input, variants: [{}, {}, {}], seqLen: T, lastLayerRows: [T - 2, T - 1], logitRows: [0, 1] }, shape);
      const out = await session.run(feeds, [io.LOGITS, io.NEXT_TOKEN, io.NEXT_LOG_PROB]);
      const logits = out[io.LOGITS].data as Float32Array;
      const tokens = Array.from(out[io.NEXT_TOKEN].data as BigInt64Array, Number);
      const logProbs = out[io.NEXT_LOG_PROB].data as Float32Array;
      expect(tokens.length).toBe(2 * B);
      for (let r = 0; r < 2 * B; r++) {
        const row = Array.from(logits.subarray(r * V, (r + 1) * V));
        expect(tokens[r]).toBe(row.indexOf(Math.max(...row)));
        expect(Math.abs(logProbs[r] - tokenLogProb(logits, r * V, V, tokens[r]))).toBeLessThanOrEqual(1e-5);
      }
      // No rows: the run succeeds (its greedy outputs, computed regardless, are empty too).
      const none = await session.run(decoderFeeds({ input, variants: [{}, {}, {}], seqLen: T, lastLayerRows: [], logitRows: [] }, shape), [io.LOGITS, io.NEXT_TOKEN]);
      expect(none[io.LOGITS].dims).toEqual([B, 0, V]);
      expect(none[io.NEXT_TOKEN].data).toHaveLength(0);
    } finally {
      await session.release();
    }
  });
});
