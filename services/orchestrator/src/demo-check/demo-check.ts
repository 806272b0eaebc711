// The demo models' acceptance check (issue 7), through the locscope runtime: localization and
// list-classification on a scene split, and the paper's first finding — replacing an object's
// visual tokens by the mean visual embedding hurts localization far more than replacing as many
// random visual tokens.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel, type Model } from '@locscope/inference';
import {
  decodeImage,
  decodeRle,
  objectTokens,
  preprocessInternVL,
  preprocessLlava,
  randomTokens,
  readCocoDataset,
  segmentationToRle,
  tokenLayout,
  type CocoAnnotation,
  type TokenLayout,
} from '@locscope/masks';
import { dropFromBaseline, mentionsClass, scoreLocalizationAnswers, type LocalizationSample } from '@locscope/metrics';
import { NotFoundError } from '@locscope/server-kit';
import { promptsSchema } from '../config/envelope.ts';
import { fillPrompt } from '../experiments/prompts.ts';
import { replaceRows, meanRow } from './embeddings.ts';

/** The study's default prompts (the experiment configs' defaults), which the demo models were trained on. */
export const DEMO_PROMPTS = promptsSchema.parse({});

export interface DemoCheckOptions {
  /** Checkpoint directory. */
  modelDir: string;
  /** Scene split directory (images/ + annotations.json). */
  dataDir: string;
  /** Evaluate only the first N images of the split; all by default. */
  maxImages?: number;
  /** Seed of the random-token control (per sample: seed + annotation id). */
  seed?: number;
  maxNewTokens?: number;
  /** onnxruntime threads per operator; 1 keeps a shared machine usable. */
  intraOpNumThreads?: number;
}

export const DEFAULT_DEMO_CHECK = { seed: 0, maxNewTokens: 40, intraOpNumThreads: 1 };

export interface DemoCheckResult {
  /** Mean success at IoU 0.5/0.7/0.9 (paper §2.3). */
  localization: number;
  /** Share of objects whose class the list answer names. */
  classification: number;
  /** Relative localization drop with the object's tokens (every view) set to the mean visual embedding. */
  object_ablation_drop: number | null;
  /** Relative localization drop with as many random visual tokens set to it. */
  random_ablation_drop: number | null;
  /** Object annotations evaluated. */
  samples: number;
}

interface EncodedScene {
  file: string;
  width: number;
  height: number;
  views: number;
  layout: TokenLayout;
  features: Float32Array;
  annotations: CocoAnnotation[];
}

async function encodeScene(model: Model, dataDir: string, image: { file_name: string; width: number; height: number }, annotations: CocoAnnotation[]): Promise<EncodedScene> {
  const file = join(dataDir, 'images', image.file_name);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new NotFoundError(`cannot read scene image ${file}`, { field: 'data', cause });
  }
  const rgb = await decodeImage(bytes, { field: file });
  const { checkpoint, info } = model;
  const pre = checkpoint.preprocessor;
  const [side] = info.imageSize;
  const [gridSide] = info.imageGrid;
  let pixelValues: Float32Array;
  let layout: TokenLayout;
  if (checkpoint.config.family === 'llava') {
    pixelValues = preprocessLlava(rgb, { size: side, patchSize: side / gridSide, mean: pre.mean, std: pre.std, mode: 'pad' }).pixelValues;
    layout = tokenLayout('llava', rgb.width, rgb.height, { llavaGridSize: gridSide });
  } else {
    const ratio = checkpoint.config.downsampleRatio;
    const tiling = { minTiles: pre.minPatches, maxTiles: pre.maxPatches, tileSize: side };
    pixelValues = preprocessInternVL(rgb, { ...tiling, patchSize: (side * ratio) / gridSide, downsampleRatio: ratio, mean: pre.mean, std: pre.std }).pixelValues;
    layout = tokenLayout('internvl', rgb.width, rgb.height, { ...tiling, internvlViewGridSize: gridSide });
  }
  const encoded = await model.encodeImage(pixelValues);
  return { file, width: rgb.width, height: rgb.height, views: encoded.views, layout, features: encoded.features, annotations };
}

