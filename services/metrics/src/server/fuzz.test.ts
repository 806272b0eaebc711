// Fuzzes every locscope.v1.Metrics RPC over a real socket: for each method ≥ 1,000 requests —
// messages generated from metrics.proto with fields steered around their valid ranges (box answers
// that parse and do not, boxes and thresholds, log-prob and mask tensors that agree and disagree,
// bootstrap sizes up to and past the limits, probe features consistent with their grid and not,
// session ids that exist and do not, unknown enum values) plus undecodable and random bytes. Every
// answer must be a deliberate status (never INTERNAL/UNKNOWN), the server must not crash, and it
// must still report SERVING afterwards.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { float32Tensor, protoRoot, uint8Tensor } from '@locscope/proto';
import { MetricsClient, MetricsService } from '@locscope/proto/v1/metrics';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import {
  describeOutcome,
  encodeMessage,
  fuzzBudget,
  FuzzTally,
  fuzzMethod,
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
import { DEFAULT_METRICS_LIMITS } from './limits.ts';
import { METRICS_SERVICE_NAME, startMetricsServer } from './metrics-service.ts';

/**
 * Per RPC: generated (schema-driven) requests plus raw byte payloads = 1,000 calls (10,000 under
 * `npm run fuzz`); per-test limit generous, as the box is shared.
 */
const BUDGET = fuzzBudget({ generated: 880, undecodable: 60, random: 60, timeoutMs: 300_000 });
const IN_FLIGHT = 4;
const SEED = 20261205;

const root = loadProtoRoot(protoRoot, ['locscope/v1/metrics.proto']);
const grpcService = root.lookupService('locscope.v1.Metrics');
const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

// ---- fields steered near their valid ranges ---------------------------------------------------

const INT32_EDGES = [-(2 ** 31), 2 ** 31 - 1];
const near = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: -2, max: max + 1 }), weight: 8 }, { arbitrary: fc.constantFrom(...INT32_EDGES), weight: 1 });
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 4) => fc.array(arb, { maxLength });
const oddDouble = fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e300, -1e300);
const unit = fc.oneof({ arbitrary: fc.double({ min: 0, max: 1, noNaN: true }), weight: 8 }, { arbitrary: fc.double({ min: -2, max: 3, noNaN: true }), weight: 2 }, { arbitrary: oddDouble, weight: 1 });
const coordinate = fc.oneof({ arbitrary: fc.double({ min: -5, max: 700, noNaN: true }), weight: 8 }, { arbitrary: oddDouble, weight: 1 });
const tensorArbitrary = messageArbitrary(root.lookupType('locscope.v1.Tensor'));
/** A float32 tensor of `shape` (values in [min, max], sometimes NaN/±∞), or a generic (mostly malformed) one. */
const floats = (shape: number[], min = -10, max = 10) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const value = fc.oneof({ arbitrary: fc.float({ min, max, noNaN: true }), weight: 20 }, { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity), weight: 1 });
  return fc.oneof(
    { arbitrary: fc.array(value, { minLength: n, maxLength: n }).map((v) => float32Tensor(Float32Array.from(v), shape)), weight: 8 },
    { arbitrary: tensorArbitrary, weight: 1 },
  );
};

// Box answers as the two families write them, and text that only looks like them.
const boxText = fc.oneof(
  fc.tuple(coordinate, coordinate, coordinate, coordinate).map((b) => `[${b.map((v) => v.toFixed(2)).join(', ')}]`),
  fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000)).map((b) => `<box>[[${b.join(', ')}]]</box>`),
  fc.constantFrom('', 'I cannot tell.', 'There is no cat.', '[0.1, 0.2, 0.3]', '[[1, 2, 3, 4], [5, 6, 7, 8]]', 'yes', 'no', 'cat, dog'),
  fc.string({ maxLength: 40 }),
);
const side = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 1200 }), weight: 8 }, { arbitrary: fc.constantFrom(0, -1, ...INT32_EDGES), weight: 1 });

