// Sequence-length limits of preparePrompt (found by fuzzing: a 20,000-character prompt reached
// the forward, whose attention needs T² floats per head — gigabytes — before anything refused it).
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { scratchDir } from '../checkpoint/test-support.ts';
import { writeTinyLlava } from './test-support.ts';
import { loadModel, type EncodedImage, type Model } from '../runtime/model.ts';
import type { PreparedImage } from './model-image.ts';
import { preparePrompt } from './prepared-prompt.ts';

const scratch = scratchDir('prepared-prompt');
let model: Model;
let image: PreparedImage;
let encoded: EncodedImage;
// llava-tiny: 64 image tokens, context (max_position_embeddings) 4096; a character-level tokenizer.
const CONTEXT = 4096;

beforeAll(async () => {
  const dir = join(scratch.dir, 'llava-tiny');
  writeTinyLlava(dir, ['USER', 'ASSISTANT']);
  model = await loadModel(dir);
  const [size] = model.info.imageSize;
  const pixelValues = new Float32Array(3 * size * size).fill(0.5);
  image = { pixelValues, views: [{ name: 'image', rows: 8, cols: 8 }], hash: 'h', tileRows: 1, tileCols: 1 };
  encoded = await model.encodeImage(pixelValues);
});

afterAll(() => scratch.cleanup());

const roomy = { maxTokens: 100_000, maxTextBytes: 1 << 20, reserve: 0 };
const lengthOf = async (question: string, target?: string) => (await preparePrompt(model, image, encoded, question, target, roomy)).layout.length;

describe('preparePrompt sequence limits', () => {
  it('accepts a sequence exactly at the limit and refuses one token more', async () => {
    const base = await lengthOf('q');
    const fits = 'q'.repeat(1 + CONTEXT - base);
    expect(await lengthOf(fits)).toBe(CONTEXT);
    await expect(preparePrompt(model, image, encoded, `${fits}q`, undefined, roomy)).rejects.toThrowError(
      new InvalidArgumentError(`sequence of ${CONTEXT + 1} tokens, image tokens included, exceeds the model's context of ${CONTEXT}`, { field: 'prompt' }),
    );
  });

  it("names the target when the prompt alone fits, and counts generation's reserve", async () => {
    const error = await preparePrompt(model, image, encoded, 'q', 'a'.repeat(CONTEXT), roomy).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toMatch(/^target: sequence of \d+ tokens/);
    const base = await lengthOf('q');
    await expect(preparePrompt(model, image, encoded, 'q', undefined, { ...roomy, reserve: CONTEXT - base + 1 })).rejects.toThrowError(
      `prompt: sequence of ${CONTEXT + 1} tokens (${CONTEXT - base + 1} of them new tokens), image tokens included, exceeds the model's context of ${CONTEXT}`,
    );
  });

  it("answers RESOURCE_EXHAUSTED past the server's own, lower limit", async () => {
    const base = await lengthOf('q');
    const error = await preparePrompt(model, image, encoded, 'qq', undefined, { ...roomy, maxTokens: base }).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toBe(`prompt: sequence of ${base + 1} tokens, image tokens included, exceeds the server's limit of ${base}`);
    expect((await preparePrompt(model, image, encoded, 'q', undefined, { ...roomy, maxTokens: base })).layout.length).toBe(base);
  });
});

describe('preparePrompt text limit (issue 13: a 2 MB prompt was tokenized, 8.3 s and +380 MB, before the length check)', () => {
  it('refuses a prompt or target over max_text_bytes, counted in UTF-8 bytes, without tokenizing it', async () => {
    const budget = { ...roomy, maxTextBytes: 64 * 1024 };
    const encode = vi.spyOn(model.checkpoint.prompt, 'encode');
    const encodeWithTarget = vi.spyOn(model.checkpoint.prompt, 'encodeWithTarget');
    try {
      const huge = await preparePrompt(model, image, encoded, 'q'.repeat(2 * 1024 * 1024), undefined, budget).catch((e) => e);
      expect(huge).toBeInstanceOf(ResourceExhaustedError);
      expect(huge.message).toBe(`prompt: ${2 * 1024 * 1024} bytes of text exceed the server's limit of ${64 * 1024} (max_text_bytes); it was not tokenized`);
      // 30k characters of 3 bytes each: under the limit in characters, over it in bytes.
      const wide = await preparePrompt(model, image, encoded, 'q', '€'.repeat(30_000), budget).catch((e) => e);
      expect(wide).toBeInstanceOf(ResourceExhaustedError);
      expect(wide.message).toMatch(/^target: 90000 bytes of text exceed/);
      expect(encode).not.toHaveBeenCalled();
      expect(encodeWithTarget).not.toHaveBeenCalled();
    } finally {
      encode.mockRestore();
      encodeWithTarget.mockRestore();
    }
  });
});
