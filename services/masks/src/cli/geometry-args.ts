// Flags of `locscope geometry` (a contract other teams script against; see README).
import { parseArgs } from 'node:util';
import { UsageError } from '@locscope/server-kit';
import { parseModelFamily, type ModelFamily } from '../grid/layout.ts';
import { MAX_ABS_PADDING } from '../grid/morphology.ts';

export const GEOMETRY_USAGE =
  '--family llava|internvl [--max-tiles N] --annotations COCO.json --images DIR --ann ID[,ID…] ' +
  '--padding P[,P…] [--overlay OUT_DIR] [--json]';

const FLAGS = {
  family: { type: 'string' },
  'max-tiles': { type: 'string' },
  annotations: { type: 'string' },
  images: { type: 'string' },
  ann: { type: 'string' },
  padding: { type: 'string' },
  overlay: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Largest --max-tiles accepted (upstream uses ≤ 12). */
export const MAX_TILES_FLAG_LIMIT = 64;

export interface GeometryArgs {
  family: ModelFamily;
  /** Unset: the preprocessing default (upstream's 12). */
  maxTiles: number | undefined;
  annotations: string;
  images: string;
  annotationIds: number[];
  paddings: number[];
  overlay: string | undefined;
  json: boolean;
}

function integerList(flag: string, raw: string, check: (value: number) => boolean, expected: string): number[] {
  const values = raw.split(',').map((part) => part.trim());
  return values.map((part) => {
    const value = Number(part);
    if (part === '' || !Number.isSafeInteger(value) || !check(value)) {
      throw new UsageError(`--${flag} must be a comma-separated list of ${expected}, got "${raw}"`);
    }
    return value;
  });
}

/**
 * `--padding -1,0,1` must work as written, but node's parseArgs takes a value that starts with
 * a dash for a flag; such a value (a dash then a digit) is attached as `--padding=-1,0,1`.
 */
function attachNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : '';
    const takesValue = (FLAGS as Record<string, { type: string }>)[name]?.type === 'string';
    if (takesValue && i + 1 < argv.length && /^-\d/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

export function parseGeometryArgs(argv: string[]): GeometryArgs {
  let values: { [K in keyof typeof FLAGS]?: (typeof FLAGS)[K]['type'] extends 'boolean' ? boolean : string };
  try {
    ({ values } = parseArgs({ args: attachNegativeValues(argv), options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  for (const required of ['family', 'annotations', 'images', 'ann', 'padding'] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required} is required`);
  }
  let family: ModelFamily;
  try {
    family = parseModelFamily(values.family!, '--family');
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  let maxTiles: number | undefined;
  if (values['max-tiles'] !== undefined) {
    if (family !== 'internvl') throw new UsageError('--max-tiles applies to --family internvl only');
    maxTiles = Number(values['max-tiles']);
    if (!Number.isInteger(maxTiles) || maxTiles < 1 || maxTiles > MAX_TILES_FLAG_LIMIT) {
      throw new UsageError(`--max-tiles must be an integer in [1, ${MAX_TILES_FLAG_LIMIT}], got "${values['max-tiles']}"`);
    }
  }
  const paddings = integerList('padding', values.padding!, (v) => Math.abs(v) <= MAX_ABS_PADDING, `integers in [-${MAX_ABS_PADDING}, ${MAX_ABS_PADDING}]`);
  return {
    family,
    maxTiles,
    annotations: values.annotations!,
    images: values.images!,
    annotationIds: integerList('ann', values.ann!, () => true, 'annotation ids'),
    // Duplicates would collide as keys of "tokens"; the order given is kept.
    paddings: [...new Set(paddings)],
    overlay: values.overlay,
    json: values.json ?? false,
  };
}