// Perplexity: log-probs with a mask and tokens of the same length, sometimes of another length.
const sequence = fc.integer({ min: 0, max: 8 }).chain((n) =>
  fc.record({
    logProbs: floats([n], -20, 0),
    mask: fc.oneof(fc.constant(undefined), fc.uint8Array({ minLength: n, maxLength: n }).map((m) => uint8Tensor(m.map((v) => v & 1), [n])), tensorArbitrary),
    tokens: fc.oneof(fc.array(fc.constantFrom('[', '0', '.', '1', ',', ' ', ']', 'cat', 'yes'), { minLength: n, maxLength: n }), list(fc.string({ maxLength: 4 }))),
    maskKind: fc.integer({ min: -1, max: 5 }),
  }),
);

// MediationFraction: base and source [pairs], patched [pairs, layers, heads].
const mediation = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).chain(([p, l, h]) =>
  fc.record({ base: floats([p]), source: floats([p]), patched: floats([p, l, h]), minGap: fc.oneof(fc.constant(undefined), unit) }),
);

// HeadRankingOverlap: two [layers, heads] score tensors and k around their size.
const overlap = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).chain(([l, h]) =>
  fc.record({ scoresA: floats([l, h]), scoresB: fc.oneof(floats([l, h]), floats([h + 1])), k: list(near(l * h)) }),
);

// Probes on a 3×3 grid with 4 features per token (the sessions created below have this shape).
const PROBE = { dim: 4, gridRows: 3, gridCols: 3 };
const probeFeatures = fc.integer({ min: 1, max: 24 }).chain((n) =>
  fc.record({
    features: fc.oneof({ arbitrary: floats([n, PROBE.dim]), weight: 6 }, { arbitrary: floats([n, PROBE.dim + 1]), weight: 1 }, { arbitrary: floats([n]), weight: 1 }),
    rows: fc.oneof({ arbitrary: fc.array(fc.nat(PROBE.gridRows - 1), { minLength: n, maxLength: n }), weight: 6 }, { arbitrary: list(near(PROBE.gridRows), n + 1), weight: 1 }),
    cols: fc.oneof({ arbitrary: fc.array(fc.nat(PROBE.gridCols - 1), { minLength: n, maxLength: n }), weight: 6 }, { arbitrary: list(near(PROBE.gridCols), n + 1), weight: 1 }),
    groups: fc.oneof(fc.constant([]), fc.array(fc.nat(3), { minLength: n, maxLength: n }), list(near(4))),
  }),
);
const gridSide = (valid: number) => fc.oneof({ arbitrary: fc.constant(valid), weight: 6 }, { arbitrary: near(300), weight: 1 });

/** Ids of sessions the suite creates (and feeds) before fuzzing, so some session calls find one. */
const sessionIds: string[] = [];

const overrides: Record<string, fc.Arbitrary<unknown>> = {
  family: fc.integer({ min: -1, max: 3 }),
  'BoxAnswer.answer': boxText,
  'ClassificationAnswer.answer': fc.oneof(boxText, fc.constantFrom('Yes', 'no.', 'a cat and a dog')),
  className: fc.oneof(fc.constantFrom('cat', 'dog', 'traffic light', ''), fc.string({ maxLength: 8 })),
  width: side,
  height: side,
  coordinateTolerance: fc.oneof(fc.constant(undefined), unit),
  gtBbox: fc.oneof({ arbitrary: fc.array(coordinate, { minLength: 4, maxLength: 4 }), weight: 6 }, { arbitrary: list(coordinate, 6), weight: 1 }),
  iouThresholds: list(unit),
  sequences: list(sequence, 3),
  values: fc.oneof({ arbitrary: list(unit, 12), weight: 8 }, { arbitrary: list(fc.double(), 4), weight: 1 }),
  groupKeys: list(fc.constantFrom('a', 'b', ''), 12),
  objectAreas: list(fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), oddDouble), 12),
  resamples: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 2 },
    { arbitrary: fc.integer({ min: -1, max: 200 }), weight: 6 },
    { arbitrary: fc.constantFrom(DEFAULT_METRICS_LIMITS.maxResamples, DEFAULT_METRICS_LIMITS.maxResamples + 1, ...INT32_EDGES), weight: 1 },
  ),
  confidence: fc.oneof(fc.constant(undefined), unit),
  curve: list(fc.record({ removed: unit, accuracy: unit }), 6),
  gridRows: gridSide(PROBE.gridRows),
  gridCols: gridSide(PROBE.gridCols),
  dim: fc.oneof({ arbitrary: fc.constant(PROBE.dim), weight: 6 }, { arbitrary: near(20_000), weight: 1 }),
  'TrainPositionProbeRequest.data': probeFeatures,
  'AppendProbeFeaturesRequest.data': probeFeatures,
  epochs: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 3 }), fc.constantFrom(DEFAULT_METRICS_LIMITS.maxProbeEpochs + 1, ...INT32_EDGES)),
  batchSize: fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 64 }), fc.constantFrom(...INT32_EDGES)),
  learningRate: fc.oneof(fc.constant(undefined), unit),
  heldOutFraction: fc.oneof(fc.constant(undefined), unit),
  sessionId: fc.oneof(
    { arbitrary: fc.constant(null).map(() => sessionIds[0]), weight: 3 },
    { arbitrary: fc.constant(null).map(() => sessionIds[1]), weight: 3 },
    { arbitrary: fc.constantFrom('', '00000000-0000-0000-0000-000000000000', '../../etc/passwd'), weight: 1 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  ),
};

