// Issue 13 against the masks service over a socket: requests whose cost would exhaust the pod
// (a 100k-vertex polygon zigzagging across a 7000² image: billions of outline points, which
// killed the process with V8's "invalid size error"; a 7000² InternVL grid of 65 views × 256²
// cells with 33 paddings: a ~0.5 GB response) are priced and refused before any work, naming
// the field and the limit, while health keeps answering and memory stays bounded.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { float32Tensor } from '@locscope/proto';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import { MasksClient, type GridSpec, type ProjectRequest, type ProjectResponse, type SelectTopKResponse } from '@locscope/proto/v1/masks';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import { watchHealth } from '@locscope/server-kit/health-watch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outlineTraceLength } from '../coco/polygon.ts';
import { DEFAULT_MASKS_LIMITS } from './limits.ts';
import { startMasksServer } from './service.ts';

/** Resident memory the test process may have after the hostile requests (vitest itself included). */
const RSS_BOUND_BYTES = 1.5 * 1024 ** 3;

let server: RunningServer;
let client: MasksClient;

beforeAll(async () => {
  server = await startMasksServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024 * 1024, shutdownGraceMs: 1000 }, { logger: createLogger({ level: 'silent' }) });
  client = new MasksClient(server.address, credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
});

function project(request: ProjectRequest): Promise<ProjectResponse> {
  return new Promise((resolve, reject) => client.project(request, (error: ServiceError | null, response) => (error ? reject(error) : resolve(response))));
}

async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: ServiceError) => e,
  );
  expect(error, 'expected the request to be refused').toBeDefined();
  return error!;
}

const SIDE = 7000;
const grid: GridSpec = { family: ModelFamily.MODEL_FAMILY_LLAVA, width: SIDE, height: SIDE, minTiles: 0, maxTiles: 0, llavaGridSize: 0, internvlViewGridSize: 0 };
/** 100k vertices alternating between the left and right edge, rising a little each time. */
const zigzag = Array.from({ length: 100_000 }, (_, i) => [i % 2 === 0 ? 0 : SIDE, (i * SIDE) / 100_000]).flat();
const small = [100, 100, 300, 100, 300, 300, 100, 300];
const polygons = (xy: number[]) => ({ kind: { $case: 'polygons' as const, value: { polygons: [{ xy }] } } });

describe('outlineTraceLength', () => {
  it('counts one lattice point per step along each edge (pycocotools rleFrPoly: m = Σ max(|dx|, |dy|) + 1 at 5×)', () => {
    // A 10-pixel square: four edges of 50 lattice steps, 51 points each.
    expect(outlineTraceLength([0, 0, 10, 0, 10, 10, 0, 10])).toBe(204);
    expect(outlineTraceLength(zigzag)).toBeGreaterThan(3e9);
  });
});

describe('Masks under hostile requests', () => {
  it('refuses what would exhaust the pod, naming the field and the limit, while health answers and memory stays bounded', { timeout: 120_000 }, async () => {
    const watch = watchHealth(server.address);
    const outline = await refusal(project({ grid, segmentation: polygons(zigzag), paddings: [0] }));
    expect(outline.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(outline.details).toMatch(/^segmentation\.polygons: .*exceeds the server's limit of 4000000 \(max-outline-points\)/);

    const internvl: GridSpec = { ...grid, family: ModelFamily.MODEL_FAMILY_INTERNVL, maxTiles: 64, internvlViewGridSize: 256 };
    const paddings = Array.from({ length: 33 }, (_, i) => i - 16);
    const huge = await refusal(project({ grid: internvl, segmentation: polygons(small), paddings }));
    expect(huge.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(huge.details).toMatch(/^paddings: .*exceeds the server's limit of \d+ \(max-(cell-visits|response-bytes)\)/);

    // The same image on the model's real grid, with every padding, is served.
    const served = await project({ grid: { ...internvl, maxTiles: 12, internvlViewGridSize: 0 }, segmentation: polygons(small), paddings });
    expect(served.tokens).toHaveLength(33);
    expect(served.area).toBe(200 * 200);

    // A polygon just under the outline limit is rasterized and answered.
    const steps = Math.floor(DEFAULT_MASKS_LIMITS.maxOutlinePoints / (5 * SIDE + 1)) - 1;
    const longest = Array.from({ length: steps }, (_, i) => [i % 2 === 0 ? 0 : SIDE, (i * SIDE) / steps]).flat();
    expect(outlineTraceLength(longest)).toBeLessThanOrEqual(DEFAULT_MASKS_LIMITS.maxOutlinePoints);
    expect((await project({ grid, segmentation: polygons(longest), paddings: [0] })).area).toBeGreaterThan(0);

    const report = await watch.stop();
    console.info(`health: ${report.checks} checks, worst ${report.worstLatencyMs.toFixed(0)} ms`);
    expect(report.failures).toEqual([]);
    expect(report.checks).toBeGreaterThan(0);
    expect(process.memoryUsage().rss).toBeLessThan(RSS_BOUND_BYTES);
  });

  // The cause of a health stall under load (issue 13): the token selections ran on the event loop,
  // and a top-k over millions of scores (16M: 55 s) blocked every health check meanwhile. Now a
  // worker runs them; a kubelet-like probe must be answered within its timeout throughout.
  it('answers health while a top-k over millions of scores runs', { timeout: 300_000 }, async () => {
    const n = 6_000_000;
    const scores = new Float32Array(n).map((_, i) => ((i * 7919) % n) / n);
    // The three highest: the indices whose (i · 7919) mod n is n−1, n−2, n−3.
    const best = [n - 1, n - 2, n - 3].map((r) => scores.findIndex((v) => v === Math.fround(r / n)));
    const watch = watchHealth(server.address);
    const response = await new Promise<SelectTopKResponse>((resolve, reject) =>
      client.selectTopK({ scores: float32Tensor(scores, [n]), k: 3 }, (error: ServiceError | null, r) => (error ? reject(error) : resolve(r!))),
    );
    const report = await watch.stop();
    console.info(`health during top-k: ${report.checks} checks, worst ${report.worstLatencyMs.toFixed(0)} ms`);
    expect(response.indices).toEqual(best);
    expect(report.failures).toEqual([]);
    expect(report.checks).toBeGreaterThan(1);
  });
});
