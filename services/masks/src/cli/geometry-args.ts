// Flags of `locscope geometry` (a contract other teams script against; see README).
import { defineFlags, parseFlags, UsageError, type CommandSpec } from '@locscope/server-kit';
import { parseModelFamily, type ModelFamily } from '../grid/layout.ts';
import { MAX_ABS_PADDING } from '../grid/morphology.ts';

const flags = defineFlags({
  family: { type: 'string', value: 'llava|internvl', description: 'model family whose preprocessing and token grid apply (required)' },
  'max-tiles': { type: 'string', value: 'N', description: 'InternVL tiles', default: 'the preprocessing default, 12' },
  annotations: { type: 'string', value: 'COCO.json', description: 'COCO annotations (required)' },
  images: { type: 'string', value: 'DIR', description: 'folder of the annotated images (required)' },
  ann: { type: 'string', value: 'ID[,ID…]', description: 'annotation ids (required)' },
  padding: { type: 'string', value: 'P[,P…]', description: 'token paddings, negative ones shrink (required)' },
  overlay: { type: 'string', value: 'OUT_DIR', description: 'also write overlay PNGs there' },
  json: { type: 'boolean', description: 'print one JSON object' },
});

export const GEOMETRY_SPEC: CommandSpec<typeof flags> = {
  name: 'geometry',
  summary: 'COCO annotations → pycocotools RLE/area/bbox, token views and object tokens per padding (JSON, overlay PNGs)',
  flags,
};

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

/** Parses the flags; `--padding -1,0,1` works as written (a flag's value may start with a dash). */
export function parseGeometryArgs(argv: string[]): GeometryArgs {
  const { values } = parseFlags(GEOMETRY_SPEC, argv);
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
