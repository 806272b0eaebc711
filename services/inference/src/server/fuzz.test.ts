// Fuzzes every locscope.v1.Inference RPC over a real socket: for each method ≥ 1,000 requests —
// messages generated from inference.proto with fields steered around their valid ranges
// (out-of-range layers/heads/positions/views, huge and negative numbers, wrong tensors, unknown
// enum values, unset oneofs, junk images, too many variants) plus undecodable and random bytes.
// Every answer must be a deliberate status (never INTERNAL/UNKNOWN), the server must not crash,
// and it must still report SERVING afterwards. Valid requests are kept cheap (tiny models, few
// variants and tokens) so the forwards that do run stay a small share of the time.
import { status } from '@grpc/grpc-js';
import { float32Tensor, protoRoot } from '@locscope/proto';
import { InferenceService, TextSpan } from '@locscope/proto/v1/inference';
import { DType } from '@locscope/proto/v1/tensor';
import { createLogger, tokenSha256 } from '@locscope/server-kit';
import {
  describeOutcome,
  encodeMessage,
  fuzzBudget,
  fuzzMethod,
  FuzzTally,
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
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, INTERNVL_TINY, rewriteCheckpoint, scratchDir, testTokenizerJson } from '../checkpoint/test-support.ts';
import { writeTinyLlava } from './test-support.ts';
import { INFERENCE_SERVICE_NAME, startInferenceServer, type StartedInference } from './inference-service.ts';

/**
 * Per RPC: generated (schema-driven) requests plus raw byte payloads = 1,000 calls (10,000 under
 * `npm run fuzz`); per-test limit generous, as the box is shared (the whole file takes ~1–2 min
 * on an idle one at 1,000).
 */
const BUDGET = fuzzBudget({ generated: 880, undecodable: 60, random: 60, timeoutMs: 300_000 });
/** Calls in flight at once: enough to keep the admission queue busy, not enough to overflow it. */
const IN_FLIGHT = 6;
const SEED = 20261123;

const scratch = scratchDir('inference-fuzz');
const FUZZ_TOKEN = 'fuzz-token';
const root = loadProtoRoot(protoRoot, ['locscope/v1/inference.proto']);
const grpcService = root.lookupService('locscope.v1.Inference');

// ---- models ---------------------------------------------------------------------------------

// The InternVL-HF chat template shape (an image part renders the context token as its placeholder).
const INTERNVL_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}{% if message['content'] is string %}{{ message['content'] }}{% else %}" +
  "{% for content in message['content'] %}{% if content['type'] == 'image' %}{{ '<IMG_CONTEXT>\\n' }}{% elif content['type'] == 'text' %}{{ content['text'] }}{% endif %}{% endfor %}{% endif %}" +
  "{{'<|im_end|>\\n'}}{% endfor %}{% if add_generation_prompt %}{{'<|im_start|>assistant\\n' }}{% endif %}";

function llavaDir(): string {
  const dir = join(scratch.dir, 'llava-tiny');
  writeTinyLlava(dir);
  return dir;
}

function internvlDir(): string {
  const dir = join(scratch.dir, 'internvl-tiny');
  rewriteCheckpoint(INTERNVL_TINY, dir);
  // Qwen-like (no metaspace, no BOS); character ids start at 400 to fit the 640-token vocabulary.
  const added = { 612: '<IMG_CONTEXT>', 613: '<img>', 614: '</img>', 620: '<|im_start|>', 621: '<|im_end|>', 630: '<|endoftext|>' };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(testTokenizerJson({ added, words: ['user', 'assistant', 'cat'], metaspace: false, firstId: 400 })));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<|im_end|>', chat_template: INTERNVL_CHAT_TEMPLATE }));
  return dir;
}

// ---- images ---------------------------------------------------------------------------------

// A real photo (300×500 PNG).
const photo = readFileSync(join(HF_PARITY_DIR, 'preprocess/portrait_300x500.png'));
const pixelsOf = (views: number, side: number, fill = 0.25) => float32Tensor(new Float32Array(views * 3 * side * side).fill(fill), [views, 3, side, side]);
const tensorArbitrary = messageArbitrary(root.lookupType('locscope.v1.Tensor'));

