// Flag values shared by the orchestrator's subcommands (parsing itself is server-kit's parseFlags):
// typed values and the env fallbacks documented in the README.
import { UsageError } from '@locscope/server-kit';
import { PROFILES, type Profile } from '../config/envelope.ts';
import { DEFAULT_RUNS_DIR } from '../store/run-directory.ts';

/** `--out DIR`: spelled alike by run, status and report (`--nats URL` and its kin: nats/client-config.ts). */
export const OUT_FLAG = { type: 'string', value: 'DIR', description: 'folder holding the runs', default: DEFAULT_RUNS_DIR } as const;
export const PLUGIN_FLAG = { type: 'string', value: 'MODULE', multiple: true, description: 'module that registers more experiments' } as const;

export function intFlag(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
  return value;
}

export function profileFlag(raw: string | undefined): Profile {
  const value = raw ?? 'demo';
  if (!(PROFILES as readonly string[]).includes(value)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}, got "${value}"`);
  return value as Profile;
}

export function listFlag(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError('expected a comma-separated list');
  return items;
}

/** An AbortSignal fired by the first SIGINT/SIGTERM (running jobs finish; the run stays resumable). */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (sig: NodeJS.Signals) => controller.abort(new Error(`received ${sig}`));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
