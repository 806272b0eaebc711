// The shipped demo models through the locscope runtime on the first images of the shipped
// evaluation split: they localize, list objects, and show the paper's first finding (object
// tokens matter for localization far more than as many random tokens). The full-split numbers
// and those on held-out seeds come from `locscope demo-check` (see models/*/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EVAL_SPLIT, DEMO_MODEL_NAMES, resolveModelDir } from '@locscope/scenes';
import { runDemoCheck } from './demo-check.ts';

// A third of the split: about 250 objects, enough for the thresholds to mean something and
// under a minute per model on 2 cores.
const IMAGES = 100;

describe.each(DEMO_MODEL_NAMES)('%s', (name) => {
  it('localizes, classifies, and needs the object tokens to localize (issue 7 acceptance)', async () => {
    const result = await runDemoCheck({ modelDir: resolveModelDir(name), dataDir: DEFAULT_EVAL_SPLIT, maxImages: IMAGES });
    const coco = JSON.parse(readFileSync(join(DEFAULT_EVAL_SPLIT, 'annotations.json'), 'utf8'));
    expect(result.samples).toBe(coco.annotations.filter((a: { image_id: number }) => a.image_id <= IMAGES).length);
    expect(result.localization).toBeGreaterThanOrEqual(0.5);
    expect(result.classification).toBeGreaterThanOrEqual(0.8);
    expect(result.object_ablation_drop).toBeGreaterThanOrEqual(0.5);
    expect(result.object_ablation_drop!).toBeGreaterThanOrEqual(2 * Math.max(0, result.random_ablation_drop!));
  }, 300_000);
});
