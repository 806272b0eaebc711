// Fuzzes every locscope.v1.Masks RPC over a real socket: for each method ≥ 1,000 requests —
// messages generated from masks.proto with fields steered around their valid ranges (image sizes,
// tile counts, grid sizes, paddings, k, polygons and RLEs that do and do not fit, wrong tensors,
// unknown enum values, junk images and COCO files) plus undecodable and random bytes. Every
// answer must be a deliberate status (never INTERNAL/UNKNOWN), the server must not crash, and
// it must still report SERVING afterwards.
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { float32Tensor, protoRoot } from '@locscope/proto';
import { MasksService } from '@locscope/proto/v1/masks';
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
  randomBytes,
  RawGrpcClient,
  statusHistogram,
  undecodableBytes,
  unacceptableOutcomes,
} from '@locscope/server-kit/fuzz';
import { watchHealth, type HealthWatchReport } from '@locscope/server-kit/health-watch';
import { checkHealth } from '@locscope/server-kit/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COCO_ANNOTATIONS, COCO_IMAGES, pycocotoolsReference } from '../test-data.ts';
import { MASKS_SERVICE_NAME, startMasksServer } from './service.ts';

/**
 * Per RPC: generated (schema-driven) requests plus raw byte payloads = 1,000 calls (10,000 under
 * `npm run fuzz`); per-test limit generous, as the box is shared.
 */
const BUDGET = fuzzBudget({ generated: 880, undecodable: 60, random: 60, timeoutMs: 300_000 });
const IN_FLIGHT = 4;
const SEED = 20261123;

const root = loadProtoRoot(protoRoot, ['locscope/v1/masks.proto']);
const grpcService = root.lookupService('locscope.v1.Masks');
const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

// ---- fields steered near their valid ranges ---------------------------------------------------

const reference = pycocotoolsReference().masks.slice(0, 8);
const cocoJson = readFileSync(COCO_ANNOTATIONS);
const jpeg = readFileSync(`${COCO_IMAGES}/000000005001.jpg`);

const near = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: -2, max: max + 1 }), weight: 8 }, { arbitrary: fc.constantFrom(-(2 ** 31), 2 ** 31 - 1), weight: 1 });
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 4) => fc.array(arb, { maxLength });
// Image sides: mostly the reference masks' sizes (so their RLEs fit), sometimes degenerate or huge.
const side = fc.oneof(
  { arbitrary: fc.constantFrom(...reference.flatMap((m) => m.size)), weight: 6 },
  { arbitrary: fc.integer({ min: 1, max: 1200 }), weight: 3 },
  { arbitrary: fc.constantFrom(0, -1, 1, 9000, 100_000, 2 ** 31 - 1), weight: 1 },
);
const coordinate = fc.oneof({ arbitrary: fc.double({ min: -5, max: 700, noNaN: true }), weight: 8 }, { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e300), weight: 1 });
const rleAlphabet = fc.constantFrom(...Array.from({ length: 64 }, (_, i) => String.fromCharCode(48 + i)));
const floatVector = fc.array(fc.float({ noDefaultInfinity: false }), { maxLength: 40 }).map((v) => float32Tensor(Float32Array.from(v), [v.length]));
const tensorArbitrary = messageArbitrary(root.lookupType('locscope.v1.Tensor'));

const cocoLike = fc
  .record(
    {
      images: list(fc.record({ id: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.string()), width: side, height: side, file_name: fc.string() }, { requiredKeys: [] }), 3),
      annotations: list(
        fc.record(
          {
            id: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(null)),
            image_id: fc.integer({ min: 0, max: 5 }),
            category_id: fc.integer({ min: 0, max: 3 }),
            iscrowd: fc.constantFrom(0, 1, 2, '0'),
            area: fc.oneof(fc.double(), fc.constant(-1)),
            bbox: list(coordinate, 5),
            segmentation: fc.oneof(list(list(coordinate, 8), 2), fc.record({ size: list(side, 3), counts: fc.oneof(fc.string({ unit: rleAlphabet }), list(fc.integer({ min: -1, max: 500 }), 6)) })),
          },
          { requiredKeys: [] },
        ),
        4,
      ),
      categories: list(fc.record({ id: fc.integer({ min: 0, max: 3 }), name: fc.string() }, { requiredKeys: [] }), 2),
    },
    { requiredKeys: [] },
  )
  .map((o) => Buffer.from(JSON.stringify(o)));

