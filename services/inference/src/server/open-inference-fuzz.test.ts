// Fuzzes the Open Inference Protocol service over a real socket: ModelInfer requests assembled from
// inputs, raw contents, parameters and outputs steered around what is valid (wrong datatypes and
// shapes, raw contents of the wrong length or missing, zero and negative rows, junk and null
// variant lists, out-of-range max_tokens, unknown outputs, mixed generation and forward outputs),
// then the service's other RPCs from the schema, plus undecodable and random bytes for each. Every
// answer must be a deliberate status (never INTERNAL/UNKNOWN) and the server must stay SERVING.
import { status } from '@grpc/grpc-js';
import { protoRoot } from '@locscope/proto';
import { GRPCInferenceServiceService } from '@locscope/proto/oip';
import { createLogger } from '@locscope/server-kit';
import {
  describeOutcome,
  encodeMessage,
  fuzzBudget,
  fuzzMethod,
  FuzzTally,
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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { startInferenceServer, type StartedInference } from './inference-service.ts';
import { OIP_SERVICE_NAME } from './open-inference.ts';
import { writeTinyLlava } from './test-support.ts';

/**
 * ModelInfer: steered requests plus raw byte payloads = 1,000 calls (valid ones run the tiny model);
 * the other RPCs, with a field or none, `random` schema-generated requests plus the byte payloads.
 */
const BUDGET = fuzzBudget({ generated: 940, undecodable: 30, random: 30, timeoutMs: 300_000 });
const IN_FLIGHT = 4;
const SEED = 20261205;

const scratch = scratchDir('open-inference-fuzz');
const root = loadProtoRoot(protoRoot, ['inference/grpc_predict_v2.proto']);
const grpcService = root.lookupService('inference.GRPCInferenceService');
const inferType = root.lookupType('inference.ModelInferRequest');
const imageBytes = readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png'));

// The tiny LLaVA's dimensions (checked against ModelMetadata below).
const L = 3;
const H = 4;
const N = 64;

/** A BYTES element in raw form. */
const rawElement = (value: Buffer | string) => {
  const bytes = Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
};

interface InputSpec {
  tensor: Record<string, unknown>;
  raw: Buffer;
}

/** Mostly `valid`, else one of `invalid`: enough requests get through to run the model. */
const mostly = <T>(valid: T, ...invalid: T[]) => fc.oneof({ arbitrary: fc.constant(valid), weight: 6 * Math.max(1, invalid.length) }, ...invalid.map((v) => ({ arbitrary: fc.constant(v), weight: 1 })));

const textInput = (name: string, value: fc.Arbitrary<Buffer | string>): fc.Arbitrary<InputSpec> =>
  fc
    .tuple(value, mostly('BYTES', 'FP32'), mostly([1], [2], []), mostly(true, false))
    .map(([v, datatype, shape, prefixed]) => ({ tensor: { name, datatype, shape }, raw: prefixed ? rawElement(v) : Buffer.from(v) }));

/** A mask input: mostly the right shape for 1–3 variants, sometimes wrong in every way. */
const maskInput = (name: string, width: number[]): fc.Arbitrary<InputSpec> =>
  fc
    .tuple(
      fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 8 }, { arbitrary: fc.constantFrom(0, -1), weight: 1 }),
      mostly('BOOL', 'UINT8', 'FP32', 'INT64'),
      mostly('exact', 'short', 'wider'),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    )
    .map(([rows, datatype, fit, seed]) => {
      const shape = fit === 'wider' ? [rows, ...width.slice(0, -1), width[width.length - 1] + 1] : [rows, ...width];
      const count = Math.max(0, shape.reduce((a, b) => a * b, 1));
      const raw = Buffer.alloc(fit === 'short' ? Math.max(0, count - 1) : count);
      for (let i = 0; i < raw.length; i++) raw[i] = (seed >> i % 31) & 1 && i % 5 === 0 ? 1 : 0;
      return { tensor: { name, datatype, shape }, raw };
    });

