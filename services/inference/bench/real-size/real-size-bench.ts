// `locscope bench --preset NAME`: one of the paper's seed systems at its real size, with random
// weights, run through the inference service over gRPC (an in-process server, as the service
// bench uses): every operation the study sends, once, timed; memory and disk as the OS counts
// them; the prefill rate against a bare onnxruntime MatMul of the same shape. The cheap
// operations run first and every figure is logged as it is measured: on 2 shared cores a
// 7B model's full-sequence rows take minutes each, and a run stopped early keeps what it has.
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { decodeFloat32 } from '@locscope/proto';
import {
  AttributionBaseline,
  InferenceClient,
  TextSpan,
  TokenMaskMode,
  type AttributeRequest,
  type AttributeResponse,
  type CaptureResponse,
  type EncodeImageRequest,
  type EncodeImageResponse,
  type GenerateRequest,
  type GenerateResponse,
  type HeadSweepRequest,
  type HeadSweepResponse,
  type ImageInput,
  type Intervention,
  type ScoreRequest,
  type ScoreResponse,
  type Variant,
} from '@locscope/proto/v1/inference';
import { createLogger } from '@locscope/server-kit';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gradientRowBytes } from '../../src/runtime/attribution.ts';
import type { Precision } from '../../src/runtime/session.ts';
import { startInferenceServer } from '../../src/server/inference-service.ts';
import { peakRssMb, RssPeakSampler, rssSplit } from '../process-memory.ts';
import { QUESTION, TARGET } from '../service-bench.ts';
import { decoderForwardFlops, matmulGflopPerS } from './flops.ts';
import { ensurePresetCheckpoint } from './preset-checkpoint.ts';
import type { RealSizePreset } from './presets.ts';

const MODEL = 'real-size';
/** Responses carry [T, H, D] captures and [N, hidden] features: far beyond gRPC's 4 MB default. */
const MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
/**
 * The Capture price limit: the engine prices a capture at every layer before it selects the asked
 * ones (head outputs of all 36 InternVL layers at 1,856 tokens: 1.09 GB, over the served default
 * of 1 GiB), so the one-layer Capture needs room for all of them.
 */
const MAX_CAPTURE_BYTES = 2 * 1024 ** 3;
/** The operations' sizes, as issue 12 item 5 fixes them. */
const SCORE_VARIANTS = 8;
const GENERATE_TOKENS = 8;
const KNOCKOUT_LAYERS = [0, 1, 2, 3];
const SWEEP_HEADS = 32;
/** Memory left to the OS and the other processes when deciding how many Attribute steps fit. */
const ATTRIBUTE_MEMORY_MARGIN_BYTES = 2 * 1024 ** 3;
/**
 * What one Integrated-Gradients step's process memory measured against gradientRowBytes: ≈ 3.3×
 * on the bench model (2.3 GB RSS for 0.7 GB estimated), and more than 2.3× on LLaVA-1.5-7B in
 * float16 (OOM-killed at 23.9 GB anonymous for 10.3 GB estimated, 2026-12-05). The estimate
 * counts only the activations the backward pass reads; the gradients, the float32 casts of the
 * weights and the arena come on top. The bench runs Attribute only when this much is available.
 */
const MEASURED_GRADIENT_PEAK_FACTOR = 3;

export interface RealSizeBenchOptions {
  /** Folder of the preset's random checkpoint (written on first use). */
  checkpointDir: string;
  /** InternVL: local tiles per image (default: the preset's). */
  maxTiles?: number;
  /** Compute precision (default: the checkpoint's, float16 for both presets). */
  precision?: Precision;
  /** LoadModelOptions.activationBudgetBytes (default: the runtime's, DEFAULT_ACTIVATION_BUDGET_BYTES). */
  activationBudgetBytes?: number;
  log: (line: string) => void;
}

export interface RealSizeResult {
  preset: string;
  params: number;
  precision: string;
  /** VmHWM: anonymous and file-backed (mapped weights) pages together. */
  peak_rss_mb: number | null;
  /** Sampled peaks of each part. */
  peak_rss_anon_mb: number | null;
  peak_rss_file_mb: number | null;
  /** Checkpoint + its prepared weights. */
  disk_gb: number;
  disk_checkpoint_gb: number;
  disk_prepared_gb: number;
  weight_copies: number;
  /** Capture's one clean row of T tokens (no cached prefix): decoderForwardFlops / wall time. */
  prefill_gflop_per_s: number;
  /** The ceiling: a bare MatMul [T, hidden]·[hidden, intermediate] in the same precision. */
  matmul_gflop_per_s: number;
  seq_len: number;
  image_tokens: number;
  load_ms: number;
  checkpoint_write_ms: number | null;
  generated_tokens: number;
  attribute_steps: number | null;
  ops_ms: {
    encode_image: number;
    score_8_variants: number;
    capture: number;
    generate_8_knockout: number;
    head_sweep_32: number;
    attribute: number | null;
  };
  notes?: string;
}