const overrides: Record<string, fc.Arbitrary<unknown>> = {
  width: side,
  height: side,
  minTiles: near(13),
  maxTiles: near(13),
  // Preprocess answers full-size tiles (up to 65 views of 448² floats): keep most of its requests
  // to a few tiles so the valid ones stay cheap, with the far ones still present.
  'PreprocessRequest.minTiles': fc.oneof({ arbitrary: fc.integer({ min: 0, max: 2 }), weight: 8 }, { arbitrary: near(65), weight: 1 }),
  'PreprocessRequest.maxTiles': fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 8 }, { arbitrary: near(65), weight: 1 }),
  llavaGridSize: fc.oneof(fc.constant(0), near(300)),
  internvlViewGridSize: fc.oneof(fc.constant(0), near(300)),
  // A decodable image makes Preprocess answer megabytes of pixels; most of its requests get junk.
  image: fc.oneof({ arbitrary: imageBytesArbitrary([jpeg]), weight: 1 }, { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 5 }, { arbitrary: fc.constant(new Uint8Array()), weight: 1 }),
  xy: list(coordinate, 12),
  rleCounts: fc.oneof(fc.constantFrom(...reference.map((m) => m.counts)), fc.string({ unit: rleAlphabet, maxLength: 40 }), fc.string({ maxLength: 8 })),
  counts: list(fc.oneof(fc.integer({ min: -2, max: 400_000 }), fc.constantFrom('9007199254740993', '-9223372036854775808')), 6),
  paddings: list(near(4)),
  padding: near(4),
  k: near(600),
  exclude: list(near(600)),
  norms: fc.oneof(floatVector, tensorArbitrary),
  scores: fc.oneof(floatVector, tensorArbitrary),
  cocoJson: fc.oneof(
    { arbitrary: fc.constant(cocoJson), weight: 1 },
    { arbitrary: fc.nat({ max: cocoJson.length - 1 }).map((n) => cocoJson.subarray(0, n)), weight: 1 },
    { arbitrary: cocoLike, weight: 6 },
    { arbitrary: fc.json({ maxDepth: 3 }).map((j) => Buffer.from(j)), weight: 2 },
    { arbitrary: fc.uint8Array({ maxLength: 32 }), weight: 1 },
  ),
};

// ---- server -----------------------------------------------------------------------------------

let server: RunningServer;
let client: RawGrpcClient;
let health: { stop(): Promise<HealthWatchReport> };
const tally = new FuzzTally();

beforeAll(async () => {
  server = await startMasksServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024 * 1024, shutdownGraceMs: 1000 },
    { logger: createLogger({ level: 'silent' }) },
  );
  client = new RawGrpcClient(server.address, MasksService);
  health = watchHealth(server.address);
});

afterAll(async () => {
  console.info(tally.summary('masks', await health.stop()));
  client?.close();
  await server?.shutdown();
});

describe('Masks service under fuzzing', () => {
  it('covers every RPC of the service definition', () => {
    expect(grpcService.methodsArray.map((m) => lowerFirst(m.name)).sort()).toEqual(Object.keys(MasksService).sort());
  });

  for (const method of grpcService.methodsArray) {
    it(`${method.name}: generated requests get deliberate statuses, never INTERNAL/UNKNOWN`, { timeout: BUDGET.timeoutMs }, async () => {
      const type = root.lookupType(method.resolvedRequestType!.fullName);
      const requests = fc.sample(messageArbitrary(type, { overrides }), { numRuns: BUDGET.generated, seed: SEED });
      const results = await fuzzMethod(client, lowerFirst(method.name), requests, (r) => encodeMessage(type, r), IN_FLIGHT);
      tally.add(results);
      expect(unacceptableOutcomes(results)).toEqual([]);
      console.info(`${method.name}: ${statusHistogram(results)}`);
      // Some requests get through validation, others fail it.
      const codes = new Set(results.map((r) => r.outcome.code));
      expect(codes.has(status.OK)).toBe(true);
      expect(codes.size).toBeGreaterThan(1);
    });

    it(`${method.name}: undecodable and random bytes get INVALID_ARGUMENT or a deliberate status`, { timeout: BUDGET.timeoutMs }, async () => {
      const name = lowerFirst(method.name);
      const bad = await fuzzMethod(client, name, fc.sample(undecodableBytes(), { numRuns: BUDGET.undecodable, seed: SEED }), (b) => b, IN_FLIGHT);
      tally.add(bad);
      expect(bad.filter((r) => r.outcome.code !== status.INVALID_ARGUMENT || !r.outcome.details.startsWith('request:')).map((r) => describeOutcome(r.outcome))).toEqual([]);
      const random = await fuzzMethod(client, name, fc.sample(randomBytes(), { numRuns: BUDGET.random, seed: SEED }), (b) => b, IN_FLIGHT);
      tally.add(random);
      expect(unacceptableOutcomes(random)).toEqual([]);
    });
  }

  it('still reports SERVING afterwards', async () => {
    expect(await checkHealth(server.address, MASKS_SERVICE_NAME)).toBe('SERVING');
  });
});
