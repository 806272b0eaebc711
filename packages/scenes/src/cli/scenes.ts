// `locscope scenes --seed S --count N --out DIR`: writes a synthetic scene split.
import { defineFlags, parseFlags, UsageError, type Command } from '@locscope/server-kit';
import { writeSplit } from '../split.ts';

const flags = defineFlags({
  seed: { type: 'string', value: 'S', description: 'random seed (required)' },
  count: { type: 'string', value: 'N', description: 'images (required)' },
  out: { type: 'string', value: 'DIR', description: 'folder to write (required)' },
});

function integerFlag(name: string, value: string | undefined, min: number): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${value}'`);
  return n;
}

export const scenesCommand: Command<typeof flags> = {
  name: 'scenes',
  summary: 'write a seeded synthetic scene split (PNG images + COCO annotations.json)',
  flags,
  async run(argv) {
    const { values } = parseFlags(this, argv);
    const seed = integerFlag('seed', values.seed, -(2 ** 31));
    const count = integerFlag('count', values.count, 1);
    if (!values.out) throw new UsageError('--out is required');
    const dataset = await writeSplit({ seed, count, out: values.out });
    process.stdout.write(`wrote ${dataset.images.length} images, ${dataset.annotations.length} objects to ${values.out}\n`);
    return 0;
  },
};