// MediationFraction and HeadRankingOverlap need their tensors to agree, so whole requests are drawn.
const requestArbitraries: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  MediationFraction: fc.oneof({ arbitrary: mediation, weight: 4 }, { arbitrary: messageArbitrary(root.lookupType('locscope.v1.MediationFractionRequest'), { overrides }), weight: 1 }),
  HeadRankingOverlap: fc.oneof({ arbitrary: overlap, weight: 4 }, { arbitrary: messageArbitrary(root.lookupType('locscope.v1.HeadRankingOverlapRequest'), { overrides }), weight: 1 }),
};

// ---- server -----------------------------------------------------------------------------------

let server: RunningServer;
let client: RawGrpcClient;
let health: { stop(): Promise<HealthWatchReport> };
const tally = new FuzzTally();

beforeAll(async () => {
  server = await startMetricsServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 }, createLogger({ level: 'silent' }));
  client = new RawGrpcClient(server.address, MetricsService);
  // Two sessions with every grid position seen twice, in two groups, so that training them can succeed.
  const typed = new MetricsClient(server.address, credentials.createInsecure());
  const call = <T>(method: 'createProbeSession' | 'appendProbeFeatures', request: object) =>
    new Promise<T>((resolve, reject) => (typed[method] as Function).call(typed, request, (e: ServiceError | null, r: T) => (e ? reject(e) : resolve(r))));
  const cells = PROBE.gridRows * PROBE.gridCols;
  const data = {
    features: float32Tensor(Float32Array.from({ length: 2 * cells * PROBE.dim }, (_, i) => Math.sin(i)), [2 * cells, PROBE.dim]),
    rows: Array.from({ length: 2 * cells }, (_, i) => Math.floor((i % cells) / PROBE.gridCols)),
    cols: Array.from({ length: 2 * cells }, (_, i) => i % PROBE.gridCols),
    groups: Array.from({ length: 2 * cells }, (_, i) => Math.floor(i / cells)),
  };
  for (let i = 0; i < 2; i++) {
    const { sessionId } = await call<{ sessionId: string }>('createProbeSession', PROBE);
    await call('appendProbeFeatures', { sessionId, data });
    sessionIds.push(sessionId);
  }
  typed.close();
  health = watchHealth(server.address);
});

afterAll(async () => {
  console.info(tally.summary('metrics', await health.stop()));
  client?.close();
  await server?.shutdown();
});

describe('Metrics service under fuzzing', () => {
  it('covers every RPC of the service definition', () => {
    expect(grpcService.methodsArray.map((m) => lowerFirst(m.name)).sort()).toEqual(Object.keys(MetricsService).sort());
  });

  for (const method of grpcService.methodsArray) {
    it(`${method.name}: generated requests get deliberate statuses, never INTERNAL/UNKNOWN`, { timeout: BUDGET.timeoutMs }, async () => {
      const type = root.lookupType(method.resolvedRequestType!.fullName);
      const arbitrary = requestArbitraries[method.name] ?? messageArbitrary(type, { overrides });
      const requests = fc.sample(arbitrary, { numRuns: BUDGET.generated, seed: SEED });
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
    expect(await checkHealth(server.address, METRICS_SERVICE_NAME)).toBe('SERVING');
  });
});
