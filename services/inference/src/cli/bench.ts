// `locscope bench [--model DIR] [--json] [--repeats N] [--precision float32|float16]`: the inference
// benchmark. Without --model it generates the random-weight LLaVA bench checkpoint once (in
// the OS temp folder) and uses it; with --model it runs the same measurements on any llava-hf
// checkpoint directory. --precision sets the compute precision of the model and of the service's
// (default: the checkpoint's own, float32 for the generated bench model).
// Prints a readable summary; with --json, one JSON object as the last line of stdout.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '@locscope/server-kit';
import { loadModel } from '../runtime/model.ts';
import type { Precision } from '../runtime/session.ts';
import { ensureBenchCheckpoint } from '../../bench/bench-checkpoint.ts';
import { DEFAULT_BENCH_OPTIONS, runBench } from '../../bench/run-bench.ts';
import { ensureBenchTokenizer, runServiceBench } from '../../bench/service-bench.ts';
import { runMatmulBench } from '../../bench/matmul-bench.ts';
import { benchProbes } from '@locscope/metrics/bench';

const USAGE = '[--model DIR] [--json] [--repeats N (default 3)] [--precision float32|float16]';
/** The precisions a benchmark runs in (float64 is for parity runs only). */
const BENCH_PRECISIONS: readonly Precision[] = ['float32', 'float16'];
/** Bumped whenever the generated bench model changes, so a stale copy is never reused. */
const BENCH_MODEL_DIR = join(tmpdir(), 'locscope-bench-llava-v1');

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmark the model runtime and inference service: prefill, KV-cache decode, batched variants, hook cost, CMA head sweep, knockout generation, Score in-process vs gRPC, peak RSS',
  usage: USAGE,
  async run(argv) {
    let values: { model?: string; json?: boolean; repeats?: string; precision?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { model: { type: 'string' }, json: { type: 'boolean' }, repeats: { type: 'string' }, precision: { type: 'string' } }, strict: true, allowPositionals: false }));
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }
    const repeats = values.repeats === undefined ? DEFAULT_BENCH_OPTIONS.repeats : Number(values.repeats);
    if (!Number.isInteger(repeats) || repeats < 1) throw new UsageError(`--repeats must be a positive integer, got '${values.repeats}'`);
    const precision = values.precision as Precision | undefined;
    if (precision !== undefined && !BENCH_PRECISIONS.includes(precision)) throw new UsageError(`--precision must be one of ${BENCH_PRECISIONS.join(', ')}, got '${values.precision}'`);
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
