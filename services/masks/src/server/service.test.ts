// The Masks service over a real socket (grpc-js client on 127.0.0.1, port 0): results equal the
// library (and pycocotools), bad input answers INVALID_ARGUMENT naming the field.
import { readFileSync } from 'node:fs';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { float32Tensor } from '@locscope/proto';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { BoxSpace, MasksClient, SizeBucket, type GridSpec, type Segmentation } from '@locscope/proto/v1/masks';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import { checkHealth, listServicesByReflection } from '@locscope/server-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRle } from '../coco/rle.ts';
import { segmentationToRle } from '../coco/segmentation.ts';
import { tokenLayout } from '../grid/layout.ts';
import { objectTokensByPadding } from '../grid/projection.ts';
import { COCO_ANNOTATIONS, COCO_IMAGES, cocoSubset, pycocotoolsReference } from '../test-data.ts';
import { MASKS_SERVICE_NAME, startMasksServer } from './service.ts';

let server: RunningServer;
let client: MasksClient;

beforeAll(async () => {
  server = await startMasksServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024 * 1024, shutdownGraceMs: 1000 },
    { logger: createLogger({ level: 'error' }) },
  );
  // InternVL pixel tensors (up to 13 views × 3 × 448² floats) exceed grpc-js' 4 MB default.
  client = new MasksClient(server.address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
});

type Method = keyof MasksClient & ('preprocess' | 'project' | 'selectRandom' | 'selectRegisterTokens' | 'selectTopK' | 'containerize' | 'convertBox' | 'filterDataset');
function call<M extends Method>(method: M, request: Parameters<MasksClient[M]>[0]): Promise<any> {
  return new Promise((resolve, reject) =>
    (client[method] as Function).call(client, request, (error: ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response))),
  );
}

async function expectInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: ServiceError) => e,
  )) as ServiceError | undefined;
  expect(error, `expected INVALID_ARGUMENT naming ${field}`).toBeDefined();
  expect(error!.code).toBe(status.INVALID_ARGUMENT);
  expect(error!.details.startsWith(`${field}:`), error!.details).toBe(true);
}

const dataset = await cocoSubset();
const reference = pycocotoolsReference();
const annotation = dataset.annotations.find((a) => Array.isArray(a.segmentation) && a.iscrowd === 0)!;
const image = dataset.images.find((i) => i.id === annotation.image_id)!;
const polygons: Segmentation = { kind: { $case: 'polygons', value: { polygons: (annotation.segmentation as number[][]).map((xy) => ({ xy })) } } };
const llavaGrid: GridSpec = { family: ModelFamily.MODEL_FAMILY_LLAVA, width: image.width, height: image.height, minTiles: 0, maxTiles: 0, llavaGridSize: 0, internvlViewGridSize: 0 };
const internvlGrid: GridSpec = { ...llavaGrid, family: ModelFamily.MODEL_FAMILY_INTERNVL, maxTiles: 6 };