export async function runRealSizeBench(preset: RealSizePreset, options: RealSizeBenchOptions): Promise<RealSizeResult> {
  const { log } = options;
  const sampler = new RssPeakSampler();
  const stamp = () => new Date().toISOString().slice(11, 19);
  log(`${stamp()} checkpoint: ${options.checkpointDir}`);
  const writeStart = performance.now();
  const checkpoint = ensurePresetCheckpoint(preset, options.checkpointDir, { onShard: (file, i, n) => log(`${stamp()}   wrote ${file} (${i + 1}/${n})`) });
  const checkpointWriteMs = checkpoint.written ? performance.now() - writeStart : null;
  log(`${stamp()} ${(checkpoint.parameters / 1e9).toFixed(2)} B parameters, ${(checkpoint.bytes / 1e9).toFixed(1)} GB${checkpoint.written ? ` written in ${(checkpointWriteMs! / 1000).toFixed(0)} s` : ' (already there)'}`);

  const loadStart = performance.now();
  const started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: MAX_MESSAGE_BYTES, shutdownGraceMs: 1000 },
    {
      models: [{ name: MODEL, dir: options.checkpointDir, preload: true }],
      limits: { maxVariants: 64, maxCaptureBytes: MAX_CAPTURE_BYTES },
      load: () => ({
        ...(options.precision && { precision: options.precision }),
        ...(options.activationBudgetBytes !== undefined && { activationBudgetBytes: options.activationBudgetBytes }),
      }),
    },
    createLogger({ level: 'warn' }),
  );
  const client = new InferenceClient(started.server.address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  try {
    await started.ready;
    const loadMs = performance.now() - loadStart;
    log(`${stamp()} loaded (weights prepared, vision/embedding/decoder graphs built) in ${(loadMs / 1000).toFixed(0)} s`);
    const model = await started.engine.registry.get(MODEL);
    const { layers: L, heads: H } = model.info;
    const maxTiles = options.maxTiles ?? preset.image.maxTiles;
    const imageA = benchImage(preset, 0, maxTiles);
    const imageB = benchImage(preset, 1, maxTiles);
    const ops: Partial<RealSizeResult['ops_ms']> = {};
    const timed = async <T>(name: keyof RealSizeResult['ops_ms'], what: string, run: () => Promise<T>): Promise<T> => {
      log(`${stamp()} ${what} …`);
      const start = performance.now();
      const result = await run();
      ops[name] = Math.round(performance.now() - start);
      const now = rssSplit();
      log(`${stamp()} ${what}: ${(ops[name]! / 1000).toFixed(1)} s; peak RSS so far ${roundOrNull(peakRssMb())} MB${now ? ` (now ${round(now.anonymousMb)} MB anonymous + ${round(now.fileMb)} MB file-backed)` : ''}`);
      return result;
    };

    const encoded = await timed('encode_image', 'EncodeImage', () => unary(client, 'encodeImage', { model: MODEL, image: imageA, returnEmbeddings: false }));
    const imageTokens = decodeFloat32(encoded.norms, 'norms').length;
    log(`  ${encoded.views.length} view(s), ${imageTokens} image tokens`);

    const middle = Math.floor(L / 2);
    const prompt = model.checkpoint.prompt.encodeWithTarget(QUESTION, TARGET, { views: encoded.views.length });
    const seqLen = prompt.ids.length;
    const text = model.checkpoint.config.text;
    // The ceiling first (seconds), so a run stopped early still has it: a bare MatMul of the MLP's shape.
    const matmulDtype = model.precision === 'float16' ? 'float16' : 'float32';
    const matmulRate = await matmulGflopPerS(seqLen, text.hiddenSize, text.intermediateSize, matmulDtype);
    log(`${stamp()} bare MatMul [${seqLen}, ${text.hiddenSize}]·[${text.hiddenSize}, ${text.intermediateSize}] ${matmulDtype}: ${significant(matmulRate)} GFLOP/s`);

    const captured = await timed('capture', `Capture, head outputs of layer ${middle}`, () =>
      stream(client, { model: MODEL, image: imageA, prompt: QUESTION, target: TARGET, variants: [], spec: { layers: [middle], hiddenStates: false, headOutputs: true, attentionProbs: false, visionStates: false, positions: undefined }, storeAs: '' }),
    );
    log(`  ${captured.map((c) => `${c.name} [${c.shape.join(', ')}]`).filter((v, i, a) => a.indexOf(v) === i).join(', ')}`);
    // Capture is one clean row over the whole sequence (no cached prefix): the prefill figure.
    const prefillRate = decoderForwardFlops(text, 1, seqLen) / ops.capture! / 1e6;
    log(`  prefill ${significant(prefillRate)} GFLOP/s (${(decoderForwardFlops(text, 1, seqLen) / 1e12).toFixed(1)} TFLOP)`);

    const [rows, cols] = model.info.imageGrid;
    // The object's tokens: a centred block of up to 5×5 in the first view, as the service bench knocks out.
    const [bh, bw] = [Math.min(5, rows), Math.min(5, cols)];
    const block = Array.from({ length: bh * bw }, (_, i) => ({ view: 0, row: Math.floor((rows - bh) / 2) + Math.floor(i / bw), col: Math.floor((cols - bw) / 2) + (i % bw) }));
    const knockout: Variant = {
      name: 'knockout',
      interventions: [{ kind: { $case: 'knockout', value: { layers: KNOCKOUT_LAYERS, queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: [], coordinates: block }, explicit: [] } } } }],
    };
    const generated = await timed('generate_8_knockout', `Generate ${GENERATE_TOKENS} tokens, knockout in layers ${KNOCKOUT_LAYERS.join(',')}`, () =>
      unary(client, 'generate', { model: MODEL, image: imageA, prompt: QUESTION, variants: [knockout], maxNewTokens: GENERATE_TOKENS, stop: [] }),
    );
    const generatedTokens = generated.generations[0]?.tokenIds.length ?? 0;
    log(`  ${generatedTokens} tokens (${generated.generations[0]?.finishReason})`);

    const heads = Array.from({ length: SWEEP_HEADS }, (_, h) => ({ layer: middle, head: h % H }));
    await timed('head_sweep_32', `HeadSweep, ${SWEEP_HEADS} heads of layer ${middle}`, () =>
      unary(client, 'headSweep', { model: MODEL, baseImage: imageB, sourceImage: imageA, prompt: QUESTION, target: TARGET, positions: undefined, heads, maskMode: TokenMaskMode.TOKEN_MASK_MODE_ALL, mask: [] }),
    );

    const ablations: Variant[] = Array.from({ length: SCORE_VARIANTS }, (_, k) => ({
      name: `ablate-L${Math.floor((k * L) / SCORE_VARIANTS)}H${k % H}`,
      interventions: [ablate([{ layer: Math.floor((k * L) / SCORE_VARIANTS), head: k % H }])],
    }));
    await timed('score_8_variants', `Score, ${SCORE_VARIANTS} head-ablation variants (all positions)`, () =>
      unary(client, 'score', { model: MODEL, image: imageA, prompt: QUESTION, target: TARGET, variants: ablations, maskMode: TokenMaskMode.TOKEN_MASK_MODE_ALL, mask: [] }),
    );

    // One α step is one batch row of the gradient graph; the steps of a request run one batch at
    // a time, so memory decides whether any step fits at all, and time how many to run: one.
    const rowBytes = gradientRowBytes(model, seqLen);
    const available = memAvailableBytes();
    const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;
    const needs = `one Integrated-Gradients step at T = ${seqLen} keeps ≈ ${gb(rowBytes)} of float32 activations alive for the backward pass (gradientRowBytes), ≈ ${gb(MEASURED_GRADIENT_PEAK_FACTOR * rowBytes)} of process memory as measured`;
    let attributeSteps: number | null = null;
    let notes: string | undefined;
    if (available !== null && MEASURED_GRADIENT_PEAK_FACTOR * rowBytes > available - ATTRIBUTE_MEMORY_MARGIN_BYTES) {
      notes = `Attribute skipped: ${needs}; MemAvailable was ${gb(available)}`;
      log(`${stamp()} ${notes}`);
    } else {
      try {
        await timed('attribute', `Attribute, 1 step (${needs})`, () =>
          unary(client, 'attribute', { model: MODEL, image: imageA, prompt: QUESTION, target: TARGET, steps: 1, baseline: AttributionBaseline.ATTRIBUTION_BASELINE_ZERO, meanEmbedding: '' }),
        );
        attributeSteps = 1;
      } catch (error) {
        if ((error as Partial<ServiceError>).code !== status.FAILED_PRECONDITION) throw error;
        notes = `Attribute refused: ${(error as ServiceError).details} (${needs}; this machine has ${gb(totalmem())})`;
        log(`${stamp()} ${notes}`);
      }
    }

    const peak = sampler.stop();
    const preparedDir = model.preparedWeightsDir;
    const checkpointGb = diskBytes(options.checkpointDir) / 1e9;
    const preparedGb = diskBytes(preparedDir) / 1e9;
    return {
      preset: preset.name,
      params: checkpoint.parameters,
      precision: model.precision,
      peak_rss_mb: roundOrNull(peakRssMb()),
      peak_rss_anon_mb: roundOrNull(peak?.anonymousMb ?? null),
      peak_rss_file_mb: roundOrNull(peak?.fileMb ?? null),
      disk_gb: round(checkpointGb + preparedGb),
      disk_checkpoint_gb: round(checkpointGb),
      disk_prepared_gb: round(preparedGb),
      weight_copies: model.loadedGraphKeys.filter(holdsDecoderWeights).length,
      prefill_gflop_per_s: significant(prefillRate),
      matmul_gflop_per_s: significant(matmulRate),
      seq_len: seqLen,
      image_tokens: imageTokens,
      load_ms: Math.round(loadMs),
      checkpoint_write_ms: checkpointWriteMs === null ? null : Math.round(checkpointWriteMs),
      generated_tokens: generatedTokens,
      attribute_steps: attributeSteps,
      ops_ms: {
        encode_image: ops.encode_image!,
        score_8_variants: ops.score_8_variants!,
        capture: ops.capture!,
        generate_8_knockout: ops.generate_8_knockout!,
        head_sweep_32: ops.head_sweep_32!,
        attribute: ops.attribute ?? null,
      },
      ...(notes ? { notes } : {}),
    };
  } finally {
    sampler.stop();
    client.close();
    await started.server.shutdown();
    await (await started.engine.registry.get(MODEL).catch(() => undefined))?.dispose();
  }
}

