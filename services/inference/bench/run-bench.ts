// The inference benchmark (issue 2 item 6) on a loaded LLaVA-architecture model: prefill,
// KV-cache decode rate, batched intervention variants (1/8/32 per forward) and the cost of hooks
// (none in the graph vs. knockout + ablation + patch active). Every figure is the median of
// `repeats` timed runs after one untimed warm-up (which builds and loads the graph variant).
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Intervention, Model } from '../src/index.ts';
import { integratedGradients } from '../src/runtime/attribution.ts';
import { anonymousMb } from './process-memory.ts';

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
  /** CPU time of the same runs (all threads): comparable across loads, unlike wall time. */
  cpu_ms: { prefill: number; decode_per_token: number; hooks_unused: number; hooks_used: number; variants: Record<string, number> };
  peak_rss_mb: number;
  /**
   * Private (anonymous) memory a first knockout-only forward adds once run. Before the decoder was
   * one graph, this loaded one more graph variant (its own session state and activation arena);
   * now it runs in the model's one decoder session. null where /proc/self/smaps_rollup is
   * unavailable (not Linux).
   */
  graph_variant_private_mb: number | null;
  /**
   * Loaded sessions holding a copy of the decoder's weights after one request of every operation
   * (Score, Generate with knockout, Capture, head sweep, layer sharing, Attribute): the decoder
   * graph and the Integrated-Gradients graph. A float16 model runs no Attribute (Integrated
   * Gradients need float32): the decoder graph alone.
   */
  weight_copies: number;
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

interface Timing {
  wallMs: number;
  /** Process CPU time (user + system, all threads) of the same run: stable under contention. */
  cpuMs: number;
}

/** The run with the median wall time among `repeats`, after one untimed warm-up. */
export async function median(repeats: number, run: () => Promise<unknown>): Promise<Timing> {
  await run();
  const times: Timing[] = [];
  for (let i = 0; i < repeats; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run();
    const used = process.cpuUsage(cpu);
    times.push({ wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 });
  }
  times.sort((a, b) => a.wallMs - b.wallMs);
  return times[Math.floor(times.length / 2)];
}

const fmt = (t: Timing) => `${t.wallMs.toFixed(1)} ms (CPU ${t.cpuMs.toFixed(0)} ms)`;

