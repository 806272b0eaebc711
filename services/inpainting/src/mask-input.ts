// The two ways a caller hands over the object mask: an encoded image (e.g. a PNG written by any
// tool) or a raw [H, W] tensor. Both become a BinaryMask of the image's frame.
import { decodeImage } from '@locscope/masks';
import { decodeUint8 } from '@locscope/proto';
import type { Tensor } from '@locscope/proto/v1/tensor';
import { InvalidArgumentError } from '@locscope/server-kit';
import type { BinaryMask } from './image.ts';

/**
 * Decoded like the image itself (same EXIF orientation handling), so a mask drawn on the
 * displayed image lines up; a pixel is in the mask when any colour channel is non-zero.
 */
export async function decodeMaskImage(bytes: Uint8Array, field: string): Promise<BinaryMask> {
  const rgb = await decodeImage(bytes, { field });
  const data = new Uint8Array(rgb.width * rgb.height);
  for (let p = 0; p < data.length; p++) {
    data[p] = rgb.data[3 * p] | rgb.data[3 * p + 1] | rgb.data[3 * p + 2] ? 1 : 0;
  }
  return { width: rgb.width, height: rgb.height, data };
}

/** A UINT8 or BOOL tensor of shape [height, width]; non-zero bytes are in the mask. */
export function maskFromTensor(tensor: Tensor, field: string): BinaryMask {
  const data = decodeUint8(tensor, field, { shape: [-1, -1] });
  const [height, width] = tensor.shape;
  if (height === 0 || width === 0) {
    throw new InvalidArgumentError(`shape [${height}, ${width}] is empty`, { field: `${field}.shape` });
  }
  return { width, height, data };
}
