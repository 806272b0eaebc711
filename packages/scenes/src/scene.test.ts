import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { boundingBox, boxesOverlap, containsPoint, polygonArea } from './polygon.ts';
import { DEFAULT_SCENE_OPTIONS, generateScene } from './scene.ts';
import { CATEGORY_NAMES } from './shapes.ts';
import { toCoco } from './coco.ts';
import { writeSplit } from './split.ts';

const REPO = join(import.meta.dirname, '..', '..', '..');

describe('generateScene', () => {
  it('is deterministic for a (seed, index) and differs between seeds', () => {
    const a = generateScene(11, 3);
    const b = generateScene(11, 3);
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(a.objects).toEqual(b.objects);
    expect(Buffer.from(generateScene(12, 3).rgb).equals(Buffer.from(a.rgb))).toBe(false);
  });

  it('annotations are valid: inside the image, consistent bbox/area, distinct categories, no overlaps', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.nat(10_000), (seed, index) => {
        const scene = generateScene(seed, index);
        const [minObjects, maxObjects] = DEFAULT_SCENE_OPTIONS.objects;
        expect(scene.objects.length).toBeGreaterThanOrEqual(minObjects);
        expect(scene.objects.length).toBeLessThanOrEqual(maxObjects);
        expect(new Set(scene.objects.map((o) => o.category)).size).toBe(scene.objects.length);
        for (const o of scene.objects) {
          expect(CATEGORY_NAMES).toContain(o.category);
          for (const [x, y] of o.polygon) {
            expect(x).toBeGreaterThanOrEqual(0);
            expect(y).toBeGreaterThanOrEqual(0);
            expect(x).toBeLessThanOrEqual(scene.width);
            expect(y).toBeLessThanOrEqual(scene.height);
          }
          expect(o.bbox).toEqual(boundingBox(o.polygon));
          expect(o.area).toBeCloseTo(polygonArea(o.polygon), 6);
          expect(o.area).toBeGreaterThan(0);
          expect(o.area).toBeLessThanOrEqual(o.bbox.width * o.bbox.height);
        }
        for (let i = 0; i < scene.objects.length; i++) {
          for (let j = i + 1; j < scene.objects.length; j++) {
            expect(boxesOverlap(scene.objects[i].bbox, scene.objects[j].bbox, 0)).toBe(false);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('paints every object pixel (pixel centre inside the polygon) in the object colour', () => {
    const scene = generateScene(5, 0, { ...DEFAULT_SCENE_OPTIONS, speckleDensity: 0 });
    for (const o of scene.objects) {
      let inside = 0;
      let painted = 0;
      for (let y = Math.floor(o.bbox.y); y < Math.ceil(o.bbox.y + o.bbox.height); y++) {
        for (let x = Math.floor(o.bbox.x); x < Math.ceil(o.bbox.x + o.bbox.width); x++) {
          if (!containsPoint(o.polygon, x + 0.5, y + 0.5)) continue;
          inside++;
          const p = 3 * (y * scene.width + x);
          if (scene.rgb[p] === o.colour[0] && scene.rgb[p + 1] === o.colour[1] && scene.rgb[p + 2] === o.colour[2]) painted++;
        }
      }
      expect(painted).toBe(inside);
      // The pixel count approximates the polygon area to within the boundary pixels.
      expect(Math.abs(inside - o.area)).toBeLessThan(2 * (o.bbox.width + o.bbox.height));
    }
  });

  it('produces landscape and portrait images and all COCO size buckets', () => {
    const scenes = Array.from({ length: 60 }, (_, i) => generateScene(1, i));
    expect(scenes.some((s) => s.width > s.height)).toBe(true);
    expect(scenes.some((s) => s.width < s.height)).toBe(true);
    const areas = scenes.flatMap((s) => s.objects.map((o) => o.area));
    expect(areas.some((a) => a < 32 ** 2)).toBe(true);
    expect(areas.some((a) => a >= 32 ** 2 && a < 96 ** 2)).toBe(true);
    expect(areas.some((a) => a >= 96 ** 2)).toBe(true);
  });
});

describe('writeSplit', () => {
  it('writes PNGs holding the generated pixels and matching COCO annotations', async () => {
    const out = await mkdtemp(join(tmpdir(), 'scenes-'));
    try {
      const dataset = await writeSplit({ seed: 9, count: 3, out });
      const onDisk = JSON.parse(await readFile(join(out, 'annotations.json'), 'utf8'));
      expect(onDisk).toEqual(dataset);
      for (const [index, image] of dataset.images.entries()) {
        const scene = generateScene(9, index);
        const { data, info } = await sharp(join(out, 'images', image.file_name)).raw().toBuffer({ resolveWithObject: true });
        expect([info.width, info.height, info.channels]).toEqual([scene.width, scene.height, 3]);
        expect(data.equals(Buffer.from(scene.rgb))).toBe(true);
      }
      for (const a of dataset.annotations) {
        expect(a.iscrowd).toBe(0);
        const [x, y, w, h] = a.bbox;
        const xs = a.segmentation[0].filter((_, i) => i % 2 === 0);
        const ys = a.segmentation[0].filter((_, i) => i % 2 === 1);
        expect(x).toBeCloseTo(Math.min(...xs), 2);
        expect(y).toBeCloseTo(Math.min(...ys), 2);
        expect(x + w).toBeCloseTo(Math.max(...xs), 1);
        expect(y + h).toBeCloseTo(Math.max(...ys), 1);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('the shipped evaluation split is `locscope scenes --seed 2 --count 300` (first images checked)', async () => {
    const shipped = JSON.parse(await readFile(join(REPO, 'data', 'scenes', 'eval', 'annotations.json'), 'utf8'));
    expect(shipped.info.seed).toBe(2);
    expect(shipped.images).toHaveLength(300);
    // Image and annotation ids are sequential, so a prefix of the split has the same ids.
    const regenerated = toCoco(Array.from({ length: 15 }, (_, i) => generateScene(2, i)), 2);
    const firstIds = new Set(regenerated.images.map((i) => i.id));
    expect(shipped.images.slice(0, 15)).toEqual(regenerated.images);
    expect(shipped.annotations.filter((a: { image_id: number }) => firstIds.has(a.image_id))).toEqual(regenerated.annotations);
  });
});
