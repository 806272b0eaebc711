// Resolves a config's dataset to the samples its experiments plan over.
import { join } from 'node:path';
import type { ResolvedConfig } from './config/resolve.ts';
import { loadCocoDataset, selectSamples, type Dataset } from './dataset.ts';

/**
 * Loads the config's dataset (paths relative to `baseDir`), or the shipped synthetic evaluation
 * split when the config names none, and keeps the config's seeded sample selection.
 */
export async function datasetForConfig(config: ResolvedConfig, baseDir = process.cwd()): Promise<Dataset> {
  const { annotations, images } = config.dataset ?? (await shippedEvalSplit());
  const dataset = await loadCocoDataset(annotations, images, baseDir);
  return { ...dataset, samples: selectSamples(dataset.samples, config.samples, config.seed) };
}

/** `data/scenes/eval` (written by `locscope scenes`): annotations.json + images/. */
async function shippedEvalSplit(): Promise<{ annotations: string; images: string }> {
  // Loaded on demand: the scenes package pulls in the image codec, which runs without a dataset never need.
  const { DEFAULT_EVAL_SPLIT } = await import('@locscope/scenes');
  return { annotations: join(DEFAULT_EVAL_SPLIT, 'annotations.json'), images: join(DEFAULT_EVAL_SPLIT, 'images') };
}