const imageArbitrary = fc.record(
  {
    source: fc.oneof(
      { arbitrary: imageBytesArbitrary([photo]).map((encoded) => ({ encoded })), weight: 6 },
      { arbitrary: fc.constantFrom({ pixelValues: pixelsOf(1, 112) }, { pixelValues: pixelsOf(2, 64) }, { pixelValues: pixelsOf(1, 64, NaN) }), weight: 3 },
      { arbitrary: fc.constant({}), weight: 1 },
      { arbitrary: tensorArbitrary.map((t) => ({ pixelValues: t })), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          { pixelValues: { dtype: DType.D_TYPE_FLOAT32, shape: [1, 3, 112, 112], data: new Uint8Array(12) } },
          { pixelValues: { dtype: DType.D_TYPE_FLOAT16, shape: [1, 3, 112, 112], data: new Uint8Array(2 * 3 * 112 * 112) } },
          { pixelValues: { dtype: DType.D_TYPE_FLOAT32, shape: [0, 3, 112, 112], data: new Uint8Array() } },
          { pixelValues: { dtype: DType.D_TYPE_FLOAT32, shape: ['4611686018427387904', '4611686018427387904', 3, 1], data: new Uint8Array(8) } },
          { pixelValues: { dtype: DType.D_TYPE_FLOAT32, shape: [65536, 65536, 3, 112], data: new Uint8Array(4) } },
          { pixelValues: { dtype: DType.D_TYPE_FLOAT32, shape: ['-1', 3, 112, 112], data: new Uint8Array(4) } },
        ),
        weight: 1,
      },
    ),
    maxTiles: fc.oneof(fc.integer({ min: -1, max: 8 }), fc.constantFrom(0, 64, 65, 2 ** 31 - 1, -(2 ** 31))),
  },
  { requiredKeys: ['source'] },
).map(({ source, ...rest }) => ({ ...source, ...rest }));

// ---- fields steered near their valid ranges ---------------------------------------------------

/** Mostly in or just outside [0, max), sometimes far out. */
const near = (max: number) => fc.oneof({ arbitrary: fc.integer({ min: -2, max: max + 1 }), weight: 8 }, { arbitrary: fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 1_000_000), weight: 1 });
const list = <T>(arb: fc.Arbitrary<T>, maxLength = 4) => fc.array(arb, { maxLength });
const text = (...typical: string[]) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...typical), weight: 6 },
    { arbitrary: fc.string({ maxLength: 24 }), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }), weight: 1 },
    { arbitrary: fc.constantFrom('x'.repeat(20_000), '🐈'.repeat(500)), weight: 1 },
  );

const positionsArbitrary = messageArbitrary(root.lookupType('locscope.v1.Positions'), {
  overrides: { explicit: fc.array(fc.integer({ min: -2, max: 101 }), { maxLength: 4 }), flat: fc.array(fc.integer({ min: -2, max: 71 }), { maxLength: 4 }) },
});

// llava-tiny: 3 layers × 4 heads × 16 dims, 64 visual tokens on an 8×8 grid, about 85 positions.
const SEQ = 100;
const overrides: Record<string, fc.Arbitrary<unknown>> = {
  model: fc.oneof({ arbitrary: fc.constantFrom('tiny', 'internvl'), weight: 12 }, { arbitrary: fc.constantFrom('', 'nope', '../tiny', 'TINY'), weight: 1 }),
  image: imageArbitrary,
  baseImage: imageArbitrary,
  sourceImage: imageArbitrary,
  images: list(imageArbitrary, 3),
  prompt: text('Where is the cat?', 'cat', ''),
  target: text('[0.12, 0.5, 0.9, 0.75]', 'yes', ''),
  layer: near(4),
  head: near(5),
  layers: list(near(4)),
  flat: list(near(70)),
  dst: list(near(70)),
  src: list(near(70)),
  explicit: list(near(SEQ)),
  view: near(3),
  row: near(9),
  col: near(9),
  maxNewTokens: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 6 }, { arbitrary: fc.constantFrom(0, -1, 257, 2 ** 31 - 1), weight: 1 }),
  stop: list(fc.constantFrom('', '.', 'cat', '\n'), 2),
  mask: list(fc.boolean(), 24),
  storeAs: fc.constantFrom('', 'run1', 'run1', 'bad name/', 'x'.repeat(300)),
  sourceRun: fc.constantFrom('run1', 'run1', 'missing', ''),
  meanEmbedding: fc.constantFrom('mean', 'mean', 'missing', ''),
  'MeanEmbeddingRequest.name': fc.constantFrom('mean', 'mean', '', 'a b', '../x', 'x'.repeat(200)),
  vector: fc.oneof(
    fc.constantFrom(float32Tensor(new Float32Array(64).fill(0.5), [64]), float32Tensor(new Float32Array(64).fill(Infinity), [64])),
    tensorArbitrary,
  ),
  values: tensorArbitrary,
  heads: list(fc.record({ layer: near(4), head: near(5) }), 3),
  // Positions: usually the default (so that Capture and HeadSweep requests get through), else generated.
  'CaptureSpec.positions': fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: positionsArbitrary, weight: 1 }),
  'HeadSweepRequest.positions': fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: positionsArbitrary, weight: 1 }),
  'CaptureSpec.layers': list(near(4), 2),
  // Integrated Gradients runs `steps` forward+backward passes: few, or out of range.
  steps: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 2 }), weight: 8 }, { arbitrary: fc.constantFrom(0, -1, 9, 2 ** 31 - 1), weight: 1 }),
};
// Few variants usually, sometimes more than the server's limit of 8.
const variantsArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: list(messageArbitrary(root.lookupType('locscope.v1.Variant'), { overrides, maxRepeated: 2 }), 3), weight: 12 },
  { arbitrary: fc.constant(Array.from({ length: 9 }, (_, i) => ({ name: `v${i}` }))), weight: 1 },
);
const requestOverrides = { ...overrides, variants: variantsArbitrary };

