// The side-by-side baseline of `locscope bench --baseline`: runs tools/bench-baseline/hf_eager_bench.py
// (Hugging Face's LLaVA modules in PyTorch eager fp32, interventions through forward hooks, 2 threads)
// on the same checkpoint directory and returns its JSON figures, typed. Python with torch is an
// optional, offline tool: when it is missing the caller gets a BaselineUnavailableError, never a crash.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Debian's python3 with python3-torch; the pyenv `python3` on PATH has no torch. */
export const DEFAULT_PYTHON = '/usr/bin/python3';
export const BASELINE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/bench-baseline/hf_eager_bench.py');
/** hf_eager_bench.py's exit status when `import torch` fails. */
const TORCH_MISSING_EXIT = 3;
/** How much of the script's stderr a BaselineRunError quotes. */
const STDERR_TAIL_CHARS = 4000;

export interface BaselineOptions {
  python: string;
  repeats: number;
  /** New tokens timed for the KV-cache decode rate. */
  decodeTokens: number;
  /** Text tokens around the image in the prompt (run-bench.ts uses 30). */
  textTokens: number;
  /** Timed CMA sweeps (each is layers × heads forwards). */
  sweepRepeats: number;
  threads: number;
  /** Each readable summary line the script prints, as it comes. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export const DEFAULT_BASELINE_OPTIONS: BaselineOptions = { python: DEFAULT_PYTHON, repeats: 3, decodeTokens: 16, textTokens: 30, sweepRepeats: 1, threads: 2 };

const perCount = z.record(z.string(), z.number());

export const baselineResultSchema = z.object({
  baseline: z.string(),
  model: z.string(),
  seq_len: z.number().int(),
  image_tokens: z.number().int(),
  prefill_ms: z.number(),
  decode_tokens_per_s: z.number(),
  variants_ms: perCount,
  variants_ms_per_variant: perCount,
  head_sweep_forwards_per_s: z.number(),
  head_sweep_s: z.number(),
  generate_knockout_tokens_per_s: z.number(),
  image_encode_ms: z.number(),
  cpu_ms: z.object({
    prefill: z.number(),
    decode_per_token: z.number(),
    variants: perCount,
    head_sweep: z.number(),
    generate_knockout: z.number(),
  }),
  peak_rss_mb: z.number(),
  threads: z.number().int(),
  /** The BLAS library torch's matmuls used: Debian's reference BLAS is ~20× slower than OpenBLAS. */
  blas: z.string(),
  torch_version: z.string(),
  cpu_count: z.number().int(),
  load_avg_1m: z.number(),
});
export type BaselineResult = z.infer<typeof baselineResultSchema>;

/** Python or its torch is not installed: the baseline cannot run on this machine (CI has no torch). */
export class BaselineUnavailableError extends Error {
  constructor(
    readonly reason: 'python-missing' | 'torch-missing',
    readonly python: string,
    options?: ErrorOptions,
  ) {
    super(reason === 'python-missing' ? `${python} cannot be started: the PyTorch baseline needs Debian's python3` : `${python} has no torch: install python3-torch to run the PyTorch baseline`, options);
    this.name = 'BaselineUnavailableError';
  }
}

/** The script ran but failed, or printed no valid result; the message quotes its stderr. */
export class BaselineRunError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BaselineRunError';
  }
}

/** Whether `python` can import torch (for callers and tests that skip the baseline without it). */
export function torchAvailable(python = DEFAULT_PYTHON): boolean {
  const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Benchmarks `modelDir` (a llava-hf checkpoint directory) on the baseline; resolves to its figures. */
export async function runBaseline(modelDir: string, options: Partial<BaselineOptions> = {}): Promise<BaselineResult> {
  const o = { ...DEFAULT_BASELINE_OPTIONS, ...options };
  const args = ['--repeats', o.repeats, '--decode-tokens', o.decodeTokens, '--text-tokens', o.textTokens, '--sweep-repeats', o.sweepRepeats, '--threads', o.threads].map(String);
  const last = await runScript(o, ['--model', modelDir, ...args, '--json']);
  return parseResult(last, baselineResultSchema, 'benchmark');
}

/**
 * Writes the baseline's head-patched forward, knockout forward and knockout generation on
 * `modelDir` into `outDir` as reference.safetensors + reference.json (the parity-fixture format,
 * read with `Reference.open`), for checking that our runtime computes what the timed hooks compute.
 */
export async function writeBaselineCheck(modelDir: string, outDir: string, options: Partial<BaselineOptions> = {}): Promise<void> {
  const o = { ...DEFAULT_BASELINE_OPTIONS, ...options };
  const last = await runScript(o, ['--model', modelDir, '--text-tokens', String(o.textTokens), '--threads', String(o.threads), '--check', outDir, '--json']);
  parseResult(last, z.object({ check_dir: z.string(), tensors: z.array(z.string()) }), 'check');
}

/** Runs the script; resolves to its last stdout line (the JSON), after passing the others to onLine. */
function runScript(o: BaselineOptions, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(o.python, [BASELINE_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'], signal: o.signal });
    let pending = '';
    let last = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (last !== '') o.onLine?.(last);
        last = line;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? new BaselineUnavailableError('python-missing', o.python, { cause: error }) : new BaselineRunError(`${o.python} ${BASELINE_SCRIPT}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (pending.trim() !== '') last = pending;
      if (code === TORCH_MISSING_EXIT) reject(new BaselineUnavailableError('torch-missing', o.python));
      else if (code !== 0) reject(new BaselineRunError(`${BASELINE_SCRIPT} exited with ${code ?? signal}: ${stderr.trim()}`));
      else resolve(last);
    });
  });
}

function parseResult<T>(line: string, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    throw new BaselineRunError(`${BASELINE_SCRIPT}: the last stdout line of the ${what} run is not JSON: '${line.slice(0, 200)}'`, { cause: error });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BaselineRunError(`${BASELINE_SCRIPT}: field '${issue.path.join('.')}' of the ${what} result: ${issue.message}`, { cause: parsed.error });
  }
  return parsed.data;
}
