// `locscope status RUN`: progress of a run, from its run directory (or the NATS runs bucket).
import { defineFlags, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { Kvm } from '@nats-io/kv';
import { NATS_CLIENT_FLAGS, natsClientConfig, type NatsClientConfig } from '../nats/client-config.ts';
import { connectNats } from '../nats/connect.ts';
import { MissingError } from '../errors.ts';
import type { RunState } from '../execution/state.ts';
import { checkRunId } from '../keys.ts';
import { RUNS_BUCKET } from '../nats/names.ts';
import { DEFAULT_RUNS_DIR, RunDirectory } from '../store/run-directory.ts';
import { OUT_FLAG } from './options.ts';

const flags = defineFlags({ out: OUT_FLAG, ...NATS_CLIENT_FLAGS, json: { type: 'boolean', description: 'print the state as one JSON object' } });

export const statusCommand: Command<typeof flags> = {
  name: 'status',
  summary: 'show the progress of a run',
  arguments: 'RUN',
  flags,
  async run(argv) {
    const { values, positionals } = parseFlags(this, argv);
    if (positionals.length !== 1) throw new UsageError('expected exactly one RUN id');
    const runId = checkRunId(positionals[0], 'RUN');
    const nats = natsClientConfig(values);
    const state = nats ? await stateFromNats(nats, runId) : await new RunDirectory(values.out ?? DEFAULT_RUNS_DIR, runId).readJson<RunState>('state.json');
    if (!state) throw new MissingError(`no run "${runId}" in ${nats?.url ?? values.out ?? DEFAULT_RUNS_DIR}`, { field: 'RUN' });
    process.stdout.write(values.json ? `${JSON.stringify(state)}\n` : formatState(state));
    return 0;
  },
};

async function stateFromNats(nats: NatsClientConfig, runId: string): Promise<RunState | undefined> {
  const nc = await connectNats(nats, 'locscope-status');
  try {
    const kv = await new Kvm(nc).open(RUNS_BUCKET);
    const entry = await kv.get(`${runId}.state`).catch(() => null);
    return entry && entry.operation === 'PUT' ? (entry.json() as RunState) : undefined;
  } finally {
    await nc.close();
  }
}

export function formatState(state: RunState): string {
  const rows = Object.entries(state.experiments).map(([id, p]) => {
    const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
    return `  ${id.padEnd(18)} ${p.status.padEnd(8)} ${String(p.done).padStart(6)}/${String(p.total).padEnd(6)} ${String(pct).padStart(3)}%${p.failed ? `  ${p.failed} failed` : ''}`;
  });
  const tail = [state.error ? `error: ${state.error}` : '', state.report ? `report: ${state.report}` : ''].filter(Boolean);
  const waiting = state.waiting ? ` (waiting for ${state.waiting.for} since ${state.waiting.since})` : '';
  return [`run ${state.run}: ${state.status}${waiting}`, ...rows, ...tail].join('\n') + '\n';
}