const validVariants = fc.constantFrom(
  '[{"name":"a"}]',
  '[{"name":"a"},{"name":"b","interventions":[{"ablate":{"heads":[{"layer":1,"head":2}]}}]}]',
  '[{"name":"a"},{"name":"b"},{"name":"c"}]',
);
const junkVariants = fc.constantFrom(
  '[{"name":"z","interventions":[{"replace":{"positions":{"flat":[0,1,999]},"zero":true}}]}]',
  '[null]',
  '[]',
  '{',
  '[1, "x", []]',
  '[{"interventions":[null]}]',
  '[{"interventions":[{"knockout":{"layers":[99]}}]}]',
);
const wrongKinds = fc.constantFrom({ boolParam: true }, { int64Param: '5' }, { doubleParam: 1.5 }, {});

/** Each parameter mostly absent, else valid, else of the wrong kind or value. */
const parametersArbitrary = fc
  .record({
    variants: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 6 },
      { arbitrary: validVariants.map((v) => ({ stringParam: v })), weight: 3 },
      { arbitrary: junkVariants.map((v) => ({ stringParam: v })), weight: 1 },
      { arbitrary: wrongKinds, weight: 1 },
    ),
    mean_embedding: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom({ stringParam: '' }, { stringParam: 'missing' }), weight: 1 }, { arbitrary: wrongKinds, weight: 1 }),
    max_tokens: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      { arbitrary: fc.constantFrom({ int64Param: '2' }, { uint64Param: '3' }), weight: 3 },
      { arbitrary: fc.constantFrom({ int64Param: '0' }, { int64Param: '-1' }, { int64Param: '9223372036854775807' }, { stringParam: '2' }), weight: 1 },
    ),
  })
  .map((parameters) => Object.fromEntries(Object.entries(parameters).filter(([, v]) => v !== undefined)));

const inferArbitrary = fc
  .record({
    modelName: mostly('tiny', 'nope', ''),
    image: fc.option(textInput('image', mostly<Buffer | string>(imageBytes, 'not an image', '')), { freq: 12 }),
    prompt: fc.option(textInput('prompt', fc.constantFrom('Where is the cat?', 'Where is the cat?', '', 'x'.repeat(300))), { freq: 12 }),
    target: fc.option(textInput('target', fc.constantFrom('yes', '[0.1, 0.2]', '')), { freq: 2 }),
    masks: fc.subarray([
      maskInput('token_mask', [N]),
      maskInput('knockout_layers', [L]),
      maskInput('knockout_tokens', [N]),
      maskInput('head_mask', [L, H]),
      maskInput('unknown_input', [3]),
    ], { maxLength: 2 }),
    parameters: parametersArbitrary,
    outputs: fc.oneof(
      { arbitrary: fc.constant<string[]>([]), weight: 3 },
      { arbitrary: fc.array(fc.constantFrom<string>('logits', 'token_log_probs', 'log_prob', 'target_token_ids', 'text', 'token_ids', 'finish_reason', 'nope'), { maxLength: 3 }), weight: 2 },
    ),
    rawMode: mostly('raw', 'typed', 'missing-one'),
  })
  .chain((r) => fc.tuple(fc.constant(r), fc.tuple(...r.masks)))
  .map(([r, masks]) => {
    const inputs = [r.image, r.prompt, r.target, ...masks].filter((i): i is InputSpec => i !== null);
    const typed = (spec: InputSpec) => {
      if (spec.tensor.datatype === 'BYTES') return { bytesContents: [spec.raw.length >= 4 ? spec.raw.subarray(4) : spec.raw] };
      if (spec.tensor.datatype === 'BOOL') return { boolContents: Array.from(spec.raw, (b) => b === 1) };
      return { uintContents: Array.from(spec.raw) };
    };
    return {
      modelName: r.modelName,
      inputs: inputs.map((spec) => ({ ...spec.tensor, ...(r.rawMode === 'typed' && { contents: typed(spec) }) })),
      rawInputContents: r.rawMode === 'typed' ? [] : inputs.map((spec) => spec.raw).slice(0, r.rawMode === 'missing-one' ? -1 : undefined),
      parameters: r.parameters,
      outputs: r.outputs.map((name) => ({ name })),
    };
  });