export async function runBench(model: Model, name: string, options: BenchOptions = DEFAULT_BENCH_OPTIONS, log: (line: string) => void = () => {}): Promise<BenchResult> {
  const [h, w] = model.info.imageSize;
  const pixels = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 0.001));
  const imageEncode = await median(options.repeats, () => model.encodeImage(pixels));
  log(`image encode: ${fmt(imageEncode)}`);
  const ids = benchPromptIds(model, options.textTokens);
  const embeds = await model.embedWithImage(ids, (await model.encodeImage(pixels)).features);
  const seqLen = ids.length;
  const base = { inputsEmbeds: embeds, seqLen };

  const prefill = await median(options.repeats, () => model.generate({ ...base, variants: [{}], maxNewTokens: 1, eosTokenIds: [] }));
  log(`prefill (${seqLen} tokens, KV cache out): ${fmt(prefill)}`);
  const generate = await median(options.repeats, () => model.generate({ ...base, variants: [{}], maxNewTokens: options.decodeTokens + 1, eosTokenIds: [] }));
  const decodeRate = (options.decodeTokens * 1000) / (generate.wallMs - prefill.wallMs);
  const decodeCpuMs = (generate.cpuMs - prefill.cpuMs) / options.decodeTokens;
  log(`decode with KV cache: ${decodeRate.toFixed(1)} tokens/s (CPU ${decodeCpuMs.toFixed(1)} ms per token)`);

  const hooksUnused = await median(options.repeats, () => model.forward({ ...base, variants: [{}], logits: 'last' }));
  const [s0, s1] = imageSpan(ids, model.info.imageTokenId);
  const D = model.info.headDim;
  const allHooks: Intervention = {
    knockouts: [{ layers: [0, 1, 2, 3], keyPositions: Array.from({ length: 16 }, (_, i) => s0 + i), queriesFrom: s1 }],
    ablations: [{ layer: 2, head: 1 }],
    patches: [{ layer: 5, head: 3, positions: [seqLen - 1], values: new Float32Array(D).fill(0.1) }],
  };
  const hooksUsed = await median(options.repeats, () => model.forward({ ...base, variants: [allHooks], logits: 'last' }));
  log(`forward, no hooks in the graph: ${fmt(hooksUnused)}; knockout + ablation + patch active: ${fmt(hooksUsed)}`);

  const variantsMs: Record<string, number> = {};
  const variantsCpuMs: Record<string, number> = {};
  const perVariant: Record<string, number> = {};
  for (const count of VARIANT_COUNTS) {
    // Distinct head ablations, as a CMA / head-ablation sweep sends them.
    const variants: Intervention[] = Array.from({ length: count }, (_, i) => ({ ablations: [{ layer: i % model.info.layers, head: Math.floor(i / model.info.layers) % model.info.heads }] }));
    const t = await median(options.repeats, () => model.forward({ ...base, variants, logits: 'last' }));
    variantsMs[String(count)] = t.wallMs;
    variantsCpuMs[String(count)] = t.cpuMs;
    perVariant[String(count)] = t.wallMs / count;
    log(`${count} variants in one forward: ${fmt(t)}, ${perVariant[String(count)].toFixed(1)} ms per variant`);
  }
  // A request no run above made (knockout only).
  const before = anonymousMb();
  await model.forward({ ...base, variants: [{ knockouts: allHooks.knockouts }], logits: 'last' });
  const after = anonymousMb();
  const variantMb = before === null || after === null ? null : after - before;
  log(`first knockout-only forward: ${variantMb === null ? 'n/a' : `${variantMb.toFixed(0)} MB`} more private memory`);
  const copies = await weightCopies(model, base, allHooks, imageSpan(ids, model.info.imageTokenId));
  log(`sessions holding the decoder's weights after every operation: ${copies}`);
  return {
    model: name,
    seq_len: seqLen,
    image_tokens: model.info.imageTokensPerView,
    prefill_ms: round(prefill.wallMs),
    decode_tokens_per_s: round(decodeRate),
    variants_ms: mapValues(variantsMs, round),
    variants_ms_per_variant: mapValues(perVariant, round),
    hooks_unused_ms: round(hooksUnused.wallMs),
    hooks_used_ms: round(hooksUsed.wallMs),
    image_encode_ms: round(imageEncode.wallMs),
    cpu_ms: {
      prefill: round(prefill.cpuMs),
      decode_per_token: round(decodeCpuMs),
      hooks_unused: round(hooksUnused.cpuMs),
      hooks_used: round(hooksUsed.cpuMs),
      variants: mapValues(variantsCpuMs, round),
    },
    peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    graph_variant_private_mb: variantMb === null ? null : round(variantMb),
    weight_copies: copies,
    cpu_count: cpus().length,
    load_avg_1m: round(loadavg()[0]),
  };
}

/** Runs one request of every operation (Attribute with one step), then counts the sessions holding the decoder's weights. */
async function weightCopies(model: Model, base: { inputsEmbeds: Float32Array; seqLen: number }, hooks: Intervention, [s0, s1]: [number, number]): Promise<number> {
  const L = model.info.layers;
  const targets = { positions: [base.seqLen - 1], tokenIds: [7] };
  await model.score({ ...base, variants: [{}, hooks], targets });
  await model.generate({ ...base, variants: [{ knockouts: hooks.knockouts }], maxNewTokens: 2, eosTokenIds: [] });
  await model.forward({ ...base, variants: [{}], captures: { attnPreOProj: true }, logits: 'last' });
  // A head sweep's late-layer ablations share the layers before them.
  await model.forward({ ...base, variants: [{}, { ablations: [{ layer: L - 1, head: 0 }] }, { ablations: [{ layer: L - 1, head: 1 }] }], logits: 'last' });
  const visualPositions = Array.from({ length: s1 - s0 }, (_, i) => s0 + i);
  await integratedGradients(model, { ...base, visualPositions, targets, baseline: { kind: 'zero' }, steps: 1 });
  return model.weightCopies;
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
