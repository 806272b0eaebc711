// Loads experiment configs: YAML files named `<experiment>.yaml`, each a base config plus optional
// `profiles:` overrides. Every error names the file and the field.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, MissingError } from '../errors.ts';
import { findExperiment } from '../registry.ts';
import { envelopeSchema, PROFILES, type Profile } from './envelope.ts';
import { deepMerge, type ResolvedConfig } from './resolve.ts';

/** The configs shipped with the orchestrator. */
export const BUILTIN_CONFIG_DIR = fileURLToPath(new URL('../../configs', import.meta.url));

/** Params schema of a registered experiment (the study's register with `registerStudyExperiments`). */
function paramsSchema(id: string): z.ZodType | undefined {
  return findExperiment(id)?.params;
}

export async function loadConfigFile(file: string, profile: Profile): Promise<ResolvedConfig> {
  const name = basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new MissingError(`cannot read experiment config ${file}: ${(error as Error).message}`, { field: 'experiments', cause: error });
  }
  return parseConfig(text, name, profile);
}

/** Parses one config's text; `name` (the file name) is used in messages and must be `<experiment>.yaml`. */
export function parseConfig(text: string, name: string, profile: Profile): ResolvedConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(name, '(yaml)', doc.errors[0].message, { cause: doc.errors[0] });
  const raw = doc.toJS() as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(name, '(root)', 'expected a mapping');
  const { profiles = {}, ...base } = raw as Record<string, unknown>;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new ConfigError(name, 'profiles', 'expected a mapping of profile name to overrides');
  }
  for (const key of Object.keys(profiles)) {
    if (!(PROFILES as readonly string[]).includes(key)) {
      throw new ConfigError(name, `profiles.${key}`, `unknown profile (known: ${PROFILES.join(', ')})`);
    }
  }
  return validateConfig(deepMerge(base, (profiles as Record<string, unknown>)[profile]), name, profile);
}

/**
 * Validates a config whose profile is already applied (a file's, or a resolved one with a caller's
 * overrides merged in): envelope, then the experiment's params. `name` is used in messages; a
 * `<experiment>.yaml` name must match the experiment id.
 */
export function validateConfig(merged: unknown, name: string, profile: Profile): ResolvedConfig {
  const envelope = envelopeSchema.safeParse(merged);
  if (!envelope.success) throw zodError(name, envelope.error, '');
  const id = envelope.data.experiment;
  if (name.endsWith('.yaml') && name !== `${id}.yaml`) {
    throw new ConfigError(name, 'experiment', `"${id}" does not match the file name (expected ${id}.yaml)`);
  }
  const schema = paramsSchema(id);
  if (!schema) throw new ConfigError(name, 'experiment', `unknown experiment "${id}"`);
  const params = schema.safeParse(envelope.data.params);
  if (!params.success) throw zodError(name, params.error, 'params');
  return { ...envelope.data, params: params.data, profile, source: name };
}

function zodError(file: string, error: z.ZodError, prefix: string): ConfigError {
  const issue = error.issues[0];
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  return new ConfigError(file, path || '(root)', issue.message, { cause: error });
}

/** All configs in `dirs` (later directories override earlier ones by experiment id). */
export async function loadConfigs(dirs: string[], profile: Profile): Promise<Map<string, ResolvedConfig>> {
  const configs = new Map<string, ResolvedConfig>();
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    } catch (error) {
      throw new MissingError(`cannot list experiment configs in ${dir}: ${(error as Error).message}`, { field: 'configs', cause: error });
    }
    for (const entry of entries) {
      const config = await loadConfigFile(join(dir, entry), profile);
      configs.set(config.experiment, config);
    }
  }
  return configs;
}

/** Config directories to search: the built-in one, then the user's. */
export function configDirs(extra: string[]): string[] {
  return [BUILTIN_CONFIG_DIR, ...extra.map((d) => resolve(d))];
}
