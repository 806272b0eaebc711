// The decoder's 'greedy' output against the 'last' logits it replaces, on the shared fixture models:
// per batch row, the first index of the largest logit and its float64 log-softmax value.
import { describe, expect, test } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { PreparedWeights } from '../onnx/prepared-weights.ts';
import { createSession } from '../runtime/session.ts';
import { tokenLogProb } from '../runtime/log-probs.ts';
import { buildDecoderGraph } from './decoder-graph.ts';
import * as io from './decoder-io.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/fixtures/hf-parity');

describe.each(['llava-tiny', 'internvl-tiny'])('%s', (fixture) => {
  const checkpoint = loadCheckpoint(join(FIXTURES, fixture));
  const text = checkpoint.config.text;
  const weights = PreparedWeights.open(checkpoint.weights);
  const session = async (logits: io.DecoderVariant['logits']) => {
    const bytes = buildDecoderGraph(text, weights, { hooks: io.NO_HOOKS, captures: io.NO_CAPTURES, kvCache: false, logits }).bytes;
    await weights.flush();
    return createSession(fixture, bytes, weights.dir, { executionProvider: 'cpu', intraOpNumThreads: 1 });
  };

  test('next_token is the first argmax of the last logits and next_log_prob its log-probability', async () => {
    const [B, T, C, V] = [3, 5, text.hiddenSize, text.vocabSize];
    const embeds = new ort.Tensor('float32', Float32Array.from({ length: B * T * C }, (_, i) => Math.sin(i * 0.61) * 0.8), [B, T, C]);
    const [last, greedy] = await Promise.all([session('last'), session('greedy')]);
    try {
      const logits = (await last.run({ [io.INPUTS_EMBEDS]: embeds }))[io.LOGITS].data as Float32Array;
      const out = await greedy.run({ [io.INPUTS_EMBEDS]: embeds });
      const tokens = Array.from(out[io.NEXT_TOKEN].data as BigInt64Array, Number);
      const logProbs = out[io.NEXT_LOG_PROB].data as Float32Array;
      for (let b = 0; b < B; b++) {
        const row = Array.from(logits.subarray(b * V, (b + 1) * V));
        expect(tokens[b]).toBe(row.indexOf(Math.max(...row)));
        expect(Math.abs(logProbs[b] - tokenLogProb(logits, b * V, V, tokens[b]))).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      await Promise.all([last.release(), greedy.release()]);
    }
  });
});
