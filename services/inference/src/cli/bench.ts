// `locscope bench [--model DIR] [--json] [--repeats N] [--precision float32|float16]`: the inference
// benchmark. Without --model it generates the issue's random-weight LLaVA bench checkpoint once (in
// the OS temp folder) and uses it; with --model it runs the same measurements on any llava-hf
// checkpoint directory. --precision sets the compute precision of the model and of the service's
// (default: the checkpoint's own, float32 for the generated bench model).
// `locscope bench --preset llava-1.5-7b|internvl-3.5-8b [--max-tiles N] [--clean]`: a seed system
// at its real size (bench/real-size), or with --clean the removal of that preset's files.
// Prints a readable summary; with --json, one JSON object as the last line of stdout.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineFlags, parseFlags, UsageError, type Command, type FlagValues } from '@locscope/server-kit';
import { DEFAULT_ACTIVATION_BUDGET_BYTES, loadModel } from '../runtime/model.ts';
import type { Precision } from '../runtime/session.ts';
import { ensureBenchCheckpoint } from '../../bench/bench-checkpoint.ts';
import { DEFAULT_BENCH_OPTIONS, runBench } from '../../bench/run-bench.ts';
import { ensureBenchTokenizer, runServiceBench } from '../../bench/service-bench.ts';
import { runMatmulBench } from '../../bench/matmul-bench.ts';
import { benchProbes } from '@locscope/metrics/bench';
import { cleanPresetCheckpoint, presetCheckpointDir } from '../../bench/real-size/preset-checkpoint.ts';
import { PRESETS, PRESET_NAMES, type PresetName } from '../../bench/real-size/presets.ts';
import { runRealSizeBench, type RealSizeResult } from '../../bench/real-size/real-size-bench.ts';

/** The precisions a benchmark runs in (float64 is for parity runs only). */
const BENCH_PRECISIONS: readonly Precision[] = ['float32', 'float16'];
/** Bumped whenever the generated bench model changes, so a stale copy is never reused. */
const BENCH_MODEL_DIR = join(tmpdir(), 'locscope-bench-llava-v1');

const flags = defineFlags({
  model: { type: 'string', value: 'DIR', description: 'llava-hf checkpoint to measure', default: 'the generated random-weight bench model' },
  json: { type: 'boolean', description: 'also print the figures as one JSON object (last line of stdout)' },
  repeats: { type: 'string', value: 'N', description: 'repeats per figure (the median is reported)', default: String(DEFAULT_BENCH_OPTIONS.repeats) },
  precision: { type: 'string', value: BENCH_PRECISIONS.join('|'), description: 'compute precision', default: "the checkpoint's (float32 for float32 weights, float16 for fp16/bf16)" },
  preset: { type: 'string', value: PRESET_NAMES.join('|'), description: 'a seed system at its real size with random weights, through the inference service (instead of the bench model)' },
  'max-tiles': { type: 'string', value: 'N', description: 'with an InternVL --preset: local tiles per image', default: "the preset's (6)" },
  'activation-budget-bytes': {
    type: 'string',
    value: 'BYTES',
    description: 'with --preset: the served activation budget (decoder activations one batched run may hold)',
    default: String(DEFAULT_ACTIVATION_BUDGET_BYTES),
  },
  clean: { type: 'boolean', description: "with --preset: remove that preset's checkpoint and prepared weights, then exit" },
});

