// preprocessor_config.json and generation_config.json. The image processors are the ones the
// two families ship: CLIPImageProcessor (LLaVA-1.5: shortest edge + centre crop) and
// GotOcr2ImageProcessor (InternVL: fixed tile size, dynamic tiling into min..max patches).
// Absent fields take those classes' defaults (transformers v4.53); an absent file means
// "all defaults" as in transformers, except the tile/crop size, which comes from the vision config.
import { z } from 'zod';
import { idList } from './text-config.ts';

/** OpenAI CLIP normalisation constants, the default of both processors. */
export const OPENAI_CLIP_MEAN: readonly [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
export const OPENAI_CLIP_STD: readonly [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const rgb = z.tuple([z.number(), z.number(), z.number()]);
const positiveInt = z.number().int().positive();
const heightWidth = z.object({ height: positiveInt, width: positiveInt });

export const preprocessorConfigSchema = z
  .object({
    image_processor_type: z.string().optional(),
    // Older CLIP processor configs write plain integers: `size` is then the shortest edge, `crop_size` a square.
    size: z.union([heightWidth, z.object({ shortest_edge: positiveInt }), positiveInt.transform((shortest_edge) => ({ shortest_edge }))]).optional(),
    crop_size: z.union([heightWidth, positiveInt.transform((side) => ({ height: side, width: side }))]).optional(),
    do_center_crop: z.boolean().optional(),
    do_resize: z.boolean().default(true),
    do_rescale: z.boolean().default(true),
    do_normalize: z.boolean().default(true),
    do_convert_rgb: z.boolean().default(true),
    rescale_factor: z.number().positive().default(1 / 255),
    image_mean: rgb.default([...OPENAI_CLIP_MEAN]),
    image_std: rgb.default([...OPENAI_CLIP_STD]),
    /** PIL resampling filter id (3 = bicubic, the default of both processors). */
    resample: z.number().int().default(3),
    crop_to_patches: z.boolean().default(false),
    min_patches: positiveInt.default(1),
    max_patches: positiveInt.default(12),
  })
  .refine((c) => c.min_patches <= c.max_patches, { path: ['max_patches'], message: 'must be ≥ min_patches' });

export interface PreprocessorConfig {
  imageProcessorType: string | undefined;
  /** Side the image is resized to before cropping (CLIP `size.shortest_edge`); undefined for fixed-size processors. */
  shortestEdge: number | undefined;
  /** The model's input size per view: CLIP crop size, or the InternVL tile size. */
  size: { height: number; width: number };
  doCenterCrop: boolean;
  doResize: boolean;
  doRescale: boolean;
  doNormalize: boolean;
  doConvertRgb: boolean;
  rescaleFactor: number;
  mean: [number, number, number];
  std: [number, number, number];
  resample: number;
  /** InternVL dynamic tiling; views = tiles (+ a thumbnail when more than one tile). */
  cropToPatches: boolean;
  minPatches: number;
  maxPatches: number;
}

/** `modelImageSize` (the vision tower's input) fills in sizes the file leaves out. */
export function toPreprocessorConfig(parsed: z.output<typeof preprocessorConfigSchema>, modelImageSize: { height: number; width: number }): PreprocessorConfig {
  const size = parsed.size;
  const shortestEdge = size && 'shortest_edge' in size ? size.shortest_edge : undefined;
  const fixedSize = size && 'height' in size ? size : undefined;
  return {
    imageProcessorType: parsed.image_processor_type,
    shortestEdge,
    size: parsed.crop_size ?? fixedSize ?? modelImageSize,
    doCenterCrop: parsed.do_center_crop ?? shortestEdge !== undefined,
    doResize: parsed.do_resize,
    doRescale: parsed.do_rescale,
    doNormalize: parsed.do_normalize,
    doConvertRgb: parsed.do_convert_rgb,
    rescaleFactor: parsed.rescale_factor,
    mean: parsed.image_mean,
    std: parsed.image_std,
    resample: parsed.resample,
    cropToPatches: parsed.crop_to_patches,
    minPatches: parsed.min_patches,
    maxPatches: parsed.max_patches,
  };
}

const tokenIds = z.union([z.number().int(), z.array(z.number().int())]).nullish();

export const generationConfigSchema = z.object({
  bos_token_id: tokenIds,
  eos_token_id: tokenIds,
  pad_token_id: z.number().int().nullish(),
  max_new_tokens: positiveInt.nullish(),
});

export interface GenerationConfig {
  /** Generation stops at any of these (generation_config.json, else the text config's). */
  eosTokenIds: number[];
  bosTokenId: number | undefined;
  padTokenId: number | undefined;
  maxNewTokens: number | undefined;
}

export function toGenerationConfig(parsed: z.output<typeof generationConfigSchema> | undefined, fallback: { eosTokenIds: number[]; bosTokenId: number | undefined; padTokenId: number | undefined }): GenerationConfig {
  const eos = idList(parsed?.eos_token_id);
  const bos = idList(parsed?.bos_token_id);
  return {
    eosTokenIds: eos.length > 0 ? eos : fallback.eosTokenIds,
    bosTokenId: bos[0] ?? fallback.bosTokenId,
    padTokenId: parsed?.pad_token_id ?? fallback.padTokenId,
    maxNewTokens: parsed?.max_new_tokens ?? undefined,
  };
}