/** Graph variants whose session holds decoder weights: everything but the vision encoder and the embedding lookup. */
function holdsDecoderWeights(key: string): boolean {
  return key !== 'embed' && !key.startsWith('vision|');
}

function ablate(heads: { layer: number; head: number }[]): Intervention {
  return { kind: { $case: 'ablate', value: { heads, positions: { span: TextSpan.TEXT_SPAN_ALL, explicit: [] } } } };
}

/**
 * An encoded image the server decodes and preprocesses as any request's: an SVG (decoded by the
 * same sharp the service uses) of the preset's size — InternVL's 3:2 gives 3×2 tiles at 6 tiles.
 */
function benchImage(preset: RealSizePreset, variant: number, maxTiles: number | undefined): ImageInput {
  const { width, height } = preset.image;
  const cx = Math.round(width * (0.3 + 0.4 * variant));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g"><stop offset="0" stop-color="#3a6"/><stop offset="1" stop-color="#fc3"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/><circle cx="${cx}" cy="${Math.round(height / 2)}" r="${Math.round(height / 5)}" fill="#c22"/></svg>`;
  return { source: { $case: 'encoded', value: Buffer.from(svg) }, ...(maxTiles === undefined ? {} : { maxTiles }) };
}

/** The unary calls the bench makes: request and response types. */
interface UnaryCalls {
  encodeImage: [EncodeImageRequest, EncodeImageResponse];
  score: [ScoreRequest, ScoreResponse];
  generate: [GenerateRequest, GenerateResponse];
  headSweep: [HeadSweepRequest, HeadSweepResponse];
  attribute: [AttributeRequest, AttributeResponse];
}