// ---- server -----------------------------------------------------------------------------------

let started: StartedInference;
let client: RawGrpcClient;
let health: { stop(): Promise<HealthWatchReport> };
const tally = new FuzzTally();

beforeAll(async () => {
  const models = [
    { name: 'tiny', dir: llavaDir(), preload: true },
    { name: 'internvl', dir: internvlDir(), preload: true },
  ];
  // Authentication on, with rights a little below the server's limits, so that the caller checks
  // are fuzzed too.
  const callers = join(scratch.dir, 'callers.yaml');
  writeFileSync(callers, `callers:\n  - {name: fuzzer, tokenSha256: ${tokenSha256(FUZZ_TOKEN)}, models: [tiny, internvl], maxVariants: 6, maxIgSteps: 6, maxSequence: 4096}\n`);
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000, authTokensFile: callers },
    { models, limits: { maxVariants: 8, maxNewTokens: 8, maxImagesPerRequest: 4, maxCaptureBytes: 8 * 1024 * 1024, maxAttributionSteps: 8 } },
    createLogger({ level: 'silent' }),
  );
  await started.ready;
  client = new RawGrpcClient(started.server.address, InferenceService, { token: FUZZ_TOKEN });
  health = watchHealth(started.server.address);
}, 120_000);

afterAll(async () => {
  console.info(tally.summary('inference', await health.stop()));
  client?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

describe('Inference service under fuzzing', () => {
  it('covers every RPC of the service definition', () => {
    expect(grpcService.methodsArray.map((m) => lowerFirst(m.name)).sort()).toEqual(Object.keys(InferenceService).sort());
  });

  for (const method of grpcService.methodsArray) {
    it(`${method.name}: generated requests get deliberate statuses, never INTERNAL/UNKNOWN`, { timeout: BUDGET.timeoutMs }, async () => {
      const type = root.lookupType(method.resolvedRequestType!.fullName);
      const requests = fc.sample(messageArbitrary(type, { overrides: requestOverrides }), { numRuns: BUDGET.generated, seed: SEED });
      const results = await fuzzMethod(client, lowerFirst(method.name), requests, (r) => encodeMessage(type, r), IN_FLIGHT);
      tally.add(results);
      expect(unacceptableOutcomes(results)).toEqual([]);
      console.info(`${method.name}: ${statusHistogram(results)}`);
      // The generator must get past validation sometimes (requests that run the model) and
      // fail it other times; ListModels has no fields to get wrong.
      const codes = new Set(results.map((r) => r.outcome.code));
      expect(codes.has(status.OK)).toBe(true);
      if (method.name !== 'ListModels') expect(codes.size).toBeGreaterThan(1);
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

  it('still reports SERVING and answers a valid request afterwards', async () => {
    expect(await checkHealth(started.server.address, INFERENCE_SERVICE_NAME)).toBe('SERVING');
    const score = root.lookupType('locscope.v1.ScoreRequest');
    const request = { model: 'tiny', image: { pixelValues: pixelsOf(1, 112) }, prompt: 'Where is the cat?', target: 'yes', variants: [{ name: 'ko', interventions: [{ knockout: { layers: [0], queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE }, keys: { visual: { flat: [0] } } } }] }] };
    const [result] = await fuzzMethod(client, 'score', [request], (r) => encodeMessage(score, r), 1);
    expect(describeOutcome(result.outcome)).toBe('OK: ');
  });
});
