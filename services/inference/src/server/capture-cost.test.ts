// Capture is priced before its forward (issue 13: the response size was discovered after the
// forward had allocated it). The reference for the price is what a Capture of every layer
// actually returns: exactly the forward's captures.
import { ResourceExhaustedError } from '@locscope/server-kit';
import type { ImageInput } from '@locscope/proto/v1/inference';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { loadModel, type Model } from '../runtime/model.ts';
import { InferenceEngine } from './engine.ts';
import { ModelRegistry } from './model-registry.ts';
import { writeTinyLlava } from './test-support.ts';

const scratch = scratchDir('capture-cost');
const modelDir = join(scratch.dir, 'llava-tiny');
const image: ImageInput = { source: { $case: 'encoded', value: readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png')) } };
let registry: ModelRegistry<Model>;

beforeAll(() => {
  writeTinyLlava(modelDir);
  registry = new ModelRegistry<Model>([{ name: 'tiny', dir: modelDir, preload: false }], (e) => loadModel(e.dir));
});

afterAll(() => scratch.cleanup());

const request = {
  model: 'tiny',
  image,
  prompt: 'Where is the cat?',
  target: '',
  variants: [
    { name: 'a', interventions: [] },
    { name: 'b', interventions: [] },
  ],
  spec: { layers: [], hiddenStates: true, headOutputs: false, attentionProbs: false, visionStates: false },
  storeAs: '',
};

describe('Capture cost', () => {
  it('refuses a capture one byte over the limit before running the forward, and serves it at the limit', async () => {
    const everything = await new InferenceEngine(registry).capture(request);
    const bytes = everything.reduce((n, t) => n + t.data.byteLength, 0);

    const model = await registry.get('tiny');
    const forward = vi.spyOn(model, 'forward');
    try {
      const over = await new InferenceEngine(registry, { limits: { maxCaptureBytes: bytes - 1 } }).capture(request).catch((e) => e);
      expect(over).toBeInstanceOf(ResourceExhaustedError);
      expect(over.message).toMatch(new RegExp(`^spec: capturing 2 variant\\(s\\) × \\d+ positions needs ${bytes} bytes, over the limit of ${bytes - 1}`));
      expect(forward).not.toHaveBeenCalled();
      const atLimit = await new InferenceEngine(registry, { limits: { maxCaptureBytes: bytes } }).capture(request);
      expect(atLimit.reduce((n, t) => n + t.data.byteLength, 0)).toBe(bytes);
    } finally {
      forward.mockRestore();
    }
  });
});
