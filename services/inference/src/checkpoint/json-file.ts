// Reading a checkpoint's JSON files and validating them with zod, with errors that name the
// file and the offending field as a dotted path (`text_config.hidden_size`).
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { CheckpointConfigError, CheckpointNotFoundError } from './errors.ts';

/** Parsed JSON of `file`, or undefined when it does not exist (for optional files). */
export function readOptionalJson(file: string): unknown {
  if (!existsSync(file)) return undefined;
  return readJson(file);
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CheckpointNotFoundError(file, 'file', { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckpointConfigError(file, undefined, 'is not valid JSON', { cause: error });
  }
}

/** `schema.parse(value)`, turning the first zod issue into a CheckpointConfigError naming `file` and the field path. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string, fieldPrefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [fieldPrefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  throw new CheckpointConfigError(file, path === '' ? undefined : path, issue.message, { cause: result.error });
}
