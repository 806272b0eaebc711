// Object removal (paper §2.2): dilate the object mask by a margin, then fill the dilated hole.
import { FailedPreconditionError, InvalidArgumentError } from '@locscope/server-kit';
import { DEFAULT_RADIUS, inpaintClassical } from './classical.ts';
import { DEFAULT_DILATE_PX, dilateMask } from './dilate.ts';
import { assertMaskFitsImage, countMaskPixels, type BinaryMask, type RgbImage } from './image.ts';
import { loadOpenCv } from './opencv/runtime.ts';

export type InpaintMethodName = 'telea' | 'ns' | 'onnx';
export const INPAINT_METHODS: readonly InpaintMethodName[] = ['telea', 'ns', 'onnx'];
export const DEFAULT_METHOD: InpaintMethodName = 'telea';

/** A learned backend (OnnxInpainter): fills the hole's pixels and leaves the others as they are. */
export interface LearnedInpainter {
  inpaint(image: RgbImage, hole: BinaryMask): Promise<RgbImage>;
}

export interface RemoveOptions {
  /** Margin of the (2·px+1)² square dilation; default DEFAULT_DILATE_PX. */
  dilatePx?: number;
  method?: InpaintMethodName;
  /** Neighbourhood radius of Telea/NS; default DEFAULT_RADIUS. */
  radius?: number;
  /** Needed for method 'onnx'. */
  learned?: LearnedInpainter;
}

export interface RemoveResult {
  image: RgbImage;
  /** The pixels that were inpainted: 255 inside, 0 outside. */
  dilatedMask: BinaryMask;
  maskPixels: number;
}

/**
 * Errors name the request fields of locscope.v1.RemoveRequest (`mask`, `dilate_px`, `radius`,
 * `method`), which are also what the CLI's flags set.
 */
export async function removeObject(image: RgbImage, mask: BinaryMask, options: RemoveOptions = {}): Promise<RemoveResult> {
  const method = options.method ?? DEFAULT_METHOD;
  if (!INPAINT_METHODS.includes(method)) {
    throw new InvalidArgumentError(`unknown method "${method}" (expected ${INPAINT_METHODS.join(', ')})`, { field: 'method' });
  }
  const { learned } = options;
  if (method === 'onnx' && !learned) {
    throw new FailedPreconditionError('method onnx needs a learned model, and none is configured', { field: 'method' });
  }
  assertMaskFitsImage(image, mask, 'mask');
  if (countMaskPixels(mask) === 0) {
    throw new InvalidArgumentError('mask has no non-zero pixel: there is no object to remove', { field: 'mask' });
  }
  const cv = await loadOpenCv();
  const dilatedMask = dilateMask(cv, mask, options.dilatePx ?? DEFAULT_DILATE_PX, 'dilate_px');
  const result =
    method !== 'onnx'
      ? inpaintClassical(cv, image, dilatedMask, method, options.radius ?? DEFAULT_RADIUS, 'radius')
      : await learned!.inpaint(image, dilatedMask);
  return { image: result, dilatedMask, maskPixels: countMaskPixels(dilatedMask) };
}
