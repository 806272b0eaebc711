// A service's numeric limits as `serve` flags: each field of its typed limits object is declared
// once (flag name, env var, bounds, description) and that declaration yields both the flags that
// `--help` lists with their named defaults and the parse that range-checks them, naming the flag.
// Every service's limits go through here, so a limit is set the same way everywhere.
import { defineFlags } from './command.ts';
import { intOption, stringOption } from './config.ts';

/** One limit: the field of the limits object it sets, its env var and its accepted range. */
export interface LimitFlag<L> {
  field: keyof L & string;
  env: string;
  /** Largest value accepted (a typo, not a deployment, asks for more). */
  max: number;
  /** Smallest value accepted (default 1: a limit of 0 would refuse every request). */
  min?: number;
  description: string;
}

export const DEFAULT_LIMIT_MIN = 1;

/** The FlagSpec of every limit flag (a value, shown as N, with its default and env in help). */
interface LimitFlagSpec {
  type: 'string';
  value: string;
  description: string;
  default: string;
  env: string;
}

/** Declares limit flags, checking each names a numeric field of `L`. */
export function defineLimitFlags<L extends object>() {
  return <const F extends Record<string, LimitFlag<L>>>(flags: F): F => flags;
}

/** The flags of `limits`, with `defaults` shown in help. */
export function limitFlagSpecs<L extends object, F extends Record<string, LimitFlag<L>>>(limits: F, defaults: Readonly<L>): { [K in keyof F]: LimitFlagSpec } {
  return defineFlags(
    Object.fromEntries(
      Object.entries(limits).map(([name, limit]) => [name, { type: 'string', value: 'N', description: limit.description, default: String(defaults[limit.field]), env: limit.env }]),
    ),
  ) as { [K in keyof F]: LimitFlagSpec };
}

/** The limits from parsed flags, then env, then `defaults`; a bad value is an InvalidArgumentError naming its flag. */
export function readLimitFlags<L extends object, F extends Record<string, LimitFlag<L>>>(
  limits: F,
  defaults: Readonly<L>,
  values: Partial<Record<keyof F, unknown>>,
  env: NodeJS.ProcessEnv,
): L {
  const out = { ...defaults } as L;
  for (const [name, limit] of Object.entries(limits)) {
    const flag = values[name as keyof F];
    const raw = stringOption(typeof flag === 'string' ? flag : undefined, env[limit.env]);
    (out as Record<string, number>)[limit.field] = intOption(name, raw, defaults[limit.field] as number, limit.min ?? DEFAULT_LIMIT_MIN, limit.max);
  }
  return out;
}
