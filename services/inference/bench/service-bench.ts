// The inference-service benchmark (issue 5): the CMA head sweep of one example, greedy generation
// with attention knockout active while decoding, and one Score request in-process vs over gRPC.
// Every figure is the median wall time of `repeats` timed runs after one untimed warm-up.
import { credentials, Metadata } from '@grpc/grpc-js';
import { float32Tensor } from '@locscope/proto';
import { InferenceClient, TextSpan, TokenMaskMode, type ImageInput, type ScoreRequest, type Variant } from '@locscope/proto/v1/inference';
import { createLogger } from '@locscope/server-kit';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testTokenizerJson } from '../src/checkpoint/test-support.ts';
import { startInferenceServer } from '../src/server/inference-service.ts';
import type { LoadModelOptions } from '../src/runtime/model.ts';
import { BENCH_IMAGE_TOKEN } from './bench-checkpoint.ts';
import { median } from './run-bench.ts';

export interface ServiceBenchResult {
  /** (layer, head) patched forwards per second of one example's CMA sweep (source run included). */
  head_sweep_forwards_per_s: number;
  head_sweep_heads: number;
  /** Greedy tokens per second with knockout (after-image queries → a 5×5 image block, 4 layers), prefill included. */
  generate_knockout_tokens_per_s: number;
  grpc_score_ms: number;
  inprocess_score_ms: number;
}

/** The bench request: a grounding question and a box answer, as the study sends them. */
export const QUESTION = 'Please provide the bounding box coordinate of the region this sentence describes: cat.';
export const TARGET = '[0.12, 0.34, 0.56, 0.78]';
/** The words of the LLaVA prompt template and the question: a bench tokenizer makes each one token. */
export const PROMPT_WORDS = [...new Set(`USER ASSISTANT ${QUESTION}`.replace(/[.:]/g, ' ').split(/\s+/).filter(Boolean))];


function pixels(size: number, phase: number): ImageInput {
  const values = Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.001 + phase));
  return { source: { $case: 'pixelValues', value: float32Tensor(values, [1, 3, size, size]) } };
}

/**
 * The generated bench checkpoint has random weights and no tokenizer: give it a word-level BPE
 * tokenizer.json (the Llama-style prompt words as single tokens) so text requests can be made.
 */
export function ensureBenchTokenizer(dir: string): void {
  const file = join(dir, 'tokenizer.json');
  if (existsSync(file)) return;
  writeFileSync(file, JSON.stringify(testTokenizerJson({ added: { 1: '<s>', 2: '</s>', [BENCH_IMAGE_TOKEN]: '<image>' }, words: PROMPT_WORDS, metaspace: true, bos: '<s>', firstId: 100 })));
}

/** Runs on a llava-hf checkpoint directory with a tokenizer.json; `load` configures the service's model. */
export async function runServiceBench(modelDir: string, repeats: number, log: (line: string) => void = () => {}, load: LoadModelOptions = {}): Promise<ServiceBenchResult> {
  const started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 256 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models: [{ name: 'bench', dir: modelDir, preload: true }], limits: { maxVariants: 64 }, load: () => load },
    createLogger({ level: 'warn' }),
  );
  const client = new InferenceClient(started.server.address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': 256 * 1024 * 1024,
  });
  try {
    await started.ready;
    const engine = started.engine;
    const model = await engine.registry.get('bench');
    const size = model.info.imageSize[0];
    const [imageA, imageB] = [pixels(size, 0), pixels(size, 1.3)];
    const heads = model.info.layers * model.info.heads;

    const sweepMs = (await median(repeats, () =>
      engine.headSweep({ model: 'bench', baseImage: imageB, sourceImage: imageA, prompt: QUESTION, target: TARGET, positions: undefined, heads: [], mask: { kind: 'answer' } }),
    )).wallMs;
    const head_sweep_forwards_per_s = (heads * 1000) / sweepMs;
    log(`CMA head sweep: ${heads} patched forwards in ${sweepMs.toFixed(0)} ms → ${head_sweep_forwards_per_s.toFixed(1)} forwards/s`);

    const [rows, cols] = model.info.imageGrid;
    const block = Array.from({ length: 25 }, (_, i) => ({ view: 0, row: Math.floor(rows / 2) - 2 + Math.floor(i / 5), col: Math.floor(cols / 2) - 2 + (i % 5) }));
    const knockout: Variant = {
      name: 'knockout',
      interventions: [
        {
          kind: {
            $case: 'knockout',
            value: {
              layers: [0, 1, 2, 3],
              queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] },
              keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: [], coordinates: block }, explicit: [] },
            },
          },
        },
      ],
    };
    let generated = 0;
    const generateMs = (await median(repeats, async () => {
      const [g] = await engine.generate({ model: 'bench', image: imageA, prompt: QUESTION, variants: [knockout], maxNewTokens: 16, stop: [] });
      generated = g.tokenIds.length;
    })).wallMs;
    const generate_knockout_tokens_per_s = (generated * 1000) / generateMs;
    log(`generate with knockout: ${generated} tokens in ${generateMs.toFixed(0)} ms → ${generate_knockout_tokens_per_s.toFixed(1)} tokens/s`);

    const score: ScoreRequest = { model: 'bench', image: imageA, prompt: QUESTION, target: TARGET, variants: [{ name: 'clean', interventions: [] }, knockout], maskMode: TokenMaskMode.TOKEN_MASK_MODE_UNSPECIFIED, mask: [] };
    const inprocess_score_ms = (await median(repeats, () => engine.score({ ...score, mask: { kind: 'answer' } }))).wallMs;
    const grpc_score_ms = (
      await median(repeats, () => new Promise((resolve, reject) => client.score(score, new Metadata(), (error, response) => (error ? reject(error) : resolve(response)))))
    ).wallMs;
    log(`Score (2 variants): in-process ${inprocess_score_ms.toFixed(1)} ms, over gRPC ${grpc_score_ms.toFixed(1)} ms`);
    return { head_sweep_forwards_per_s, head_sweep_heads: heads, generate_knockout_tokens_per_s, grpc_score_ms, inprocess_score_ms };
  } finally {
    client.close();
    await started.server.shutdown();
  }
}
