// `locscope geometry`: for COCO annotations, the pycocotools mask (RLE, area, bbox), the
// family's token views and the object's token sets per padding — as JSON for scripts, and as
// overlay PNGs for checking by eye.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from '@locscope/server-kit';
import { readCocoDataset } from '../coco/dataset.ts';
import { objectTokens } from '../grid/projection.ts';
import { decodeImage } from '../preprocess/decode.ts';
import { GEOMETRY_SPEC, parseGeometryArgs, type GeometryArgs } from './geometry-args.ts';
import { annotationGeometry, type AnnotationGeometry } from './geometry-record.ts';
import { renderOverlay } from './overlay.ts';

async function readImage(args: GeometryArgs, geometry: AnnotationGeometry) {
  const path = join(args.images, geometry.image.file_name);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InvalidArgumentError(`cannot read image ${path}: ${(error as Error).message}`, { field: 'images', cause: error });
  }
  const image = await decodeImage(bytes, { field: path });
  if (image.width !== geometry.image.width || image.height !== geometry.image.height) {
    throw new InvalidArgumentError(
      `${path} is ${image.width}×${image.height} but ${args.annotations} says ${geometry.image.width}×${geometry.image.height}`,
      { field: 'images' },
    );
  }
  return image;
}

async function writeOverlay(args: GeometryArgs, geometry: AnnotationGeometry): Promise<string> {
  const image = await readImage(args, geometry);
  const largest = Math.max(...args.paddings);
  const png = await renderOverlay({
    image,
    layout: geometry.layout,
    object: geometry.tokens.get(0) ?? objectTokens(geometry.layout, geometry.mask, 0),
    padded: largest > 0 ? geometry.tokens.get(largest) : undefined,
    bbox: geometry.record.bbox,
  });
  const path = join(args.overlay!, `${geometry.record.id}_${args.family}.png`);
  await writeFile(path, png);
  return path;
}

function summary(geometry: AnnotationGeometry): string {
  const { record } = geometry;
  const counts = [...geometry.tokens].map(([p, views]) => `p=${p}: ${views.map((v) => v.length).join('+')}`);
  const views = record.grid.views.map((v) => `${v.name} ${v.rows}×${v.cols}`).join(', ');
  return `annotation ${record.id}: area ${record.area} px, bbox [${record.bbox.join(', ')}], views ${views}; tokens ${counts.join('; ')}`;
}

async function runGeometry(argv: string[]): Promise<number> {
  const args = parseGeometryArgs(argv);
  const dataset = await readCocoDataset(args.annotations);
  const geometries = args.annotationIds.map((id) =>
    annotationGeometry(dataset, args.annotations, id, { family: args.family, maxTiles: args.maxTiles, paddings: args.paddings }),
  );
  const overlays: string[] = [];
  if (args.overlay) {
    await mkdir(args.overlay, { recursive: true });
    for (const geometry of geometries) overlays.push(await writeOverlay(args, geometry));
  }
  if (args.json) {
    process.stdout.write(JSON.stringify({ annotations: geometries.map((g) => g.record) }) + '\n');
  } else {
    for (const geometry of geometries) process.stdout.write(summary(geometry) + '\n');
    for (const path of overlays) process.stdout.write(`wrote ${path}\n`);
  }
  return 0;
}

export const geometry: Command = { ...GEOMETRY_SPEC, run: runGeometry };
