// locscope.v1.Inpainting/Remove: decode the request, remove the object, encode PNGs.
import { decodeImage } from '@locscope/masks';
import { InpaintMethod, type RemoveRequest, type RemoveResponse } from '@locscope/proto/v1/inpainting';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask } from '../image.ts';
import { decodeMaskImage, maskFromTensor } from '../mask-input.ts';
import { encodeMaskPng, encodeRgbPng } from '../png.ts';
import { removeObject, type InpaintMethodName, type LearnedInpainter } from '../remove.ts';

export interface RemoveHandlerOptions {
  /** The learned backend for INPAINT_METHOD_ONNX; without it such requests are FAILED_PRECONDITION. */
  learned?: LearnedInpainter;
}

const METHODS: Partial<Record<InpaintMethod, InpaintMethodName>> = {
  [InpaintMethod.INPAINT_METHOD_UNSPECIFIED]: 'telea',
  [InpaintMethod.INPAINT_METHOD_TELEA]: 'telea',
  [InpaintMethod.INPAINT_METHOD_NS]: 'ns',
  [InpaintMethod.INPAINT_METHOD_ONNX]: 'onnx',
};

function methodOf(method: InpaintMethod): InpaintMethodName {
  const name = METHODS[method];
  if (!name) throw new InvalidArgumentError(`unknown inpainting method ${method}`, { field: 'method' });
  return name;
}

async function maskOf(request: RemoveRequest): Promise<BinaryMask> {
  switch (request.mask?.$case) {
    case 'maskImage':
      return decodeMaskImage(request.mask.value, 'mask_image');
    case 'maskTensor':
      return maskFromTensor(request.mask.value, 'mask_tensor');
    default:
      throw new InvalidArgumentError('one of mask_image or mask_tensor is required', { field: 'mask' });
  }
}

export async function handleRemove(request: RemoveRequest, options: RemoveHandlerOptions): Promise<RemoveResponse> {
  const method = methodOf(request.method);
  const image = await decodeImage(request.image, { field: 'image' });
  const mask = await maskOf(request);
  const result = await removeObject(image, mask, {
    method,
    dilatePx: request.dilatePx,
    radius: request.radius,
    learned: options.learned,
  });
  return {
    png: await encodeRgbPng(result.image),
    dilatedMaskPng: request.returnDilatedMask ? await encodeMaskPng(result.dilatedMask) : Buffer.alloc(0),
    width: result.image.width,
    height: result.image.height,
    maskPixels: result.maskPixels,
  };
}
