// `locscope inpaint`: removes one object from an image file and writes the result as PNG.
import { parseArgs } from 'node:util';
import { decodeImage } from '@locscope/masks';
import { UsageError, type Command } from '@locscope/server-kit';
import { DEFAULT_RADIUS, MAX_RADIUS } from '../classical.ts';
import { maskFromAnnotation } from '../coco-mask.ts';
import { readInputFile, writeOutputFile } from '../files.ts';
import { DEFAULT_DILATE_PX, MAX_DILATE_PX } from '../dilate.ts';
import type { BinaryMask } from '../image.ts';
import { readLearnedConfig } from '../learned/config.ts';
import { decodeMaskImage } from '../mask-input.ts';
import { encodeMaskPng, encodeRgbPng } from '../png.ts';
import { DEFAULT_METHOD, INPAINT_METHODS, removeObject, type InpaintMethodName } from '../remove.ts';

const USAGE =
  '--image IMG (--mask MASK.png | --annotations COCO.json --ann ID) [--dilate PX (default 8)] ' +
  '[--method telea|ns|onnx] [--radius R (default 3)] [--model FILE.onnx] --out OUT.png ' +
  '[--mask-out DILATED.png] [--model-size N] [--model-output-range unit|byte] ' +
  '[--model-image-input NAME] [--model-mask-input NAME] [--model-output NAME]';

const FLAGS = {
  image: { type: 'string' },
  mask: { type: 'string' },
  annotations: { type: 'string' },
  ann: { type: 'string' },
  dilate: { type: 'string' },
  method: { type: 'string' },
  radius: { type: 'string' },
  model: { type: 'string' },
  out: { type: 'string' },
  'mask-out': { type: 'string' },
  'model-size': { type: 'string' },
  'model-output-range': { type: 'string' },
  'model-image-input': { type: 'string' },
  'model-mask-input': { type: 'string' },
  'model-output': { type: 'string' },
} as const;

interface InpaintArgs {
  image: string;
  mask: { file: string } | { annotations: string; ann: number };
  dilatePx: number;
  method: InpaintMethodName;
  radius: number;
  out: string;
  maskOut: string | undefined;
}

function parseInpaintArgs(argv: string[]): InpaintArgs {
  let values: Partial<Record<keyof typeof FLAGS, string>>;
  try {
    ({ values } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  if (!values.image) throw new UsageError('--image is required');
  if (!values.out) throw new UsageError('--out is required');
  const byAnnotation = values.annotations !== undefined || values.ann !== undefined;
  if ((values.mask !== undefined) === byAnnotation) {
    throw new UsageError('give either --mask, or --annotations with --ann');
  }
  let mask: InpaintArgs['mask'];
  if (byAnnotation) {
    if (!values.annotations || values.ann === undefined) throw new UsageError('--annotations and --ann go together');
    const ann = Number(values.ann);
    if (!Number.isSafeInteger(ann)) throw new UsageError(`--ann must be an annotation id (integer), got "${values.ann}"`);
    mask = { annotations: values.annotations, ann };
  } else {
    mask = { file: values.mask! };
  }
  const dilatePx = values.dilate === undefined ? DEFAULT_DILATE_PX : Number(values.dilate);
  if (!Number.isInteger(dilatePx) || dilatePx < 0 || dilatePx > MAX_DILATE_PX) {
    throw new UsageError(`--dilate must be an integer in [0, ${MAX_DILATE_PX}], got "${values.dilate}"`);
  }
  const method = (values.method ?? DEFAULT_METHOD) as InpaintMethodName;
  if (!INPAINT_METHODS.includes(method)) {
    throw new UsageError(`--method must be one of ${INPAINT_METHODS.join(', ')}, got "${values.method}"`);
  }
  const radius = values.radius === undefined ? DEFAULT_RADIUS : Number(values.radius);
  if (!Number.isFinite(radius) || radius <= 0 || radius > MAX_RADIUS) {
    throw new UsageError(`--radius must be a number in (0, ${MAX_RADIUS}], got "${values.radius}"`);
  }
  if (method === 'onnx' && !values.model) throw new UsageError('--method onnx needs --model FILE.onnx');
  if (method !== 'onnx' && values.model) throw new UsageError('--model is only used with --method onnx');
  return { image: values.image, mask, dilatePx, method, radius, out: values.out, maskOut: values['mask-out'] };
}

async function loadMask(args: InpaintArgs): Promise<BinaryMask> {
  if ('file' in args.mask) return decodeMaskImage(await readInputFile(args.mask.file, 'mask'), args.mask.file);
  return maskFromAnnotation(args.mask.annotations, args.mask.ann);
}

async function run(argv: string[]): Promise<number> {
  const args = parseInpaintArgs(argv);
  // Only --model and the --model-* flags matter here; the environment is not consulted so that a
  // LOCSCOPE_INPAINT_MODEL meant for the server does not change what the command does.
  const learnedOptions = args.method === 'onnx' ? readLearnedConfig(argv, {}) : undefined;
  const image = await decodeImage(await readInputFile(args.image, 'image'), { field: args.image });
  const mask = await loadMask(args);
  // onnxruntime is loaded only when a model is used: the classical methods never need it.
  const learned = learnedOptions
    ? await (await import('../learned/onnx-inpainter.ts')).OnnxInpainter.load(learnedOptions)
    : undefined;
  try {
    const result = await removeObject(image, mask, {
      method: args.method,
      dilatePx: args.dilatePx,
      radius: args.radius,
      learned,
    });
    await writeOutputFile(args.out, await encodeRgbPng(result.image), 'out');
    if (args.maskOut) await writeOutputFile(args.maskOut, await encodeMaskPng(result.dilatedMask), 'mask-out');
    process.stderr.write(
      `locscope inpaint: wrote ${args.out} (${result.image.width}x${result.image.height}, ` +
        `${result.maskPixels} pixels inpainted with ${args.method})\n`,
    );
    return 0;
  } finally {
    await learned?.dispose();
  }
}

export const inpaintCommand: Command = {
  name: 'inpaint',
  summary: 'remove an object from an image: dilate its mask, then inpaint (Telea, Navier–Stokes or ONNX)',
  usage: USAGE,
  run,
};
