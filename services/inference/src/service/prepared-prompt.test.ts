// Sequence-length limits of preparePrompt (found by fuzzing: a 20,000-character prompt reached
// the forward, whose attention needs T² floats per head — gigabytes — before anything refused it).
import { InvalidArgumentError, ResourceExhaustedError } from '@locscope/server-kit';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const roomy = { maxTokens: 100_000, reserve: 0 };
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
    await expect(preparePrompt(model, image, encoded, 'q', undefined, { maxTokens: 100_000, reserve: CONTEXT - base + 1 })).rejects.toThrowError(
      `prompt: sequence of ${CONTEXT + 1} tokens (${CONTEXT - base + 1} of them new tokens), image tokens included, exceeds the model's context of ${CONTEXT}`,
    );
  });

  it("answers RESOURCE_EXHAUSTED past the server's own, lower limit", async () => {
    const base = await lengthOf('q');
    const error = await preparePrompt(model, image, encoded, 'qq', undefined, { maxTokens: base, reserve: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceExhaustedError);
    expect(error.message).toBe(`prompt: sequence of ${base + 1} tokens, image tokens included, exceeds the server's limit of ${base}`);
    expect((await preparePrompt(model, image, encoded, 'q', undefined, { maxTokens: base, reserve: 0 })).layout.length).toBe(base);
  });
});
