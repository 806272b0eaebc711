// Flags of `locscope serve orchestrator` (also read by `serve all`, whose flags every service
// shares, so unknown ones are left alone). Each has a named default or an env fallback.
import { InvalidArgumentError, intOption } from '@locscope/server-kit';
import { parseArgs } from 'node:util';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { DEFAULT_LOCAL_WORKERS } from '../nats/coordinator.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_DELIVER } from '../nats/resources.ts';
import { DEFAULT_RUNS_DIR } from '../store/run-directory.ts';
import { natsUrl } from '../cli/options.ts';

/** Port of `serve orchestrator` when neither --port nor LOCSCOPE_PORT is given (after the four services' 50051–50054). */
export const DEFAULT_ORCHESTRATOR_PORT = 50055;

export interface OrchestratorOptions {
  /** Run directories (embedded runs' records; NATS runs' manifest, aggregates and report). */
  outDir: string;
  /** NATS mode when set (flag `--nats` or LOCSCOPE_NATS_URL). */
  natsUrl?: string;
  /** Samples at once per embedded run. */
  concurrency: number;
  /** In-process NATS workers per run (0: external `locscope worker`s only). */
  workers: number;
  ackWaitMs: number;
  maxDeliver: number;
  /** Extra config directories after the built-in one. */
  configs: string[];
  /** Modules that register more experiments. */
  plugins: string[];
}

export function readOrchestratorOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): OrchestratorOptions {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      out: { type: 'string' },
      nats: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      'ack-wait-ms': { type: 'string' },
      'max-deliver': { type: 'string' },
      configs: { type: 'string', multiple: true },
      plugin: { type: 'string', multiple: true },
    },
  });
  const text = (name: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InvalidArgumentError('expects a value', { field: name });
    return value;
  };
  const list = (name: string, value: unknown): string[] => ((value as unknown[] | undefined) ?? []).map((v) => text(name, v)!);
  const int = (name: string, value: unknown, fallback: number, min: number) => intOption(name, text(name, value), fallback, min, 2 ** 31 - 1);
  return {
    outDir: text('out', values.out) ?? DEFAULT_RUNS_DIR,
    natsUrl: natsUrl(text('nats', values.nats), env),
    concurrency: int('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1),
    workers: int('workers', values.workers, DEFAULT_LOCAL_WORKERS, 0),
    ackWaitMs: int('ack-wait-ms', values['ack-wait-ms'], DEFAULT_ACK_WAIT_MS, 100),
    maxDeliver: int('max-deliver', values['max-deliver'], DEFAULT_MAX_DELIVER, 1),
    configs: list('configs', values.configs),
    plugins: list('plugin', values.plugin),
  };
}
