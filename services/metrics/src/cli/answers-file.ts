// Reads the JSONL input of `locscope score-answers`: one {"answer", "width", "height", "gt_bbox"}
// object per line (blank lines skipped). Errors name the file, line and field.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, NotFoundError } from '@locscope/server-kit';
import { checkCocoBox } from '../boxes/box.ts';
import type { LocalizationSample } from '../localization/score-answers.ts';

export async function readAnswersFile(path: string): Promise<LocalizationSample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such file ${path}`, { field: 'input', cause: error });
    throw new InvalidArgumentError(`cannot read ${path}: ${(error as Error).message}`, { field: 'input', cause: error });
  }
  const samples: LocalizationSample[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    samples.push(parseLine(line, `${path}:${index + 1}`));
  });
  if (samples.length === 0) throw new InvalidArgumentError(`${path} holds no answers`, { field: 'input' });
  return samples;
}

function parseLine(line: string, where: string): LocalizationSample {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON: ${(error as Error).message}`, { field: where, cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('expected a JSON object', { field: where });
  }
  const record = value as Record<string, unknown>;
  if (typeof record.answer !== 'string') throw new InvalidArgumentError('must be a string', { field: `${where}: answer` });
  for (const key of ['width', 'height'] as const) {
    const v = record[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new InvalidArgumentError(`must be a positive integer, got ${JSON.stringify(v)}`, { field: `${where}: ${key}` });
    }
  }
  return {
    answer: record.answer,
    size: { width: record.width as number, height: record.height as number },
    gtBox: checkCocoBox(record.gt_bbox, `${where}: gt_bbox`),
  };
}
