// `locscope inpaint`: removes one object from an image file and writes the result as PNG.
import { decodeImage } from '@locscope/masks';
import { defineFlags, parseFlags, UsageError, type Command, type FlagValues } from '@locscope/server-kit';
import { DEFAULT_RADIUS, MAX_RADIUS } from '../classical.ts';
import { maskFromAnnotation } from '../coco-mask.ts';
import { readInputFile, writeOutputFile } from '../files.ts';
import { DEFAULT_DILATE_PX, MAX_DILATE_PX } from '../dilate.ts';
import type { BinaryMask } from '../image.ts';
import { LEARNED_FLAGS, readLearnedConfig } from '../learned/config.ts';
import { decodeMaskImage } from '../mask-input.ts';
import { encodeMaskPng, encodeRgbPng } from '../png.ts';
import { DEFAULT_METHOD, INPAINT_METHODS, removeObject, type InpaintMethodName } from '../remove.ts';

const flags = defineFlags({
  image: { type: 'string', value: 'IMG', description: 'image to inpaint (required)' },
  mask: { type: 'string', value: 'MASK.png', description: 'object mask (or --annotations with --ann)' },
  annotations: { type: 'string', value: 'COCO.json', description: "COCO annotations holding the object's mask" },
  ann: { type: 'string', value: 'ID', description: 'annotation id in --annotations' },
  dilate: { type: 'string', value: 'PX', description: 'mask dilation', default: String(DEFAULT_DILATE_PX) },
  method: { type: 'string', value: INPAINT_METHODS.join('|'), description: 'inpainting method', default: DEFAULT_METHOD },
  radius: { type: 'string', value: 'R', description: 'Telea/Navier–Stokes neighbourhood radius', default: String(DEFAULT_RADIUS) },
  out: { type: 'string', value: 'OUT.png', description: 'inpainted image (required)' },
  'mask-out': { type: 'string', value: 'DILATED.png', description: 'also write the dilated mask' },
  // The learned backend's flags, without their env: a LOCSCOPE_INPAINT_MODEL meant for the server
  // does not change what this command does.
  ...Object.fromEntries(Object.entries(LEARNED_FLAGS).map(([name, { env: _env, ...flag }]) => [name, flag])) as typeof LEARNED_FLAGS,
});

interface InpaintArgs {
  image: string;
  mask: { file: string } | { annotations: string; ann: number };
  dilatePx: number;
  method: InpaintMethodName;
  radius: number;
  out: string;
  maskOut: string | undefined;
}

function parseInpaintArgs(values: FlagValues<typeof flags>): InpaintArgs {
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
  const { values } = parseFlags(inpaintCommand, argv);
  const args = parseInpaintArgs(values);
  // The environment is not consulted (see the flags above).
  const learnedOptions = args.method === 'onnx' ? readLearnedConfig(values, {}) : undefined;
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

export const inpaintCommand: Command<typeof flags> = {
  name: 'inpaint',
  summary: 'remove an object from an image: dilate its mask, then inpaint (Telea, Navier–Stokes or ONNX)',
  flags,
  run,
};
