// `locscope scenes --seed S --count N --out DIR`: writes a synthetic scene split.
import { parseArgs } from 'node:util';
import { UsageError, type Command } from '@locscope/server-kit';
import { writeSplit } from '../split.ts';

const USAGE = '--seed S --count N --out DIR';

function integerFlag(name: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export const scenesCommand: Command = {
  name: 'scenes',
  summary: 'write a seeded synthetic scene split (PNG images + COCO annotations.json)',
  usage: USAGE,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { seed: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' } },
        strict: true,
      }));
    } catch (cause) {
      throw new UsageError((cause as Error).message, { cause });
    }
    const seed = integerFlag('seed', values.seed, -(2 ** 31));
    const count = integerFlag('count', values.count, 1);
    if (!values.out) throw new UsageError('--out is required');
    const dataset = await writeSplit({ seed, count, out: values.out });
    process.stdout.write(`wrote ${dataset.images.length} images, ${dataset.annotations.length} objects to ${values.out}\n`);
    return 0;
  },
};
