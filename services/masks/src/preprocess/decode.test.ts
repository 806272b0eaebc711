import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@locscope/server-kit';
import { decodeImage } from './decode.ts';
import { HF_PREPROCESS_DIR, pilReference, readJson, referenceImagePath, sha256 } from './testdata/fixtures.ts';

const hfImages = readJson<{ images: Record<string, { file: string; width: number; height: number; sha256_rgb_u8_hwc: string }> }>(
  `${HF_PREPROCESS_DIR}/preprocess.json`,
).images;

describe('decodeImage', () => {
  it.each(Object.entries(hfImages))('decodes %s to the RGB bytes the HF reference hashed', async (_name, ref) => {
    const image = await decodeImage(readFileSync(`${HF_PREPROCESS_DIR}/${ref.file}`));
    expect([image.width, image.height]).toEqual([ref.width, ref.height]);
    expect(sha256(image.data)).toBe(ref.sha256_rgb_u8_hwc);
  });

  // 45 COCO JPEGs (17 with embedded ICC profiles) and PNGs in grey, RGBA, palette and 16-bit RGB:
  // the bytes must equal Pillow's Image.open(f).convert('RGB').
  it('equals Pillow convert("RGB") on COCO JPEGs and grey/RGBA/palette/16-bit PNGs', async () => {
    const entries = Object.entries(pilReference().decode);
    expect(entries.length).toBe(50);
    for (const [name, ref] of entries) {
      const image = await decodeImage(readFileSync(referenceImagePath(name)));
      expect({ name, size: [image.width, image.height], sha: sha256(image.data) }).toEqual({
        name,
        size: [ref.width, ref.height],
        sha: ref.sha256,
      });
    }
  });

  it('applies the EXIF orientation unless told not to', async () => {
    // 6 = "rotate 90° clockwise to display": a stored 40×20 image displays as 20×40.
    const stored = await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const shown = await decodeImage(stored);
    expect([shown.width, shown.height]).toEqual([20, 40]);
    const raw = await decodeImage(stored, { autoOrient: false });
    expect([raw.width, raw.height]).toEqual([40, 20]);
  });

  it('rejects undecodable bytes as InvalidArgumentError naming the field', async () => {
    const garbage = new TextEncoder().encode('definitely not an image');
    await expect(decodeImage(garbage)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(decodeImage(garbage)).rejects.toThrow(/^image: cannot decode image/);
    await expect(decodeImage(garbage, { field: 'requests[2].image' })).rejects.toMatchObject({ field: 'requests[2].image' });
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow(/image: image bytes are empty/);
  });

  it('rejects a truncated JPEG instead of returning partial pixels', async () => {
    const jpeg = readFileSync(referenceImagePath('000000005001.jpg'));
    await expect(decodeImage(jpeg.subarray(0, jpeg.length >> 1))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses images above the pixel limit', async () => {
    const png = readFileSync(`${HF_PREPROCESS_DIR}/${hfImages.square_1000x1000.file}`);
    await expect(decodeImage(png, { maxPixels: 999_999 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
