import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decode.ts';
import { rgbImage, solidImage, toChw, type RgbImage } from './image.ts';
import { preprocessInternVL, tileInternVL } from './internvl.ts';
import { resizeBicubic } from './resample.ts';
import { chooseTileGrid } from './tiling.ts';
import { HF_PARITY_DIR, HF_PREPROCESS_DIR, pilReference, readJson, referenceImagePath, safetensorsBytes, sha256 } from './testdata/fixtures.ts';

interface InternVLRef {
  grid_cols_rows: [number, number];
  num_tiles_incl_thumbnail: number;
  thumbnail_appended: boolean;
  resized_canvas_wh: [number, number];
  u8_tile_sha256: string[];
  pixel_values_sha256: string;
}
const fixture = readJson<{ images: Record<string, { file: string }>; internvl: Record<string, InternVLRef> }>(
  `${HF_PREPROCESS_DIR}/preprocess.json`,
);
const cases = Object.keys(fixture.internvl)
  .filter((key) => key.includes('.max'))
  .map((key) => {
    const [name, max] = key.split('.max');
    return [key, name, Number(max)] as const;
  });
const images = new Map<string, RgbImage>();

beforeAll(async () => {
  for (const [name, { file }] of Object.entries(fixture.images)) images.set(name, await decodeImage(readFileSync(`${HF_PREPROCESS_DIR}/${file}`)));
});

describe('preprocessInternVL (448 px tiles) against Hugging Face GotOcr2ImageProcessor', () => {
  it.each(cases)('%s: grid, every uint8 view and pixel_values are bit-exact', (key, name, maxTiles) => {
    const ref = fixture.internvl[key];
    const out = preprocessInternVL(images.get(name)!, { maxTiles });
    expect([out.grid.cols, out.grid.rows]).toEqual(ref.grid_cols_rows);
    expect([out.canvas.width, out.canvas.height]).toEqual(ref.resized_canvas_wh);
    expect(out.views.length).toBe(ref.num_tiles_incl_thumbnail);
    expect(out.views.at(-1)!.name === 'thumbnail').toBe(ref.thumbnail_appended);
    expect(out.viewImages.map((view) => sha256(toChw(view)))).toEqual(ref.u8_tile_sha256);
    expect(out.shape).toEqual([ref.num_tiles_incl_thumbnail, 3, 448, 448]);
    expect(sha256(out.pixelValues)).toBe(ref.pixel_values_sha256);
  });

  it('names views tiles row-major then the thumbnail, 16×16 tokens each', () => {
    const out = tileInternVL(solidImage(30, 20, [1, 2, 3]), { maxTiles: 6 });
    expect(out.views.map((v) => v.name)).toEqual(['tile_0_0', 'tile_0_1', 'tile_0_2', 'tile_1_0', 'tile_1_1', 'tile_1_2', 'thumbnail']);
    expect(out.views.every((v) => v.rows === 16 && v.cols === 16)).toBe(true);
    expect(out.views[4].tile).toEqual({ row: 1, col: 1 });
  });

  it('reproduces the tiny model processor (64 px tiles, patch 8, max 6) pixel_values byte for byte', () => {
    const ref = safetensorsBytes(`${HF_PARITY_DIR}/internvl-tiny/reference.safetensors`, 'real.pixel_values');
    const out = preprocessInternVL(images.get('landscape_640x427')!, { tileSize: 64, patchSize: 8, maxTiles: 6 });
    expect(out.shape).toEqual(ref.shape);
    expect(out.views.map((v) => [v.rows, v.cols])).toEqual(Array(7).fill([4, 4]));
    expect(Buffer.from(out.pixelValues.buffer).equals(ref.bytes)).toBe(true);
  });
});

describe('preprocessInternVL against Pillow dynamic_preprocess on COCO', () => {
  // All 45 images at the demo models' 64 px tiles; the 448 px grids of all, and the 448 px
  // pixels of every fifth image (a 448 px run costs ~10× more, and the 2-core CI is shared).
  it('equals the upstream grid and every view at 64 px (all) and 448 px (every fifth) tiles, max 6', async () => {
    const reference = Object.entries(pilReference().internvl);
    expect(reference.length).toBe(45);
    for (const [index, [name, configs]] of reference.entries()) {
      const image = await decodeImage(readFileSync(referenceImagePath(name)));
      for (const [config, ref] of Object.entries(configs)) {
        const [tileSize, maxTiles] = config.split('.max').map(Number);
        const grid = chooseTileGrid(image.width, image.height, { maxTiles, tileSize });
        expect({ name, config, grid: [grid.cols, grid.rows] }).toEqual({ name, config, grid: ref.grid_cols_rows });
        if (tileSize === 448 && index % 5 !== 0) continue;
        const out = tileInternVL(image, { tileSize, patchSize: tileSize === 64 ? 8 : 14, maxTiles });
        expect({ name, config, views: out.viewImages.map((v) => sha256(v.data)) }).toEqual({ name, config, views: ref.views_sha256 });
      }
    }
  });
});

describe('tiling invariants', () => {
  it('local tiles cover the resized canvas exactly once; the thumbnail is the whole image', () => {
    const arbImage = fc
      .record({ width: fc.integer({ min: 1, max: 80 }), height: fc.integer({ min: 1, max: 80 }) })
      .chain(({ width, height }) =>
        fc.uint8Array({ minLength: width * height * 3, maxLength: width * height * 3 }).map((data) => rgbImage(width, height, data)),
      );
    fc.assert(
      fc.property(arbImage, fc.integer({ min: 1, max: 9 }), (image, maxTiles) => {
        const tile = 8;
        const out = tileInternVL(image, { tileSize: tile, patchSize: 2, maxTiles });
        const { cols, rows } = out.grid;
        const covered = new Uint8Array(out.canvas.width * out.canvas.height);
        out.views.forEach((view, v) => {
          const pixels = out.viewImages[v];
          if (!view.tile) {
            expect(v).toBe(out.views.length - 1);
            expect(pixels.data).toEqual(resizeBicubic(image, tile, tile).data);
            return;
          }
          for (let y = 0; y < tile; y++) {
            for (let x = 0; x < tile; x++) {
              const cx = view.tile.col * tile + x;
              const cy = view.tile.row * tile + y;
              covered[cy * out.canvas.width + cx]++;
              for (let c = 0; c < 3; c++) {
                expect(pixels.data[(y * tile + x) * 3 + c]).toBe(out.canvas.data[(cy * out.canvas.width + cx) * 3 + c]);
              }
            }
          }
        });
        expect(covered.every((n) => n === 1)).toBe(true);
        expect(out.views.length).toBe(cols * rows > 1 ? cols * rows + 1 : 1);
      }),
      { numRuns: 40 },
    );
  });

  it('omits the thumbnail when asked to', () => {
    const out = preprocessInternVL(images.get('portrait_300x500')!, { useThumbnail: false, tileSize: 64, patchSize: 8 });
    expect(out.views.some((v) => v.name === 'thumbnail')).toBe(false);
    expect(out.shape[0]).toBe(out.grid.cols * out.grid.rows);
  });

  it('rejects tile sizes that do not split into whole tokens, naming the option', () => {
    expect(() => preprocessInternVL(images.get('portrait_300x500')!, { tileSize: 448, patchSize: 64 })).toThrow(/^patchSize: /);
  });
});
