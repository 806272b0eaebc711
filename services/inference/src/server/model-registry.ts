// The models a server may run: named checkpoint directories from a config file (or the shipped
// demo models). Requests name a model; a path in a request is never loaded. Models load once,
// lazily or at start, and concurrent first requests share the load.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEMO_MODEL_NAMES, DEMO_MODELS_DIR } from '@locscope/scenes/paths';
import { InvalidArgumentError, NotFoundError, UnavailableError } from '@locscope/server-kit';
import type { ExecutionProvider } from '../runtime/session.ts';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const satisfies readonly ExecutionProvider[];
/** Compute precision a server is told: `auto` = float32 for float32 checkpoints, float16 for fp16/bf16 ones. */
export const SERVED_PRECISIONS = ['auto', 'float32', 'float16'] as const;
export type ServedPrecision = (typeof SERVED_PRECISIONS)[number];

export interface ModelEntry {
  name: string;
  /** Absolute checkpoint directory. */
  dir: string;
  /** Load when the server starts (readiness waits for it). */
  preload: boolean;
  /** Per-model settings of the models file; the server's flags and env override them. */
  executionProvider?: ExecutionProvider;
  precision?: ServedPrecision;
}

export function demoModelEntries(root = DEMO_MODELS_DIR): ModelEntry[] {
  return DEMO_MODEL_NAMES
    .filter((name) => existsSync(join(root, name, 'config.json')))
    .map((name) => ({ name, dir: join(root, name), preload: true }));
}

/**
 * Reads a models file (YAML or JSON): `models: [{ name, dir, preload?, executionProvider?, precision? }]`,
 * `dir` relative to the file. Errors name the file and the entry's field.
 */
export function readModelsFile(file: string): ModelEntry[] {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`cannot read models file ${file}: ${(error as Error).message}`, { field: 'models', cause: error });
  }
  const list = (parsed as { models?: unknown })?.models;
  if (!Array.isArray(list)) throw new InvalidArgumentError(`${file} needs a "models" list`, { field: 'models' });
  const names = new Set<string>();
  return list.map((raw, i) => {
    const at = `${file}: models[${i}]`;
    const entry = raw as { name?: unknown; dir?: unknown; preload?: unknown; executionProvider?: unknown; precision?: unknown };
    if (typeof entry?.name !== 'string' || !/^[\w.-]+$/.test(entry.name)) {
      throw new InvalidArgumentError(`name must be a word of letters, digits, '.', '_' or '-'`, { field: `${at}.name` });
    }
    if (names.has(entry.name)) throw new InvalidArgumentError(`duplicate model name "${entry.name}"`, { field: `${at}.name` });
    names.add(entry.name);
    if (typeof entry.dir !== 'string' || entry.dir === '') throw new InvalidArgumentError('dir is required', { field: `${at}.dir` });
    if (entry.preload !== undefined && typeof entry.preload !== 'boolean') {
      throw new InvalidArgumentError('preload must be true or false', { field: `${at}.preload` });
    }
    const dir = isAbsolute(entry.dir) ? entry.dir : resolve(dirname(file), entry.dir);
    const executionProvider = optionalChoice(entry.executionProvider, EXECUTION_PROVIDERS, `${at}.executionProvider`);
    const precision = optionalChoice(entry.precision, SERVED_PRECISIONS, `${at}.precision`);
    return { name: entry.name, dir, preload: entry.preload ?? false, ...(executionProvider && { executionProvider }), ...(precision && { precision }) };
  });
}

/** `value` when it is one of `choices` (undefined passes); otherwise an error naming `field`. */
export function optionalChoice<T extends string>(value: unknown, choices: readonly T[], field: string): T | undefined {
  if (value === undefined || (choices as readonly unknown[]).includes(value)) return value as T | undefined;
  throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got ${JSON.stringify(value)}`, { field });
}

export class ModelRegistry<M> {
  private readonly loaded = new Map<string, Promise<M>>();
  private readonly ready = new Set<string>();
  private readonly byName: Map<string, ModelEntry>;

  constructor(
    entries: ModelEntry[],
    private readonly load: (entry: ModelEntry) => Promise<M>,
  ) {
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  get entries(): ModelEntry[] {
    return [...this.byName.values()];
  }

  isLoaded(name: string): boolean {
    return this.ready.has(name);
  }

  /** The configured entry (nothing is loaded); NOT_FOUND naming `field` for an unknown name. */
  entry(name: string, field = 'model'): ModelEntry {
    const entry = this.byName.get(name);
    if (!entry) {
      const known = [...this.byName.keys()].join(', ') || 'none';
      throw new NotFoundError(`unknown model "${name}" (configured: ${known})`, { field });
    }
    return entry;
  }

  /** The loaded model; NOT_FOUND naming `field` for an unknown name. */
  async get(name: string, field = 'model'): Promise<M> {
    const entry = this.entry(name, field);
    let model = this.loaded.get(name);
    if (!model) {
      model = this.load(entry).then(
        (m) => {
          this.ready.add(name);
          return m;
        },
        (error) => {
          this.loaded.delete(name);
          throw new UnavailableError(`model "${name}" failed to load from ${entry.dir}: ${(error as Error).message}`, { cause: error });
        },
      );
      this.loaded.set(name, model);
    }
    return model;
  }

  /** Loads every preload entry; resolves when all are ready. */
  async preload(): Promise<void> {
    await Promise.all(this.entries.filter((e) => e.preload).map((e) => this.get(e.name)));
  }
}