describe('locscope.v1.Masks over a socket', () => {
  it('reports health and announces itself through reflection', async () => {
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, MASKS_SERVICE_NAME)).toBe('SERVING');
    expect(await listServicesByReflection(server.address)).toContain(MASKS_SERVICE_NAME);
  });

  it('projects polygons and RLE strings to pycocotools masks and the library token sets', async () => {
    const expected = reference.masks.find((m) => m.annotation_id === annotation.id)!;
    const mask = decodeRle(segmentationToRle(annotation.segmentation, image.height, image.width, 'segmentation'));
    for (const grid of [llavaGrid, internvlGrid]) {
      const family = grid.family === ModelFamily.MODEL_FAMILY_LLAVA ? 'llava' : 'internvl';
      const layout = tokenLayout(family, image.width, image.height, { maxTiles: grid.maxTiles || undefined });
      const tokens = objectTokensByPadding(layout, mask, [-1, 0, 2]);
      for (const segmentation of [polygons, { kind: { $case: 'rleCounts' as const, value: expected.counts } }]) {
        const response = await call('project', { grid, segmentation, paddings: [-1, 0, 2] });
        expect(response.rleCounts).toBe(expected.counts);
        expect(response.area).toBe(expected.pixel_area);
        expect(response.bbox).toEqual(expected.rle_bbox);
        expect(response.views.map((v: { name: string }) => v.name)).toEqual(layout.views.map((v) => v.name));
        for (const { padding, views } of response.tokens) {
          expect(views.map((v: { indices: number[] }) => v.indices)).toEqual(tokens.get(padding));
        }
        expect(response.sizeBucket).toBe(expected.pixel_area < 1024 ? SizeBucket.SIZE_BUCKET_SMALL : expected.pixel_area < 9216 ? SizeBucket.SIZE_BUCKET_MEDIUM : SizeBucket.SIZE_BUCKET_LARGE);
      }
    }
  });

  it('preprocesses a COCO JPEG into [views, 3, S, S] for both families', async () => {
    const bytes = readFileSync(`${COCO_IMAGES}/${image.file_name}`);
    const llava = await call('preprocess', { image: bytes, family: ModelFamily.MODEL_FAMILY_LLAVA, minTiles: 0, maxTiles: 0 });
    expect(llava.pixelValues.shape).toEqual([1, 3, 336, 336]);
    expect(llava.views).toEqual([{ name: 'image', rows: 24, cols: 24, offset: 0 }]);
    const internvl = await call('preprocess', { image: bytes, family: ModelFamily.MODEL_FAMILY_INTERNVL, minTiles: 0, maxTiles: 6 });
    const layout = tokenLayout('internvl', image.width, image.height, { maxTiles: 6 });
    expect(internvl.views).toEqual(layout.views);
    expect(internvl.pixelValues.shape).toEqual([layout.views.length, 3, 448, 448]);
    expect(internvl.pixelValues.data.byteLength).toBe(layout.views.length * 3 * 448 * 448 * 4);
  });

  it('selects random, register and top-k tokens', async () => {
    const random = await call('selectRandom', { grid: llavaGrid, k: 48, seed: 3, exclude: [0, 1] });
    expect(random.indices).toHaveLength(48);
    expect(await call('selectRandom', { grid: llavaGrid, k: 48, seed: 3, exclude: [0, 1] })).toEqual(random);
    const norms = float32Tensor(new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 9]), [10]);
    expect((await call('selectRegisterTokens', { norms })).indices).toEqual([9]);
    const scores = float32Tensor(new Float32Array([0.5, 3, -1, 2]), [4]);
    expect((await call('selectTopK', { scores, k: 2 })).indices).toEqual([1, 3]);
  });

  it('containerizes and converts boxes', async () => {
    const result = await call('containerize', { grid: llavaGrid, segmentation: polygons, padding: 1, seed: 5 });
    expect(result.moves.length).toBeGreaterThan(0);
    expect(result.grownBox.x0).toBeLessThan(result.gtBox.x0 + 1e-9);
    const box = { x0: 10, y0: 20, x1: 110, y1: 220 };
    const model = await call('convertBox', { family: ModelFamily.MODEL_FAMILY_INTERNVL, width: 640, height: 480, box, from: BoxSpace.BOX_SPACE_PIXELS, to: BoxSpace.BOX_SPACE_MODEL });
    expect(model.box.x1).toBeCloseTo(171.875, 9);
    const back = await call('convertBox', { family: ModelFamily.MODEL_FAMILY_INTERNVL, width: 640, height: 480, box: model.box, from: BoxSpace.BOX_SPACE_MODEL, to: BoxSpace.BOX_SPACE_PIXELS });
    expect(back.box.y1).toBeCloseTo(220, 9);
  });

  it('filters a COCO file', async () => {
    const response = await call('filterDataset', { cocoJson: readFileSync(COCO_ANNOTATIONS) });
    expect(response.keptAnnotationIds.length + response.dropped.length).toBe(dataset.annotations.length);
    expect(response.dropped.some((d: { reason: string }) => d.reason === 'crowd')).toBe(true);
  });

  it('answers INVALID_ARGUMENT naming the field for bad input', async () => {
    await expectInvalid(call('preprocess', { image: Buffer.from('not an image'), family: ModelFamily.MODEL_FAMILY_LLAVA, minTiles: 0, maxTiles: 0 }), 'image');
    const outside: Segmentation = { kind: { $case: 'polygons', value: { polygons: [{ xy: [10, 10, 900, 10, 10, 50] }] } } };
    await expectInvalid(call('project', { grid: llavaGrid, segmentation: outside, paddings: [0] }), 'segmentation.polygons.polygons[0]');
    await expectInvalid(call('selectRandom', { grid: llavaGrid, k: 577, seed: 0, exclude: [] }), 'k');
    await expectInvalid(call('project', { grid: llavaGrid, segmentation: polygons, paddings: [99] }), 'paddings[0]');
    await expectInvalid(call('project', { grid: { ...llavaGrid, family: ModelFamily.MODEL_FAMILY_UNSPECIFIED }, segmentation: polygons, paddings: [] }), 'grid.family');
    await expectInvalid(call('project', { grid: llavaGrid, segmentation: { kind: { $case: 'rleCounts', value: '~~' } }, paddings: [] }), 'segmentation.rle_counts');
    await expectInvalid(call('selectTopK', { scores: float32Tensor(new Float32Array([1, 2]), [2]), k: 3 }), 'k');
    await expectInvalid(call('convertBox', { family: ModelFamily.MODEL_FAMILY_LLAVA, width: 0, height: 480, box: { x0: 0, y0: 0, x1: 1, y1: 1 }, from: BoxSpace.BOX_SPACE_PIXELS, to: BoxSpace.BOX_SPACE_MODEL }), 'image.width');
    await expectInvalid(call('filterDataset', { cocoJson: Buffer.from('{"images": 3}') }), 'coco_json');
    await expectInvalid(call('containerize', { grid: llavaGrid, segmentation: polygons, padding: -1, seed: 0 }), 'padding');
  });
});
