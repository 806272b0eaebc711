// Paste-back: a learned model regenerates (and at reduced resolution blurs) the whole frame, so
// only the pixels of the hole are taken from it; everything else stays the original pixels.
import type { BinaryMask, RgbImage } from '../image.ts';

export function pasteMasked(original: RgbImage, generated: RgbImage, hole: BinaryMask): RgbImage {
  const data = Uint8Array.from(original.data);
  for (let p = 0; p < hole.data.length; p++) {
    if (hole.data[p] === 0) continue;
    const i = p * 3;
    data[i] = generated.data[i];
    data[i + 1] = generated.data[i + 1];
    data[i + 2] = generated.data[i + 2];
  }
  return { width: original.width, height: original.height, data };
}