function unary<M extends keyof UnaryCalls>(client: InferenceClient, method: M, request: UnaryCalls[M][0]): Promise<UnaryCalls[M][1]> {
  return new Promise((resolve, reject) => {
    const call = client[method] as unknown as (r: UnaryCalls[M][0], m: Metadata, cb: (e: ServiceError | null, r: UnaryCalls[M][1]) => void) => void;
    call.call(client, request, new Metadata(), (error, response) => (error ? reject(error) : resolve(response)));
  });
}

function stream(client: InferenceClient, request: Parameters<InferenceClient['capture']>[0]): Promise<CaptureResponse[]> {
  return new Promise((resolve, reject) => {
    const chunks: CaptureResponse[] = [];
    client
      .capture(request)
      .on('data', (chunk: CaptureResponse) => chunks.push(chunk))
      .on('error', reject)
      .on('end', () => resolve(chunks));
  });
}

function memAvailableBytes(): number | null {
  try {
    const kb = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes the files under `dir` occupy on disk (allocated blocks, so sparse files count as written). */
function diskBytes(dir: string): number {
  let total = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).blocks * 512;
  return total;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Rates to 3 significant digits (a scaled-down test model's are far below 1). */
function significant(v: number): number {
  return Number(v.toPrecision(3));
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : round(v);
}
