// `locscope geometry` end to end on the shared COCO subset: flags, JSON shape and values
// (pycocotools RLE/area/bbox, the projection's token sets), overlay PNGs, usage errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { NotFoundError, UsageError } from '@locscope/server-kit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { decodeRle } from '../coco/rle.ts';
import { segmentationToRle } from '../coco/segmentation.ts';
import { tokenLayout } from '../grid/layout.ts';
import { objectTokens } from '../grid/projection.ts';
import { COCO_ANNOTATIONS, COCO_IMAGES, cocoSubset, pycocotoolsReference } from '../test-data.ts';
import { geometry } from './geometry.ts';

const outDir = mkdtempSync(join(tmpdir(), 'locscope-geometry-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    return { code: await geometry.run(argv), stdout: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

const dataset = await cocoSubset();
const reference = pycocotoolsReference();
const base = ['--annotations', COCO_ANNOTATIONS, '--images', COCO_IMAGES];

describe('locscope geometry', () => {
  it('prints pycocotools masks and the projected token sets as JSON, for both families', async () => {
    const ids = [reference.masks[0].annotation_id, reference.masks.find((m) => m.iscrowd === 1)!.annotation_id];
    for (const family of ['llava', 'internvl'] as const) {
      const flags = family === 'internvl' ? ['--max-tiles', '6'] : [];
      const { code, stdout } = await run(['--family', family, ...flags, ...base, '--ann', ids.join(','), '--padding', '-1,0,2', '--json']);
      expect(code).toBe(0);
      const output = JSON.parse(stdout);
      expect(output.annotations.map((a: { id: number }) => a.id)).toEqual(ids);
      for (const record of output.annotations) {
        const expected = reference.masks.find((m) => m.annotation_id === record.id)!;
        expect(record.rle).toEqual({ size: expected.size, counts: expected.counts });
        expect(record.area).toBe(expected.pixel_area);
        expect(record.bbox).toEqual(expected.rle_bbox);
        const annotation = dataset.annotations.find((a) => a.id === record.id)!;
        const image = dataset.images.find((i) => i.id === annotation.image_id)!;
        const layout = tokenLayout(family, image.width, image.height, family === 'internvl' ? { maxTiles: 6 } : {});
        expect(record.grid.views).toEqual(layout.views.map(({ name, rows, cols }) => ({ name, rows, cols })));
        const mask = decodeRle(segmentationToRle(annotation.segmentation, image.height, image.width, 'segmentation'));
        expect(Object.keys(record.tokens).sort()).toEqual(['-1', '0', '2']);
        for (const p of [-1, 0, 2]) expect(record.tokens[String(p)]).toEqual(objectTokens(layout, mask, p));
      }
    }
  });

  it('writes one overlay PNG per annotation: the padded square (LLaVA), local + thumbnail panels (InternVL)', async () => {
    const id = reference.masks[0].annotation_id;
    const [h, w] = reference.masks[0].size;
    const { code, stdout } = await run(['--family', 'llava', ...base, '--ann', String(id), '--padding', '0,1', '--overlay', outDir]);
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${join(outDir, `${id}_llava.png`)}`);
    expect(await sharp(join(outDir, `${id}_llava.png`)).metadata()).toMatchObject({ format: 'png', width: Math.max(w, h), height: Math.max(w, h) });
    await run(['--family', 'internvl', '--max-tiles', '6', ...base, '--ann', String(id), '--padding', '1', '--overlay', outDir]);
    const meta = await sharp(join(outDir, `${id}_internvl.png`)).metadata();
    expect(meta.height).toBe(h);
    expect(meta.width).toBeGreaterThan(2 * w);
  });

  it('rejects bad flags with a usage error and unknown annotations with NOT_FOUND', async () => {
    await expect(run(['--family', 'qwen', ...base, '--ann', '1', '--padding', '0'])).rejects.toThrow(UsageError);
    await expect(run(['--family', 'llava', ...base, '--ann', '1', '--padding', '0,x'])).rejects.toThrow(/--padding/);
    await expect(run(['--family', 'llava', ...base, '--padding', '0'])).rejects.toThrow(/--ann is required/);
    await expect(run(['--family', 'llava', '--max-tiles', '6', ...base, '--ann', '1', '--padding', '0'])).rejects.toThrow(/internvl only/);
    await expect(run(['--family', 'llava', ...base, '--ann', '1', '--padding', '0', '--json'])).rejects.toThrow(NotFoundError);
  });
});
