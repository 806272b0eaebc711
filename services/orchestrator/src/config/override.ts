// A caller's changes to a resolved config (the orchestrator service's `config_overrides`): merged
// like a profile (objects key by key, arrays and scalars replace) and validated again, so an
// override can never produce a config a file could not.
import { InvalidArgumentError } from '@locscope/server-kit';
import { ConfigError } from '../errors.ts';
import { validateConfig } from './load.ts';
import { deepMerge, type ResolvedConfig } from './resolve.ts';

/** `field` names the override in errors (e.g. `config_overrides["arith"]`); it prefixes the config path. */
export function overrideConfig(config: ResolvedConfig, override: Record<string, unknown>, field: string): ResolvedConfig {
  if ('experiment' in override && override.experiment !== config.experiment) {
    throw new InvalidArgumentError(`cannot change the experiment id "${config.experiment}"`, { field: `${field}.experiment` });
  }
  const { profile, source, ...content } = config;
  try {
    return validateConfig(deepMerge(content, override), source, profile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new InvalidArgumentError(`${source} with overrides: ${error.detail}`, { field: `${field}.${error.field}`, cause: error });
  }
}
