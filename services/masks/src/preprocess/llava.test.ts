import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode.ts';
import { toChw, type RgbImage } from './image.ts';
import { CLIP_MEAN, meanColour, preprocessLlava, resizeLlava, shortestEdgeSize } from './llava.ts';
import { HF_PARITY_DIR, HF_PREPROCESS_DIR, pilReference, readJson, referenceImagePath, safetensorsBytes, sha256 } from './testdata/fixtures.ts';

interface LlavaRef {
  u8_sha256_chw: string;
  pixel_values_sha256: string;
  resized_hw?: [number, number];
  crop_top_left?: [number, number];
  padded_size?: [number, number];
  background_rgb?: [number, number, number];
}
const fixture = readJson<{
  images: Record<string, { file: string }>;
  llava: Record<string, { clip_nopad: LlavaRef; pad_square: LlavaRef }>;
}>(`${HF_PREPROCESS_DIR}/preprocess.json`);
const names = Object.keys(fixture.images);
const images = new Map<string, RgbImage>();

beforeAll(async () => {
  for (const name of names) images.set(name, await decodeImage(readFileSync(`${HF_PREPROCESS_DIR}/${fixture.images[name].file}`)));
});

describe('preprocessLlava (LLaVA-1.5 at 336 px) against Hugging Face', () => {
  it.each(names)('pad mode (original LLaVA expand2square) is bit-exact for %s', (name) => {
    const ref = fixture.llava[name].pad_square;
    const out = preprocessLlava(images.get(name)!);
    expect(out.layout.mode).toBe('pad');
    if (out.layout.mode === 'pad') expect([out.layout.square.side, out.layout.square.side]).toEqual(ref.padded_size);
    expect(sha256(toChw(out.resized))).toBe(ref.u8_sha256_chw);
    expect(out.shape).toEqual([3, 336, 336]);
    expect(sha256(out.pixelValues)).toBe(ref.pixel_values_sha256);
    expect(out.views).toEqual([{ name: 'image', rows: 24, cols: 24 }]);
  });

  it.each(names)('crop mode (CLIPImageProcessor: shortest edge + centre crop) is bit-exact for %s', (name) => {
    const ref = fixture.llava[name].clip_nopad;
    const out = preprocessLlava(images.get(name)!, { mode: 'crop' });
    expect(out.layout).toMatchObject({
      mode: 'crop',
      resizedHeight: ref.resized_hw![0],
      resizedWidth: ref.resized_hw![1],
      cropTop: ref.crop_top_left![0],
      cropLeft: ref.crop_top_left![1],
    });
    expect(sha256(toChw(out.resized))).toBe(ref.u8_sha256_chw);
    expect(sha256(out.pixelValues)).toBe(ref.pixel_values_sha256);
  });

  it('derives the pad colour (122,116,104) from the CLIP mean like LLaVA', () => {
    expect(meanColour(CLIP_MEAN)).toEqual(fixture.llava.landscape_640x427.pad_square.background_rgb);
  });

  it('reproduces the tiny model processor (112 px, patch 14, crop) pixel_values byte for byte', () => {
    const ref = safetensorsBytes(`${HF_PARITY_DIR}/llava-tiny/reference.safetensors`, 'real.pixel_values');
    const out = preprocessLlava(images.get('landscape_640x427')!, { size: 112, mode: 'crop' });
    expect([1, ...out.shape]).toEqual(ref.shape);
    expect(out.views).toEqual([{ name: 'image', rows: 8, cols: 8 }]);
    expect(Buffer.from(out.pixelValues.buffer).equals(ref.bytes)).toBe(true);
  });
});

describe('preprocessLlava pad mode against Pillow on COCO', () => {
  // 112 px (the demo model) on all 45 images, 336 px on every fifth (the shared CI has 2 cores).
  it('equals expand2square + Image.resize(BICUBIC) at 112 px (all) and 336 px (every fifth)', async () => {
    const reference = Object.entries(pilReference().llava_pad);
    expect(reference.length).toBe(45);
    for (const [index, [name, bySize]] of reference.entries()) {
      const image = await decodeImage(readFileSync(referenceImagePath(name)));
      for (const [size, hash] of Object.entries(bySize)) {
        if (size === '336' && index % 5 !== 0) continue;
        expect({ name, size, hash: sha256(resizeLlava(image, { size: Number(size) }).resized.data) }).toEqual({ name, size, hash });
      }
    }
  });
});

describe('option validation', () => {
  const image = { width: 3, height: 2, data: new Uint8Array(18) };
  it('rejects sizes that do not split into whole patches, naming the option', () => {
    expect(() => preprocessLlava(image, { size: 100 })).toThrow(/^patchSize: /);
    expect(() => preprocessLlava(image, { size: 0 })).toThrow(/^size: /);
    expect(() => preprocessLlava(image, { mode: 'stretch' as 'pad' })).toThrow(/^mode: /);
  });

  it('computes the HF shortest-edge size with floor on the long side', () => {
    expect(shortestEdgeSize(640, 427, 336)).toEqual([503, 336]);
    expect(shortestEdgeSize(300, 500, 336)).toEqual([336, 560]);
  });
});
