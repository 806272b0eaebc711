// The inference benchmark (issue 2 item 6) on a loaded LLaVA-architecture model: prefill,
// KV-cache decode rate, batched intervention variants (1/8/32 per forward) and the cost of hooks
// (none in the graph vs. knockout + ablation + patch active). Every figure is the median of
// `repeats` timed runs after one untimed warm-up (which builds and loads the graph variant).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Intervention, Model } from '../src/index.ts';

export interface BenchOptions {
  repeats: number;
  /** New tokens per generate run for the decode rate. */
  decodeTokens: number;
  /** Text tokens around the image in the LLaVA-1.5 prompt. */
  textTokens: number;
}

export const DEFAULT_BENCH_OPTIONS: BenchOptions = { repeats: 3, decodeTokens: 32, textTokens: 30 };
export const VARIANT_COUNTS = [1, 8, 32] as const;

export interface BenchResult {
  model: string;
  seq_len: number;
  image_tokens: number;
  prefill_ms: number;
  decode_tokens_per_s: number;
  variants_ms: Record<string, number>;
  variants_ms_per_variant: Record<string, number>;
  hooks_unused_ms: number;
  hooks_used_ms: number;
  image_encode_ms: number;
  peak_rss_mb: number;
  /** Context for the wall-clock figures: cores and 1-minute load average when the bench ended. */
  cpu_count: number;
  load_avg_1m: number;
}

/** `USER: <image>\n… ASSISTANT:`-shaped ids: BOS, text, the image tokens, more text (ids are arbitrary text ids). */
export function benchPromptIds(model: Model, textTokens: number): number[] {
  const text = (n: number, from: number) => Array.from({ length: n }, (_, i) => 100 + ((from + i * 7919) % 20000));
  const before = 4;
  return [1, ...text(before, 0), ...new Array<number>(model.info.imageTokensPerView).fill(model.info.imageTokenId), ...text(textTokens - before, 1)];
}

async function median(repeats: number, run: () => Promise<unknown>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function runBench(model: Model, name: string, options: BenchOptions = DEFAULT_BENCH_OPTIONS, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const [h, w] = model.info.imageSize;
  const pixels = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 0.001));
  const imageEncodeMs = await median(options.repeats, () => model.encodeImage(pixels));
  log(`image encode: ${imageEncodeMs.toFixed(1)} ms`);
  const ids = benchPromptIds(model, options.textTokens);
  const embeds = await model.embedWithImage(ids, (await model.encodeImage(pixels)).features);
  const seqLen = ids.length;
  const base = { inputsEmbeds: embeds, seqLen };

  const prefillMs = await median(options.repeats, () => model.generate({ ...base, variants: [{}], maxNewTokens: 1, eosTokenIds: [] }));
  log(`prefill (${seqLen} tokens, KV cache out): ${prefillMs.toFixed(1)} ms`);
  const generateMs = await median(options.repeats, () => model.generate({ ...base, variants: [{}], maxNewTokens: options.decodeTokens + 1, eosTokenIds: [] }));
  const decodeRate = (options.decodeTokens * 1000) / (generateMs - prefillMs);
  log(`decode with KV cache: ${decodeRate.toFixed(1)} tokens/s`);

  const hooksUnusedMs = await median(options.repeats, () => model.forward({ ...base, variants: [{}], logits: 'last' }));
  const [s0, s1] = imageSpan(ids, model.info.imageTokenId);
  const D = model.info.headDim;
  const allHooks: Intervention = {
    knockouts: [{ layers: [0, 1, 2, 3], keyPositions: Array.from({ length: 16 }, (_, i) => s0 + i), queriesFrom: s1 }],
    ablations: [{ layer: 2, head: 1 }],
    patches: [{ layer: 5, head: 3, positions: [seqLen - 1], values: new Float32Array(D).fill(0.1) }],
  };
  const hooksUsedMs = await median(options.repeats, () => model.forward({ ...base, variants: [allHooks], logits: 'last' }));
  log(`forward, no hooks in the graph: ${hooksUnusedMs.toFixed(1)} ms; knockout + ablation + patch active: ${hooksUsedMs.toFixed(1)} ms`);

  const variantsMs: Record<string, number> = {};
  const perVariant: Record<string, number> = {};
  for (const count of VARIANT_COUNTS) {
    // Distinct head ablations, as a CMA / head-ablation sweep sends them.
    const variants: Intervention[] = Array.from({ length: count }, (_, i) => ({ ablations: [{ layer: i % model.info.layers, head: Math.floor(i / model.info.layers) % model.info.heads }] }));
    variantsMs[String(count)] = await median(options.repeats, () => model.forward({ ...base, variants, logits: 'last' }));
    perVariant[String(count)] = variantsMs[String(count)] / count;
    log(`${count} variants in one forward: ${variantsMs[String(count)].toFixed(1)} ms (${perVariant[String(count)].toFixed(1)} ms per variant)`);
  }
  return {
    model: name,
    seq_len: seqLen,
    image_tokens: model.info.imageTokensPerView,
    prefill_ms: round(prefillMs),
    decode_tokens_per_s: round(decodeRate),
    variants_ms: mapValues(variantsMs, round),
    variants_ms_per_variant: mapValues(perVariant, round),
    hooks_unused_ms: round(hooksUnusedMs),
    hooks_used_ms: round(hooksUsedMs),
    image_encode_ms: round(imageEncodeMs),
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    cpu_count: cpus().length,
    load_avg_1m: round(loadavg()[0]),
  };
}

function imageSpan(ids: number[], imageToken: number): [number, number] {
  return [ids.indexOf(imageToken), ids.lastIndexOf(imageToken) + 1];
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

function mapValues(o: Record<string, number>, f: (v: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
