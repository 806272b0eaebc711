// A config after profile overlay and validation: what plans and jobs carry.
import type { Envelope, Profile } from './envelope.ts';

export type ResolvedConfig<P = unknown> = Omit<Envelope, 'params'> & {
  params: P;
  profile: Profile;
  /** File the config came from (for messages). */
  source: string;
};

/**
 * Overlays `override` on `base`: objects merge key by key, everything else (arrays included)
 * is replaced — a profile that lists seeds means exactly those seeds.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) out[key] = key in base ? deepMerge(base[key], value) : value;
    return out;
  }
  return override === undefined ? base : override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
