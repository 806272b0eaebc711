// `locscope parity DIR [--atol 1e-4] [--precision float16|float32|float64]`: recomputes every
// tensor of DIR/reference.safetensors (as described by DIR/reference.json) with the checkpoint in
// DIR and prints one line per reference tensor — `NAME  MAX_ABS_DIFF  tol=TOLERANCE  ok|FAIL`
// (inputs: `NAME  input`) — then `greedy_tokens=AGREE/POSITIONS ties=T` (the argmax token of every
// logits row against the reference's; see GreedyCheck) and `max_abs_diff=<value>`. Exit status 0
// iff every tensor is within its tolerance and every greedy token agrees (or is a tie).
//
// Without --precision the graphs are computed in float64 (behind their float32 interface) when
// the checkpoint's weights take at most PARITY_FLOAT64_MAX_BYTES as float32, so that our own
// rounding does not add to the reference's float32 error; larger checkpoints run in float32, as
// deployed. --precision float16 holds every tensor to the tolerance derived in
// parity/float16-tolerance.ts instead of --atol (unless --atol is given). The precision used is
// reported on stderr (stdout keeps its one-line-per-tensor contract).
import { defineFlags, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { loadCheckpoint } from '../checkpoint/index.ts';
import { Model } from '../runtime/model.ts';
import type { Precision } from '../runtime/session.ts';
import { Reference } from '../parity/reference.ts';
import { DEFAULT_ATOL, runParity, type ParityLine, type Tolerance } from '../parity/run-parity.ts';
import { float16Tolerance } from '../parity/float16-tolerance.ts';

const PRECISIONS: readonly Precision[] = ['float16', 'float32', 'float64'];
/** Double-precision weights cost twice this in memory; beyond it parity runs in float32. */
export const PARITY_FLOAT64_MAX_BYTES = 2 * 1024 ** 3;

export interface ParityArgs {
  dir: string;
  /** Undefined: DEFAULT_ATOL, or the derived tolerance in float16. */
  atol: number | undefined;
  /** Undefined: float64 for small checkpoints, else float32. */
  precision: Precision | undefined;
}

const flags = defineFlags({
  atol: {
    type: 'string',
    value: 'X',
    description: 'largest absolute difference accepted per tensor',
    default: `${DEFAULT_ATOL}; with --precision float16 the derived tolerance`,
  },
  precision: {
    type: 'string',
    value: PRECISIONS.join('|'),
    description: 'compute precision',
    default: `float64 up to ${PARITY_FLOAT64_MAX_BYTES / 1024 ** 3} GiB of float32 weights, else float32`,
  },
});

export function parseParityArgs(argv: string[]): ParityArgs {
  const parsed = parseFlags(parityCommand, argv);
  const [dir, ...extra] = parsed.positionals;
  if (!dir) throw new UsageError('DIR (checkpoint + reference.safetensors + reference.json) is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const atol = parsed.values.atol === undefined ? undefined : Number(parsed.values.atol);
  if (parsed.values.atol !== undefined && (parsed.values.atol.trim() === '' || !Number.isFinite(atol) || atol! < 0)) {
    throw new UsageError(`--atol must be a non-negative number, got '${parsed.values.atol}'`);
  }
  const precision = parsed.values.precision;
  if (precision !== undefined && !(PRECISIONS as readonly string[]).includes(precision)) {
    throw new UsageError(`--precision must be one of ${PRECISIONS.join(', ')}, got '${precision}'`);
  }
  return { dir, atol, precision: precision as Precision | undefined };
}

export function formatLine(line: ParityLine): string {
  if (line.problem) return `${line.name}  FAIL  ${line.problem}`;
  if (line.maxAbsDiff === undefined) return `${line.name}  input`;
  return `${line.name}  ${line.maxAbsDiff.toExponential(3)}  tol=${line.tolerance!.toExponential(3)}  ${line.ok ? 'ok' : 'FAIL'}`;
}

export const parityCommand: Command<typeof flags> = {
  name: 'parity',
  summary: 'prove a checkpoint computes what Hugging Face computes: compare every tensor of DIR/reference.safetensors',
  arguments: 'DIR',
  flags,
  async run(argv) {
    const args = parseParityArgs(argv);
    const reference = Reference.open(args.dir);
    const checkpoint = loadCheckpoint(args.dir);
    const float32Bytes = [...checkpoint.weights.entries.values()].reduce((sum, e) => sum + 4 * e.shape.reduce((a, b) => a * b, 1), 0);
    const precision = args.precision ?? (float32Bytes <= PARITY_FLOAT64_MAX_BYTES ? 'float64' : 'float32');
    const tolerance: Tolerance =
      args.atol ?? (precision === 'float16' ? (output, expected) => float16Tolerance(output, expected, checkpoint.config) : DEFAULT_ATOL);
    process.stderr.write(`locscope parity: computing in ${precision}\n`);
    const model = new Model(checkpoint, { precision });
    try {
      const report = await runParity(model, reference, tolerance);
      const out = report.lines.map(formatLine);
      const { agree, positions, ties } = report.greedy;
      out.push(`greedy_tokens=${agree}/${positions} ties=${ties}`);
      out.push(`max_abs_diff=${report.maxAbsDiff.toExponential(6)}`);
      process.stdout.write(out.join('\n') + '\n');
      return report.ok ? 0 : 1;
    } finally {
      await model.dispose();
    }
  },
};