async function answer(model: Model, question: string, scene: EncodedScene, featureVariants: Float32Array[], maxNewTokens: number): Promise<string[]> {
  const { prompt, tokenizer } = model.checkpoint;
  const { ids } = prompt.encode(question, { views: scene.views });
  const hidden = model.info.hidden;
  const embeds = new Float32Array(featureVariants.length * ids.length * hidden);
  for (const [b, features] of featureVariants.entries()) embeds.set(await model.embedWithImage(ids, features), b * ids.length * hidden);
  const { tokens } = await model.generate({ inputsEmbeds: embeds, seqLen: ids.length, variants: featureVariants.map(() => ({})), maxNewTokens });
  const eos = new Set(model.info.eosTokenIds);
  // Special tokens stay: InternVL's answer parser reads <ref>/<box>.
  return tokens.map((t) => tokenizer!.decode(t.filter((id) => !eos.has(id)), { skipSpecialTokens: false }));
}

export async function runDemoCheck(options: DemoCheckOptions): Promise<DemoCheckResult> {
  const seed = options.seed ?? DEFAULT_DEMO_CHECK.seed;
  const maxNewTokens = options.maxNewTokens ?? DEFAULT_DEMO_CHECK.maxNewTokens;
  const dataset = await readCocoDataset(join(options.dataDir, 'annotations.json'));
  const names = new Map(dataset.categories.map((c) => [c.id, c.name]));
  const categories = dataset.categories.map((c) => c.name);
  const model = await loadModel(options.modelDir, { intraOpNumThreads: options.intraOpNumThreads ?? DEFAULT_DEMO_CHECK.intraOpNumThreads });
  try {
    const images = dataset.images.slice(0, options.maxImages ?? dataset.images.length);
    const scenes: EncodedScene[] = [];
    for (const image of images) {
      scenes.push(await encodeScene(model, options.dataDir, image, dataset.annotations.filter((a) => a.image_id === image.id)));
    }
    // Paper §3.1 replaces tokens by a global average visual embedding; here it is averaged over
    // every visual token of the evaluated images (the demo's image domain).
    const mean = meanRow(scenes.map((s) => s.features), model.info.hidden);

    const base: LocalizationSample[] = [];
    const objectAblated: LocalizationSample[] = [];
    const randomAblated: LocalizationSample[] = [];
    let classified = 0;
    for (const scene of scenes) {
      const [listing] = await answer(model, fillPrompt(DEMO_PROMPTS.classification, { categories }), scene, [scene.features], maxNewTokens);
      for (const annotation of scene.annotations) {
        const name = names.get(annotation.category_id) ?? String(annotation.category_id);
        if (mentionsClass(listing, name)) classified++;
        const field = `${scene.file}: annotation ${annotation.id}`;
        const mask = decodeRle(segmentationToRle(annotation.segmentation, scene.height, scene.width, field));
        const object = objectTokens(scene.layout, mask).flat();
        const random = randomTokens(scene.layout.tokenCount, object.length, seed + annotation.id);
        const hidden = model.info.hidden;
        const [a, b, c] = await answer(
          model,
          fillPrompt(DEMO_PROMPTS.localization, { object: name }),
          scene,
          [scene.features, replaceRows(scene.features, object, mean, hidden), replaceRows(scene.features, random, mean, hidden)],
          maxNewTokens,
        );
        const sample = (text: string): LocalizationSample => ({ answer: text, size: { width: scene.width, height: scene.height }, gtBox: annotation.bbox as [number, number, number, number] });
        base.push(sample(a));
        objectAblated.push(sample(b));
        randomAblated.push(sample(c));
      }
    }
    if (base.length === 0) throw new NotFoundError(`no object annotations in the first ${images.length} images of ${options.dataDir}`, { field: 'data' });
    const family = model.checkpoint.config.family;
    const localization = scoreLocalizationAnswers(family, base).localization;
    return {
      localization,
      classification: classified / base.length,
      object_ablation_drop: dropFromBaseline(localization, scoreLocalizationAnswers(family, objectAblated).localization).relative,
      random_ablation_drop: dropFromBaseline(localization, scoreLocalizationAnswers(family, randomAblated).localization).relative,
      samples: base.length,
    };
  } finally {
    await model.dispose();
  }
}
