// The learned backend end to end on real onnxruntime sessions of small LaMa-signature graphs:
// signature reading, letterboxing to the model size, output range, and paste-back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FailedPreconditionError } from '@locscope/server-kit';
import type { BinaryMask, RgbImage } from '../image.ts';
import { removeObject } from '../remove.ts';
import { OnnxInpainter } from './onnx-inpainter.ts';
import { FILL_RGB, writeFillModel } from './test-models.ts';

const dir = mkdtempSync(join(tmpdir(), 'locscope-inpainting-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A gradient image (so that a mixed-up pixel shows) with a rectangular hole. */
function scene(width: number, height: number, hole: { x: number; y: number; w: number; h: number }) {
  const image: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  const mask: BinaryMask = { width, height, data: new Uint8Array(width * height) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      image.data.set([(x * 7) % 256, (y * 11) % 256, (x + y) % 256], 3 * p);
      if (x >= hole.x && x < hole.x + hole.w && y >= hole.y && y < hole.y + hole.h) mask.data[p] = 1;
    }
  }
  return { image, mask };
}

/**
 * Outside the hole: the original pixels. Inside, at least `margin` pixels from its edge (where
 * resampling back from the model size cannot reach the surrounding image): the fill colour.
 */
function expectPastedFill(result: RgbImage, image: RgbImage, mask: BinaryMask, hole: { x: number; y: number; w: number; h: number }, margin: number) {
  let interior = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = y * image.width + x;
      const pixel = Array.from(result.data.subarray(3 * p, 3 * p + 3));
      if (mask.data[p] === 0) {
        expect(pixel).toEqual(Array.from(image.data.subarray(3 * p, 3 * p + 3)));
      } else if (x >= hole.x + margin && x < hole.x + hole.w - margin && y >= hole.y + margin && y < hole.y + hole.h - margin) {
        expect(pixel).toEqual(FILL_RGB);
        interior++;
      }
    }
  }
  expect(interior).toBeGreaterThan(0);
}

describe('OnnxInpainter', () => {
  const hole = { x: 30, y: 20, w: 40, h: 30 };

  it('runs a model with symbolic dims at the configured size and pastes back only the hole', async () => {
    const model = writeFillModel(dir, 'dynamic.onnx');
    const inpainter = await OnnxInpainter.load({ modelPath: model, size: 64 });
    try {
      expect(inpainter.signature).toMatchObject({ width: 64, height: 64, imageInput: 'image', maskInput: 'mask', output: 'output' });
      const { image, mask } = scene(120, 90, hole);
      const result = await inpainter.inpaint(image, mask);
      expect([result.width, result.height]).toEqual([120, 90]);
      expectPastedFill(result, image, mask, hole, 6);
    } finally {
      await inpainter.dispose();
    }
  });

  it('reads a fixed, non-square input size from the file and scales a 0–255 output', async () => {
    const model = writeFillModel(dir, 'fixed-byte.onnx', { height: 48, width: 80, range: 'byte' });
    const inpainter = await OnnxInpainter.load({ modelPath: model, size: 512, outputRange: 'byte' });
    try {
      expect(inpainter.signature).toMatchObject({ width: 80, height: 48 });
      const { image, mask } = scene(100, 130, hole);
      expectPastedFill(await inpainter.inpaint(image, mask), image, mask, hole, 8);
    } finally {
      await inpainter.dispose();
    }
  });

  it('uses configured tensor names', async () => {
    const names = { imageInput: 'img', maskInput: 'hole', output: 'inpainted' };
    const model = writeFillModel(dir, 'named.onnx', names);
    const inpainter = await OnnxInpainter.load({ modelPath: model, size: 32, ...names });
    try {
      const { image, mask } = scene(64, 64, hole);
      expectPastedFill(await inpainter.inpaint(image, mask), image, mask, hole, 4);
    } finally {
      await inpainter.dispose();
    }
  });

  it('is the onnx method of removeObject (dilated hole filled, the rest kept)', async () => {
    const inpainter = await OnnxInpainter.load({ modelPath: writeFillModel(dir, 'remove.onnx'), size: 128 });
    try {
      const { image, mask } = scene(120, 90, hole);
      const result = await removeObject(image, mask, { method: 'onnx', learned: inpainter, dilatePx: 2 });
      expect(result.maskPixels).toBe((hole.w + 4) * (hole.h + 4));
      const grown = { x: hole.x - 2, y: hole.y - 2, w: hole.w + 4, h: hole.h + 4 };
      expectPastedFill(result.image, image, result.dilatedMask, grown, 4);
    } finally {
      await inpainter.dispose();
    }
  });

  it.each([
    ['a missing file', () => join(dir, 'absent.onnx'), {}, /^model: cannot load ONNX model/],
    ['a file that is not ONNX', () => (writeFileSync(join(dir, 'junk.onnx'), 'not a model'), join(dir, 'junk.onnx')), {}, /^model: cannot load ONNX model/],
    ['a model without the image input', () => writeFillModel(dir, 'other-names.onnx', { imageInput: 'pixels' }), {}, /^model\.image: .*has no input "image" \(inputs: pixels, mask\)/],
    ['a model without the output', () => writeFillModel(dir, 'other-output.onnx', { output: 'result' }), {}, /^model\.output: .*has no output "output" \(outputs: result\)/],
    ['a mask input given as the image', () => writeFillModel(dir, 'swapped.onnx'), { imageInput: 'mask', maskInput: 'image' }, /^model\.mask: .*input "mask" has shape \[1, 1, height, width\], expected \[1, 3, H, W\]/],
  ])('refuses %s with FAILED_PRECONDITION naming it', async (_, path, names, message) => {
    const failure = OnnxInpainter.load({ modelPath: path(), ...names });
    await expect(failure).rejects.toBeInstanceOf(FailedPreconditionError);
    await expect(failure).rejects.toThrow(message);
  });

  it('refuses an output of the wrong shape naming the output tensor', async () => {
    const inpainter = await OnnxInpainter.load({ modelPath: writeFillModel(dir, 'grey.onnx', { outputChannels: 1 }), size: 32 });
    try {
      const { image, mask } = scene(40, 40, { x: 5, y: 5, w: 10, h: 10 });
      await expect(inpainter.inpaint(image, mask)).rejects.toThrow(/^model\.output: .*is float32 \[1, 1, 32, 32\], expected float32 \[1, 3, 32, 32\]/);
    } finally {
      await inpainter.dispose();
    }
  });
});