export const benchCommand: Command<typeof flags> = {
  name: 'bench',
  summary: 'benchmark the model runtime and inference service: prefill, KV-cache decode, batched variants, hook cost, CMA head sweep, knockout generation, Score in-process vs gRPC, peak RSS',
  flags,
  async run(argv) {
    const { values } = parseFlags(this, argv);
    if (values.preset !== undefined) return runPreset(values);
    if (values['max-tiles'] !== undefined || values['activation-budget-bytes'] !== undefined || values.clean) {
      throw new UsageError('--max-tiles, --activation-budget-bytes and --clean need --preset');
    }
    const repeats = positiveIntFlag('repeats', values.repeats) ?? DEFAULT_BENCH_OPTIONS.repeats;
    const precision = parsePrecision(values.precision);
    const log = (line: string) => process.stdout.write(`${line}\n`);
    const dir = values.model ?? ensureBenchCheckpoint(BENCH_MODEL_DIR);
    log(`model: ${dir}`);
    const model = await loadModel(dir, { precision });
    log(`precision: ${model.precision}`);
    if (model.info.family !== 'llava') throw new UsageError(`--model must be a llava-hf checkpoint, ${dir} is ${model.info.family}`);
    try {
      const runtime = await runBench(model, dir, { ...DEFAULT_BENCH_OPTIONS, repeats }, log);
      if (values.model === undefined) ensureBenchTokenizer(dir);
      const service = await runServiceBench(dir, repeats, log, { precision: model.precision });
      const matmul_ms = await runMatmulBench(repeats, log);
      const probes = await benchProbes();
      log(`position probes: ${Math.round(probes.probe_tokens_per_s)} training tokens/s at ${probes.probe_dim} dims (${probes.probe_s_per_epoch_1m_tokens.toFixed(0)} s per epoch of 10⁶ tokens)`);
      const result = { precision: model.precision, ...runtime, ...service, matmul_ms, ...probes };
      log(`peak RSS: ${result.peak_rss_mb} MB (${result.cpu_count} cores, load average ${result.load_avg_1m}: wall-clock figures scale with contention)`);
      if (values.json) log(JSON.stringify(result));
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

/** A positive integer flag's value (undefined when absent); anything else is a UsageError naming the flag. */
function positiveIntFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a positive integer, got '${raw}'`);
  return value;
}

function parsePrecision(value: string | undefined): Precision | undefined {
  if (value !== undefined && !(BENCH_PRECISIONS as readonly string[]).includes(value)) throw new UsageError(`--precision must be one of ${BENCH_PRECISIONS.join(', ')}, got '${value}'`);
  return value as Precision | undefined;
}

async function runPreset(values: FlagValues<typeof flags>): Promise<number> {
  if (!(PRESET_NAMES as readonly string[]).includes(values.preset!)) throw new UsageError(`--preset must be one of ${PRESET_NAMES.join(', ')}, got '${values.preset}'`);
  if (values.model !== undefined || values.repeats !== undefined) throw new UsageError('--preset runs each operation once on its own checkpoint: it takes neither --model nor --repeats');
  const preset = PRESETS[values.preset as PresetName];
  const dir = presetCheckpointDir(preset.name);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (values.clean) {
    const removed = cleanPresetCheckpoint(dir);
    log(removed.length === 0 ? `nothing to remove for ${preset.name}` : removed.map((d) => `removed ${d}`).join('\n'));
    return 0;
  }
  if (values['max-tiles'] !== undefined && preset.config['model_type'] !== 'internvl') {
    throw new UsageError(`--max-tiles applies to InternVL presets; ${preset.name} sees one view`);
  }
  const maxTiles = positiveIntFlag('max-tiles', values['max-tiles']);
  const precision = parsePrecision(values.precision);
  const activationBudgetBytes = positiveIntFlag('activation-budget-bytes', values['activation-budget-bytes']);
  const result = await runRealSizeBench(preset, {
    checkpointDir: dir,
    log,
    ...(maxTiles === undefined ? {} : { maxTiles }),
    ...(precision ? { precision } : {}),
    ...(activationBudgetBytes === undefined ? {} : { activationBudgetBytes }),
  });
  log(summary(result));
  if (values.json) log(JSON.stringify(result));
  return 0;
}

function summary(r: RealSizeResult): string {
  const s = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
  return [
    `${r.preset}: ${(r.params / 1e9).toFixed(2)} B parameters, ${r.precision}, sequence ${r.seq_len} tokens (${r.image_tokens} image tokens)`,
    `  EncodeImage ${s(r.ops_ms.encode_image)} | Score ×8 ${s(r.ops_ms.score_8_variants)} | Capture ${s(r.ops_ms.capture)} | Generate 8 + knockout ${s(r.ops_ms.generate_8_knockout)} | HeadSweep ×32 ${s(r.ops_ms.head_sweep_32)} | Attribute ${s(r.ops_ms.attribute)}`,
    `  peak RSS ${r.peak_rss_mb} MB (sampled peaks: anonymous ${r.peak_rss_anon_mb} MB, file-backed ${r.peak_rss_file_mb} MB); disk ${r.disk_gb} GB (checkpoint ${r.disk_checkpoint_gb}, prepared ${r.disk_prepared_gb}); decoder weight copies ${r.weight_copies}`,
    `  prefill ${r.prefill_gflop_per_s} GFLOP/s vs bare MatMul ${r.matmul_gflop_per_s} GFLOP/s; load ${s(r.load_ms)}${r.notes ? `\n  ${r.notes}` : ''}`,
  ].join('\n');
}
