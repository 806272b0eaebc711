// One synthetic scene: a textured canvas with 1–4 non-overlapping shapes of distinct categories.
import { paintBackground, sprinkleSpeckles } from './background.ts';
import { colourDistance, vividColour, type Rgb } from './colour.ts';
import { boundingBox, boxesOverlap, containsPoint, polygonArea, type Box } from './polygon.ts';
import { Rng } from './random.ts';
import { CATEGORY_NAMES, placeOutline, SHAPES, type CategoryName, type Point } from './shapes.ts';

export interface SceneOptions {
  /** Range of the long image side in pixels. */
  longSide: readonly [number, number];
  /** Smallest short image side in pixels. */
  minShortSide: number;
  /** Largest long/short ratio. */
  maxAspect: number;
  /** Share of square images; the rest splits evenly into landscape and portrait. */
  squareShare: number;
  /** Range of the object count per image. */
  objects: readonly [number, number];
  /** Object extent as a fraction of the long image side (log-uniform): with 160–480 px images this
   *  yields COCO small (< 32²), medium and large (≥ 96²) objects. */
  objectScale: readonly [number, number];
  /** Largest object extent as a fraction of the short side. */
  maxObjectShortFraction: number;
  /** Minimum gap between object boxes in pixels. */
  gap: number;
  /** Minimum RGB distance between an object colour and every background colour. */
  minContrast: number;
  /** Fraction of pixels turned into grey speckles after drawing. */
  speckleDensity: number;
}

export const DEFAULT_SCENE_OPTIONS: SceneOptions = {
  longSide: [200, 480],
  minShortSide: 160,
  maxAspect: 2.2,
  squareShare: 0.1,
  objects: [1, 4],
  objectScale: [0.13, 0.5],
  maxObjectShortFraction: 0.8,
  gap: 4,
  minContrast: 110,
  speckleDensity: 0.006,
};

export interface SceneObject {
  category: CategoryName;
  /** Outline in image pixels, vertices rounded to 0.01 px (exactly what was rasterized). */
  polygon: Point[];
  bbox: Box;
  area: number;
  colour: Rgb;
}

export interface Scene {
  width: number;
  height: number;
  /** HWC 8-bit RGB. */
  rgb: Uint8Array;
  objects: SceneObject[];
}

const PLACEMENT_TRIES = 60;
const COLOUR_TRIES = 30;

function imageSize(rng: Rng, o: SceneOptions): { width: number; height: number } {
  const long = rng.int(o.longSide[0], o.longSide[1]);
  const r = rng.next();
  if (r < o.squareShare) return { width: long, height: long };
  const short = rng.int(Math.max(o.minShortSide, Math.ceil(long / o.maxAspect)), long);
  return r < o.squareShare + (1 - o.squareShare) / 2 ? { width: long, height: short } : { width: short, height: long };
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

function placeObject(rng: Rng, category: CategoryName, width: number, height: number, placed: readonly SceneObject[], o: SceneOptions): Point[] | undefined {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  const spec = SHAPES[category];
  for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
    const size = Math.min(long * rng.logUniform(o.objectScale[0], o.objectScale[1]), short * o.maxObjectShortFraction);
    const rotation = rng.uniform(-spec.maxRotation, spec.maxRotation);
    const atOrigin = placeOutline(spec.outline, 0, 0, size, rotation);
    const box = boundingBox(atOrigin);
    const margin = 2;
    const cx = rng.uniform(margin - box.x, width - margin - (box.x + box.width));
    const cy = rng.uniform(margin - box.y, height - margin - (box.y + box.height));
    const polygon = atOrigin.map(([x, y]) => [round2(x + cx), round2(y + cy)] as const);
    const candidate = boundingBox(polygon);
    if (candidate.x < 0 || candidate.y < 0 || candidate.x + candidate.width > width || candidate.y + candidate.height > height) continue;
    if (placed.every((p) => !boxesOverlap(p.bbox, candidate, o.gap / 2))) return polygon;
  }
  return undefined;
}

function fill(rgb: Uint8Array, width: number, polygon: readonly Point[], colour: Rgb): void {
  const box = boundingBox(polygon);
  for (let y = Math.floor(box.y); y < Math.ceil(box.y + box.height); y++) {
    for (let x = Math.floor(box.x); x < Math.ceil(box.x + box.width); x++) {
      // A pixel belongs to the object when its centre is inside the outline.
      if (!containsPoint(polygon, x + 0.5, y + 0.5)) continue;
      const o = 3 * (y * width + x);
      rgb[o] = colour[0];
      rgb[o + 1] = colour[1];
      rgb[o + 2] = colour[2];
    }
  }
}

function objectColour(rng: Rng, avoid: readonly Rgb[], minContrast: number): Rgb {
  let best = vividColour(rng);
  for (let i = 0; i < COLOUR_TRIES && avoid.some((c) => colourDistance(c, best) < minContrast); i++) best = vividColour(rng);
  return best;
}

/** Scene `index` of the split seeded with `seed`. */
export function generateScene(seed: number, index: number, options: SceneOptions = DEFAULT_SCENE_OPTIONS): Scene {
  const rng = Rng.forScene(seed, index);
  const { width, height } = imageSize(rng, options);
  const rgb = new Uint8Array(width * height * 3);
  const palette = paintBackground(rgb, width, height, rng);
  const count = rng.int(options.objects[0], options.objects[1]);
  const categories = rng.shuffled(CATEGORY_NAMES).slice(0, count);
  const objects: SceneObject[] = [];
  for (const category of categories) {
    const polygon = placeObject(rng, category, width, height, objects, options);
    if (!polygon) continue; // crowded canvas: fewer objects rather than overlapping ones
    const colour = objectColour(rng, palette, options.minContrast);
    fill(rgb, width, polygon, colour);
    objects.push({ category, polygon, bbox: boundingBox(polygon), area: polygonArea(polygon), colour });
  }
  sprinkleSpeckles(rgb, width, height, rng, options.speckleDensity);
  return { width, height, rgb, objects };
}
