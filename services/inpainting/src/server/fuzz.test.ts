// Fuzzes locscope.v1.Inpainting/Remove over a real socket with requests generated from
// inpainting.proto, steered around the valid ranges (junk and bomb images, masks of other sizes
// and dtypes, unknown methods, negative or huge margins and radii), plus undecodable bytes.
// Every answer must be a deliberate status, never INTERNAL/UNKNOWN, and the server must stay up.
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoRoot } from '@locscope/proto';
import { InpaintingService } from '@locscope/proto/v1/inpainting';
import { DType } from '@locscope/proto/v1/tensor';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import {
  describeOutcome,
  encodeMessage,
  fuzzBudget,
  FuzzTally,
  fuzzMethod,
  imageBytesArbitrary,
  loadProtoRoot,
  messageArbitrary,
  RawGrpcClient,
  undecodableBytes,
  unacceptableOutcomes,
} from '@locscope/server-kit/fuzz';
import { watchHealth, type HealthWatchReport } from '@locscope/server-kit/health-watch';
import { checkHealth } from '@locscope/server-kit/testing';
import { COCO_IMAGES, cv2Cases } from '../test-data.ts';
import { INPAINTING_SERVICE_NAME } from './service.ts';
import { startInpaintingServer, type StartedInpainting } from './start.ts';

/** Remove calls: generated requests and undecodable bytes (10,000 in all under `npm run fuzz`). */
const BUDGET = fuzzBudget({ generated: 150, undecodable: 40, random: 0, timeoutMs: 120_000 });
const IN_FLIGHT = 2;
const SEED = 20261123;
/** Small real images keep the requests that do inpaint cheap. */
const WIDTH = 48;
const HEIGHT = 32;

const root = loadProtoRoot(protoRoot, ['locscope/v1/inpainting.proto']);
const requestType = root.lookupType('locscope.v1.RemoveRequest');

let started: StartedInpainting;
let server: RunningServer;
let client: RawGrpcClient;
let images: Uint8Array[] = [];
let masks: Uint8Array[] = [];
let health: { stop(): Promise<HealthWatchReport> };
const tally = new FuzzTally();

beforeAll(async () => {
  started = await startInpaintingServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 4 * 1024 * 1024, shutdownGraceMs: 1000 }, undefined, createLogger({ level: 'silent' }));
  server = started.server;
  client = new RawGrpcClient(server.address, InpaintingService, { deadlineMs: 30_000 });
  const photo = sharp(`${COCO_IMAGES}/${cv2Cases()[0].image}`).resize(WIDTH, HEIGHT, { fit: 'fill' });
  images = [await photo.clone().png().toBuffer(), await photo.clone().jpeg().toBuffer()];
  const disc = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><circle cx="20" cy="15" r="6" fill="white"/></svg>`);
  masks = [await sharp(disc).png().toBuffer(), await sharp(Buffer.alloc(WIDTH * HEIGHT), { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer()];
  health = watchHealth(server.address);
});

afterAll(async () => {
  console.info(tally.summary('inpainting', await health.stop()));
  client?.close();
  await started?.shutdown();
});

const maskTensor = fc.record({
  dtype: fc.constantFrom(DType.D_TYPE_UINT8, DType.D_TYPE_UINT8, DType.D_TYPE_BOOL, DType.D_TYPE_FLOAT32, 42),
  shape: fc.oneof(fc.constant([HEIGHT, WIDTH]), fc.constant([WIDTH, HEIGHT]), fc.array(fc.integer({ min: -2, max: 64 }), { maxLength: 3 })),
  data: fc.oneof(
    fc.uint8Array({ minLength: WIDTH * HEIGHT, maxLength: WIDTH * HEIGHT }).map((b) => b.map((v) => (v > 240 ? 1 : 0))),
    fc.uint8Array({ maxLength: 64 }),
  ),
});

/** Field arbitraries (built once the real images exist), keyed by protobufjs' camelCase names. */
function overrides() {
  return {
    image: fc.oneof({ arbitrary: fc.constantFrom(...images), weight: 2 }, { arbitrary: imageBytesArbitrary(images), weight: 1 }),
    maskImage: fc.oneof({ arbitrary: fc.constantFrom(...masks), weight: 2 }, { arbitrary: imageBytesArbitrary(masks), weight: 1 }),
    maskTensor,
    method: fc.integer({ min: -1, max: 5 }),
    dilatePx: fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 513)),
    radius: fc.oneof(fc.double({ min: -2, max: 8, noNaN: true }), fc.constantFrom(0, Number.NaN, Infinity, -Infinity, 1e9)),
  };
}

describe('Inpainting service under fuzzing', () => {
  it('answers generated Remove requests with deliberate statuses, some OK, never INTERNAL', { timeout: BUDGET.timeoutMs }, async () => {
    const requests = fc.sample(messageArbitrary(requestType, { overrides: overrides() }), { numRuns: BUDGET.generated, seed: SEED });
    const results = await fuzzMethod(client, 'remove', requests, (r) => encodeMessage(requestType, r), IN_FLIGHT);
    tally.add(results);
    expect(unacceptableOutcomes(results)).toEqual([]);
    const codes = new Set(results.map((r) => r.outcome.code));
    expect(codes.has(status.OK)).toBe(true);
    expect(codes.has(status.INVALID_ARGUMENT)).toBe(true);
  });

  it('answers undecodable bytes with INVALID_ARGUMENT naming the request', { timeout: BUDGET.timeoutMs }, async () => {
    const bad = await fuzzMethod(client, 'remove', fc.sample(undecodableBytes(), { numRuns: BUDGET.undecodable, seed: SEED }), (b) => b, IN_FLIGHT);
    tally.add(bad);
    expect(bad.filter((r) => r.outcome.code !== status.INVALID_ARGUMENT || !r.outcome.details.startsWith('request:')).map((r) => describeOutcome(r.outcome))).toEqual([]);
  });

  it('still reports SERVING afterwards', async () => {
    expect(await checkHealth(server.address, INPAINTING_SERVICE_NAME)).toBe('SERVING');
  });
});
