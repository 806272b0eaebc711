// Per-service request limits from flags and environment (flags win over env, env over the named
// default), parsed in one place so each service only declares its limits' names and defaults.
import { parseArgs } from 'node:util';
import { intOption } from './config.ts';

export interface LimitOption {
  /** Flag name without dashes, e.g. `max-outline-points`; errors name it. */
  flag: string;
  /** Environment variable, e.g. `LOCSCOPE_MAX_OUTLINE_POINTS`. */
  env: string;
  fallback: number;
  /** Smallest accepted value (default 1). */
  min?: number;
}

/** Reads every limit of `options` from `argv` (unknown flags are left alone) and `env`. */
export function readLimitOptions<K extends string>(argv: string[], env: NodeJS.ProcessEnv, options: Record<K, LimitOption>): Readonly<Record<K, number>> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: Object.fromEntries(Object.values<LimitOption>(options).map((o) => [o.flag, { type: 'string' as const }])),
  });
  const limits = {} as Record<K, number>;
  for (const [key, option] of Object.entries<LimitOption>(options)) {
    const flag = values[option.flag];
    const raw = typeof flag === 'string' ? flag : env[option.env] || undefined;
    limits[key as K] = intOption(option.flag, raw, option.fallback, option.min ?? 1, Number.MAX_SAFE_INTEGER);
  }
  return Object.freeze(limits);
}