let started: StartedInference;
let client: RawGrpcClient;
let health: { stop(): Promise<HealthWatchReport> };
const tally = new FuzzTally();

beforeAll(async () => {
  const modelDir = join(scratch.dir, 'llava-tiny');
  writeTinyLlava(modelDir);
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models: [{ name: 'tiny', dir: modelDir, preload: true }], limits: { maxVariants: 8, maxNewTokens: 4 } },
    createLogger({ level: 'silent' }),
  );
  await started.ready;
  const model = await started.engine.registry.get('tiny');
  expect([model.info.layers, model.info.heads, model.info.imageGrid[0] * model.info.imageGrid[1]]).toEqual([L, H, N]);
  client = new RawGrpcClient(started.server.address, GRPCInferenceServiceService);
  health = watchHealth(started.server.address);
}, 120_000);

afterAll(async () => {
  if (health) console.info(tally.summary('open-inference', await health.stop()));
  client?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

describe('Open Inference Protocol under fuzzing', () => {
  it('ModelInfer: steered requests get deliberate statuses, never INTERNAL/UNKNOWN', { timeout: BUDGET.timeoutMs }, async () => {
    const requests = fc.sample(inferArbitrary, { numRuns: BUDGET.generated, seed: SEED });
    const results = await fuzzMethod(client, 'modelInfer', requests, (r) => encodeMessage(inferType, r), IN_FLIGHT);
    tally.add(results);
    expect(unacceptableOutcomes(results)).toEqual([]);
    console.info(`ModelInfer: ${statusHistogram(results)}`);
    const codes = new Set(results.map((r) => r.outcome.code));
    expect(codes.has(status.OK)).toBe(true);
    expect(codes.has(status.INVALID_ARGUMENT)).toBe(true);
  });

  for (const method of grpcService.methodsArray) {
    it(`${method.name}: schema-generated, undecodable and random requests get deliberate statuses`, { timeout: BUDGET.timeoutMs }, async () => {
      const name = lowerFirst(method.name);
      const type = root.lookupType(method.resolvedRequestType!.fullName);
      const overrides = { name: fc.constantFrom('tiny', 'nope', ''), parameters: parametersArbitrary };
      const generated = fc.sample(messageArbitrary(type, { overrides }), { numRuns: BUDGET.random, seed: SEED });
      const bytes = [...fc.sample(undecodableBytes(), { numRuns: BUDGET.undecodable, seed: SEED }), ...fc.sample(randomBytes(), { numRuns: BUDGET.random, seed: SEED })];
      const fromSchema = await fuzzMethod(client, name, generated, (r) => encodeMessage(type, r), IN_FLIGHT);
      const fromBytes = await fuzzMethod(client, name, bytes, (b) => b, IN_FLIGHT);
      tally.add(fromSchema);
      tally.add(fromBytes);
      expect(unacceptableOutcomes(fromSchema)).toEqual([]);
      expect(unacceptableOutcomes(fromBytes)).toEqual([]);
    });
  }

  it('still reports SERVING and answers a valid request afterwards', async () => {
    expect(await checkHealth(started.server.address, OIP_SERVICE_NAME)).toBe('SERVING');
    const request = {
      modelName: 'tiny',
      inputs: ['image', 'prompt'].map((name) => ({ name, datatype: 'BYTES', shape: [1] })),
      rawInputContents: [rawElement(imageBytes), rawElement('Where is the cat?')],
    };
    const [result] = await fuzzMethod(client, 'modelInfer', [request], (r) => encodeMessage(inferType, r), 1);
    expect(describeOutcome(result.outcome)).toBe('OK: ');
  });
});
