// Flags of `locscope serve orchestrator` (and of the orchestrator in `serve all`): declared here as
// FlagSpecs, parsed by `serve` with the started services' flags, read into typed options with their
// named defaults.
import { defineFlags, type FlagValues } from '@locscope/server-kit';
import { intFlag, OUT_FLAG, PLUGIN_FLAG } from '../cli/options.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { NATS_CLIENT_FLAGS, natsClientConfig, type NatsClientConfig } from '../nats/client-config.ts';
import { DEFAULT_LOCAL_WORKERS } from '../nats/coordinator.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_DELIVER } from '../nats/resources.ts';
import { DEFAULT_RUNS_DIR } from '../store/run-directory.ts';

/** Port of `serve orchestrator` when neither --port nor LOCSCOPE_PORT is given (after the four services' 50051–50054). */
export const DEFAULT_ORCHESTRATOR_PORT = 50055;

export const ORCHESTRATOR_FLAGS = defineFlags({
  out: OUT_FLAG,
  ...NATS_CLIENT_FLAGS,
  concurrency: { type: 'string', value: 'N', description: 'samples at once per embedded run', default: String(DEFAULT_CONCURRENCY) },
  workers: { type: 'string', value: 'N', description: 'in-process workers per NATS run (0 = external workers only)', default: String(DEFAULT_LOCAL_WORKERS) },
  'ack-wait-ms': { type: 'string', value: 'MS', description: 'NATS: redeliver a job not acked within this time', default: String(DEFAULT_ACK_WAIT_MS) },
  'max-deliver': { type: 'string', value: 'N', description: 'NATS: deliveries before a job is recorded as failed', default: String(DEFAULT_MAX_DELIVER) },
  configs: { type: 'string', value: 'DIR', multiple: true, description: 'more experiment config directories' },
  plugin: PLUGIN_FLAG,
});

export type OrchestratorFlagValues = FlagValues<typeof ORCHESTRATOR_FLAGS>;

export interface OrchestratorOptions {
  /** Run directories (embedded runs' records; NATS runs' manifest, aggregates and report). */
  outDir: string;
  /** NATS mode when set (`--nats` or LOCSCOPE_NATS_URL, with the NATS TLS and credential flags). */
  nats?: NatsClientConfig;
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

export function readOrchestratorOptions(values: OrchestratorFlagValues, env: NodeJS.ProcessEnv = process.env): OrchestratorOptions {
  return {
    outDir: values.out ?? DEFAULT_RUNS_DIR,
    nats: natsClientConfig(values, env),
    concurrency: intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1),
    workers: intFlag('workers', values.workers, DEFAULT_LOCAL_WORKERS, 0),
    ackWaitMs: intFlag('ack-wait-ms', values['ack-wait-ms'], DEFAULT_ACK_WAIT_MS, 100),
    maxDeliver: intFlag('max-deliver', values['max-deliver'], DEFAULT_MAX_DELIVER, 1),
    configs: values.configs ?? [],
    plugins: values.plugin ?? [],
  };
}
