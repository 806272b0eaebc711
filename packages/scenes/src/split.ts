// Writes a scene split to disk: DIR/images/NNNNNN.png + DIR/annotations.json (COCO).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { imageFileName, toCoco, type CocoDataset } from './coco.ts';
import { DEFAULT_SCENE_OPTIONS, generateScene, type Scene, type SceneOptions } from './scene.ts';

export interface SplitOptions {
  seed: number;
  count: number;
  out: string;
  scene?: SceneOptions;
}

export class SceneWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SceneWriteError';
  }
}

/** Lossless PNG of a scene (maximum compression: the shipped split is committed). */
export function encodePng(scene: Scene): Promise<Buffer> {
  return sharp(scene.rgb, { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .png({ compressionLevel: 9, adaptiveFiltering: true })
    .toBuffer();
}

export async function writeSplit(options: SplitOptions): Promise<CocoDataset> {
  const imagesDir = join(options.out, 'images');
  await mkdir(imagesDir, { recursive: true });
  const scenes: Scene[] = [];
  for (let index = 0; index < options.count; index++) {
    const scene = generateScene(options.seed, index, options.scene ?? DEFAULT_SCENE_OPTIONS);
    const file = join(imagesDir, imageFileName(index));
    try {
      await writeFile(file, await encodePng(scene));
    } catch (cause) {
      throw new SceneWriteError(`cannot write scene image ${file}`, { cause });
    }
    // Keep only what the annotations need; pixels are on disk.
    scenes.push({ ...scene, rgb: new Uint8Array(0) });
  }
  const dataset = toCoco(scenes, options.seed);
  const annotationsFile = join(options.out, 'annotations.json');
  try {
    await writeFile(annotationsFile, JSON.stringify(dataset));
  } catch (cause) {
    throw new SceneWriteError(`cannot write ${annotationsFile}`, { cause });
  }
  return dataset;
}
