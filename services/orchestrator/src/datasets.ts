// Resolves a config's dataset to the samples its experiments plan over.
import type { ResolvedConfig } from './config/resolve.ts';
import { loadCocoDataset, selectSamples, type Dataset } from './dataset.ts';
import { NotWiredError } from './errors.ts';

/**
 * Loads the config's dataset (paths relative to `baseDir`) and keeps the config's seeded sample
 * selection. Without a `dataset:` the shipped synthetic evaluation split of the demo is meant;
 * until that split ships (issue 7) this says so.
 */
export async function datasetForConfig(config: ResolvedConfig, baseDir = process.cwd()): Promise<Dataset> {
  if (!config.dataset) {
    throw new NotWiredError(`${config.source}: no dataset configured and the shipped demo evaluation split is not available yet`);
  }
  const dataset = await loadCocoDataset(config.dataset.annotations, config.dataset.images, baseDir);
  return { ...dataset, samples: selectSamples(dataset.samples, config.samples, config.seed) };
}
