// The Open Inference Protocol v2 as a stock client speaks it: a generic grpc-js client built by
// proto-loader from the OIP proto alone (no locscope types), raw_input_contents with BYTES
// elements. Every ModelInfer form is checked against locscope.v1.Inference on the same server:
// the raw logits' log_softmax at the answer tokens against Score's log-probs, a generation against
// Generate, each intervention tensor against the Score variant it stands for; and the callers
// file's rights and quotas hold for OIP calls as for Inference calls.
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { decodeFloat32, protoRoot } from '@locscope/proto';
import { InferenceClient, TextSpan, Variant, type ImageInput, type Intervention } from '@locscope/proto/v1/inference';
import { createLogger, tokenSha256 } from '@locscope/server-kit';
import { checkHealth } from '@locscope/server-kit/testing';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { startInferenceServer, type StartedInference } from './inference-service.ts';
import { unaryCaller, writeTinyLlava } from './test-support.ts';

const scratch = scratchDir('open-inference');
const modelDir = join(scratch.dir, 'llava-tiny');
const imageBytes = readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png'));
const image: ImageInput = { source: { $case: 'encoded', value: imageBytes } };
const prompt = 'Where is the cat?';
const target = '[0.12, 0.5, 0.9, 0.75]';
const TOKEN = 'oip-test-token';

type Callback = (error: ServiceError | null, response: any) => void;
type OipClient = Client & Record<string, (request: unknown, metadata: Metadata, callback: Callback) => void>;

const definition = loadSync(join(protoRoot, 'inference/grpc_predict_v2.proto'), { keepCase: true, longs: Number, defaults: true });
const OipService = (loadPackageDefinition(definition).inference as any).GRPCInferenceService;

let started: StartedInference;
let oip: OipClient;
let locscope: InferenceClient;
/** Model dimensions, from ModelInfo and EncodeImage. */
let L: number, H: number, N: number;
const callOip = (method: string, request: unknown, client = oip, metadata = new Metadata()) =>
  new Promise<any>((resolve, reject) => client[method](request, metadata, (e, r) => (e ? reject(e) : resolve(r))));
const callLocscope = unaryCaller(() => locscope);

const start = (authTokensFile?: string) =>
  startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000, ...(authTokensFile && { authTokensFile }) },
    { models: [{ name: 'tiny', dir: modelDir, preload: true }], limits: { maxVariants: 8 } },
    createLogger({ level: 'silent' }),
  );

beforeAll(async () => {
  writeTinyLlava(modelDir);
  started = await start();
  await started.ready;
  oip = new OipService(started.server.address, credentials.createInsecure()) as OipClient;
  locscope = new InferenceClient(started.server.address, credentials.createInsecure());
  const info = await callLocscope(locscope.modelInfo, { model: 'tiny' });
  [L, H] = [info.layers, info.heads];
  N = (await callLocscope(locscope.encodeImage, { model: 'tiny', image, returnEmbeddings: false })).norms.shape[0];
});

afterAll(async () => {
  oip?.close();
  locscope?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

/** A BYTES element in raw form: 4-byte little-endian length, then the bytes. */
function rawBytes(value: Buffer | string): Buffer {
  const bytes = Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The elements of a raw BYTES output. */
function bytesElements(raw: Buffer): string[] {
  const elements: string[] = [];
  for (let at = 0; at < raw.length; ) {
    const length = raw.readUInt32LE(at);
    elements.push(raw.subarray(at + 4, at + 4 + length).toString('utf8'));
    at += 4 + length;
  }
  return elements;
}

interface ExtraInput {
  name: string;
  datatype: string;
  shape: number[];
  raw: Buffer;
}

/** A request a stock client builds from ModelMetadata: image and prompt (and target), raw contents. */
function inferRequest(options: { target?: string; parameters?: Record<string, unknown>; outputs?: string[]; extra?: ExtraInput[] } = {}) {
  const text = [
    ['image', imageBytes],
    ['prompt', prompt],
    ...(options.target === undefined ? [] : [['target', options.target]]),
  ] as [string, Buffer | string][];
  return {
    model_name: 'tiny',
    inputs: [...text.map(([name]) => ({ name, datatype: 'BYTES', shape: [1] })), ...(options.extra ?? []).map(({ raw: _, ...t }) => t)],
    raw_input_contents: [...text.map(([, value]) => rawBytes(value)), ...(options.extra ?? []).map((t) => t.raw)],
    parameters: options.parameters ?? {},
    outputs: (options.outputs ?? []).map((name) => ({ name })),
  };
}

/** A BOOL input of `rows` × `width` flags with the listed indices set per row. */
function flags(name: string, shape: number[], setPerRow: number[][]): ExtraInput {
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const raw = Buffer.alloc(shape[0] * width);
  setPerRow.forEach((set, r) => set.forEach((i) => (raw[r * width + i] = 1)));
  return { name, datatype: 'BOOL', shape, raw };
}

/** The named output of a response: its shape and raw contents. */
function outputOf(response: any, name: string): { shape: number[]; raw: Buffer } {
  const index = response.outputs.findIndex((o: { name: string }) => o.name === name);
  expect(index, `output ${name}`).toBeGreaterThanOrEqual(0);
  return { shape: response.outputs[index].shape, raw: response.raw_output_contents[index] };
}

function float32Rows(raw: Buffer, rowLength: number): number[][] {
  const values = Array.from({ length: raw.length / 4 }, (_, i) => raw.readFloatLE(4 * i));
  return Array.from({ length: values.length / rowLength }, (_, r) => values.slice(r * rowLength, (r + 1) * rowLength));
}

/** log_softmax(row)[id], in float64. */
function logSoftmaxAt(row: number[], id: number): number {
  const max = Math.max(...row);
  return row[id] - max - Math.log(row.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

async function scoreRows(variants: Variant[]): Promise<number[][]> {
  const response = await callLocscope(locscope.score, { model: 'tiny', image, prompt, target, variants, maskMode: 0, mask: [] });
  return response.scores.map((s: { tokenLogProbs: never }) => Array.from(decodeFloat32(s.tokenLogProbs, 'token_log_probs')));
}

const zeroTokens = (flat: number[]): Intervention => ({ kind: { $case: 'replace', value: { positions: { flat, coordinates: [] }, value: { $case: 'zero', value: true } } } });
const knockout = (layers: number[], flat: number[]): Intervention => ({
  kind: {
    $case: 'knockout',
    value: { layers, queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, keys: { span: 0, visual: { flat, coordinates: [] }, explicit: [] } },
  },
});
const ablateHeads = (heads: [number, number][]): Intervention => ({ kind: { $case: 'ablate', value: { heads: heads.map(([layer, head]) => ({ layer, head })) } } });

describe('Open Inference Protocol v2', () => {
  it('answers health and metadata calls, listing the optional intervention inputs with the model dimensions', async () => {
    expect(await callOip('ServerLive', {})).toEqual({ live: true });
    expect(await callOip('ServerReady', {})).toEqual({ ready: true });
    expect(await callOip('ModelReady', { name: 'tiny' })).toEqual({ ready: true });
    expect((await callOip('ServerMetadata', {})).name).toBe('locscope');
    const metadata = await callOip('ModelMetadata', { name: 'tiny' });
    expect(metadata.inputs.map((t: { name: string; shape: number[] }) => `${t.name}[${t.shape}]`)).toEqual([
      'image[1]',
      'prompt[1]',
      'target[1]',
      `token_mask[-1,${N}]`,
      `knockout_layers[-1,${L}]`,
      `knockout_tokens[-1,${N}]`,
      `head_mask[-1,${L},${H}]`,
    ]);
    const vocab = (await callLocscope(locscope.modelInfo, { model: 'tiny' })).vocabSize;
    expect(metadata.outputs.find((t: { name: string }) => t.name === 'logits').shape).toEqual([-1, -1, vocab]);
    expect(await checkHealth(started.server.address, 'inference.GRPCInferenceService')).toBe('SERVING');
  });

  it('a plain forward (image and prompt only) returns the next-token logits, whose log_softmax is Score’s first log-prob', async () => {
    const response = await callOip('ModelInfer', inferRequest());
    expect(response.outputs.map((o: { name: string }) => o.name)).toEqual(['logits']);
    const { shape, raw } = outputOf(response, 'logits');
    expect(shape.slice(0, 2)).toEqual([1, 1]);
    const [row] = float32Rows(raw, shape[2]);
    const score = await callLocscope(locscope.score, { model: 'tiny', image, prompt, target, variants: [], maskMode: 0, mask: [] });
    const first = decodeFloat32(score.scores[0].tokenLogProbs, 'token_log_probs')[0];
    expect(logSoftmaxAt(row, score.targetTokenIds[0])).toBeCloseTo(first, 4);
  });

  it('with a target it scores: Score’s outputs by default, equal to Score; asked-for logits agree at every target token', async () => {
    const scored = await callOip('ModelInfer', inferRequest({ target }));
    expect(scored.outputs.map((o: { name: string }) => o.name)).toEqual(['token_log_probs', 'log_prob', 'target_token_ids']);
    const [expected] = await scoreRows([{ name: 'forward', interventions: [] }]);
    const K = expected.length;
    expect(float32Rows(outputOf(scored, 'token_log_probs').raw, K)).toEqual([expected]);

    const both = await callOip('ModelInfer', inferRequest({ target, outputs: ['logits', 'target_token_ids'] }));
    const logits = outputOf(both, 'logits');
    expect(logits.shape.slice(0, 2)).toEqual([1, K]);
    const ids = Array.from({ length: K }, (_, k) => outputOf(both, 'target_token_ids').raw.readInt32LE(4 * k));
    const rows = float32Rows(logits.raw, logits.shape[2]);
    rows.forEach((row, k) => expect(logSoftmaxAt(row, ids[k])).toBeCloseTo(expected[k], 4));
  });

  it('asking for text/token_ids/finish_reason runs a generation equal to Generate, interventions included', async () => {
    const variants: Variant[] = [
      { name: 'clean', interventions: [] },
      { name: 'ko', interventions: [knockout([0, 1], [0, 1, 2, 3, 4, 5, 6, 7])] },
    ];
    const parameters = { variants: { string_param: JSON.stringify(variants.map((v) => Variant.toJSON(v))) }, max_tokens: { int64_param: 5 } };
    const response = await callOip('ModelInfer', inferRequest({ parameters, outputs: ['text', 'token_ids', 'finish_reason'] }));
    const expected = (await callLocscope(locscope.generate, { model: 'tiny', image, prompt, variants, maxNewTokens: 5, stop: [] })).generations;
    expect(bytesElements(outputOf(response, 'text').raw)).toEqual(expected.map((g: { text: string }) => g.text));
    expect(bytesElements(outputOf(response, 'finish_reason').raw)).toEqual(expected.map((g: { finishReason: string }) => g.finishReason));
    const ids = outputOf(response, 'token_ids');
    const width = ids.shape[1];
    const rows = Array.from({ length: ids.shape[0] }, (_, b) =>
      Array.from({ length: width }, (_, i) => Number(ids.raw.readBigInt64LE(8 * (b * width + i)))).filter((id) => id !== -1),
    );
    expect(rows).toEqual(expected.map((g: { tokenIds: number[] }) => g.tokenIds));
    expect(JSON.parse(response.parameters.variants.string_param)).toEqual(['clean', 'ko']);
  });

  it('takes interventions as the variants parameter, equal to Score with the same variants', async () => {
    const variants: Variant[] = [
      { name: 'clean', interventions: [] },
      { name: 'ablate', interventions: [zeroTokens([0, 1, 2, 3])] },
      { name: 'knockout', interventions: [knockout([0], [0, 1, 2, 3])] },
    ];
    const parameters = { variants: { string_param: JSON.stringify(variants.map((v) => Variant.toJSON(v))) } };
    const response = await callOip('ModelInfer', inferRequest({ target, parameters, outputs: ['token_log_probs'] }));
    expect(response.outputs.map((o: { name: string }) => o.name)).toEqual(['token_log_probs']);
    expect(JSON.parse(response.parameters.variants.string_param)).toEqual(['clean', 'ablate', 'knockout']);
    const { shape, raw } = outputOf(response, 'token_log_probs');
    const rows = float32Rows(raw, shape[1]);
    const expected = await scoreRows(variants);
    expect(rows).toEqual(expected);
    expect(rows[1]).not.toEqual(rows[0]);

    // The logits of every variant agree with its Score log-probs too.
    const withLogits = await callOip('ModelInfer', inferRequest({ target, parameters, outputs: ['logits', 'target_token_ids'] }));
    const logits = outputOf(withLogits, 'logits');
    const K = logits.shape[1];
    const ids = Array.from({ length: K }, (_, k) => outputOf(withLogits, 'target_token_ids').raw.readInt32LE(4 * k));
    float32Rows(logits.raw, logits.shape[2]).forEach((row, i) => expect(logSoftmaxAt(row, ids[i % K])).toBeCloseTo(expected[Math.floor(i / K)][i % K], 4));
  });

  describe('interventions as input tensors, each equal to the Score variant it stands for', () => {
    const scoreWithTensors = async (extra: ExtraInput[], parameters: Record<string, unknown> = {}) => {
      const response = await callOip('ModelInfer', inferRequest({ target, parameters, extra, outputs: ['token_log_probs'] }));
      const { shape, raw } = outputOf(response, 'token_log_probs');
      return { names: JSON.parse(response.parameters.variants.string_param), rows: float32Rows(raw, shape[1]) };
    };

    it('token_mask [variants, visual tokens] zeroes the set tokens (an all-zero row is the clean run)', async () => {
      const { names, rows } = await scoreWithTensors([flags('token_mask', [3, N], [[], [0, 1, 2, 3], [5, N - 1]])]);
      expect(names).toEqual(['row0', 'row1', 'row2']);
      const expected = await scoreRows([
        { name: 'clean', interventions: [] },
        { name: 'a', interventions: [zeroTokens([0, 1, 2, 3])] },
        { name: 'b', interventions: [zeroTokens([5, N - 1])] },
      ]);
      expect(rows).toEqual(expected);
      expect(rows[1]).not.toEqual(rows[0]);
    });

    it('token_mask with the mean_embedding parameter replaces with that artifact', async () => {
      await callLocscope(locscope.meanEmbedding, { model: 'tiny', name: 'oip-mean', images: [image] });
      const { rows } = await scoreWithTensors([flags('token_mask', [1, N], [[2, 3, 4]])], { mean_embedding: { string_param: 'oip-mean' } });
      const [expected] = await scoreRows([
        { name: 'm', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: [2, 3, 4], coordinates: [] }, value: { $case: 'meanEmbedding', value: 'oip-mean' } } } }] },
      ]);
      expect(rows).toEqual([expected]);
    });

    it('knockout_layers [variants, layers] with knockout_tokens [variants, visual tokens] is an AttentionKnockout from every query after the image', async () => {
      const { rows } = await scoreWithTensors([flags('knockout_layers', [2, L], [[0], [0, L - 1]]), flags('knockout_tokens', [2, N], [[0, 1, 2, 3], [7]])]);
      expect(rows).toEqual(await scoreRows([{ name: 'a', interventions: [knockout([0], [0, 1, 2, 3])] }, { name: 'b', interventions: [knockout([0, L - 1], [7])] }]));
    });

    it('head_mask [variants, layers, heads] ablates the set heads at every position', async () => {
      const { rows } = await scoreWithTensors([flags('head_mask', [2, L, H], [[0 * H + 1], [1 * H + 2, (L - 1) * H + (H - 1)]])]);
      expect(rows).toEqual(
        await scoreRows([
          { name: 'a', interventions: [ablateHeads([[0, 1]])] },
          { name: 'b', interventions: [ablateHeads([[1, 2], [L - 1, H - 1]])] },
        ]),
      );
    });

    it('tensors add to the variants of the parameter row by row, in the order parameter, token_mask, knockout, head_mask', async () => {
      const listed: Variant[] = [
        { name: 'plain', interventions: [] },
        { name: 'patched', interventions: [ablateHeads([[0, 0]])] },
      ];
      const { names, rows } = await scoreWithTensors([flags('token_mask', [2, N], [[1], []]), flags('head_mask', [2, L, H], [[], [H + 1]])], {
        variants: { string_param: JSON.stringify(listed.map((v) => Variant.toJSON(v))) },
      });
      expect(names).toEqual(['plain', 'patched']);
      expect(rows).toEqual(
        await scoreRows([
          { name: 'plain', interventions: [zeroTokens([1])] },
          { name: 'patched', interventions: [ablateHeads([[0, 0]]), ablateHeads([[1, 1]])] },
        ]),
      );
    });

    it('accepts UINT8 masks and typed contents as well as BOOL raw contents', async () => {
      const request = inferRequest({ target, outputs: ['token_log_probs'] });
      // Typed contents: no raw_input_contents at all, so every input uses its contents field.
      const typed = {
        ...request,
        inputs: [
          ...request.inputs.map((t, i) => ({ ...t, contents: { bytes_contents: [request.raw_input_contents[i].subarray(4)] } })),
          { name: 'token_mask', datatype: 'UINT8', shape: [1, N], contents: { uint_contents: Array.from({ length: N }, (_, i) => (i < 4 ? 1 : 0)) } },
        ],
        raw_input_contents: [],
      };
      const response = await callOip('ModelInfer', typed);
      const { shape, raw } = outputOf(response, 'token_log_probs');
      expect(float32Rows(raw, shape[1])).toEqual(await scoreRows([{ name: 'a', interventions: [zeroTokens([0, 1, 2, 3])] }]));
    });
  });

  it('names the input, output or parameter at fault, with the expected shape and datatype', async () => {
    const rejects = (request: unknown, pattern: RegExp, code = status.INVALID_ARGUMENT) =>
      expect(callOip('ModelInfer', request)).rejects.toMatchObject({ code, details: expect.stringMatching(pattern) });
    const missing = inferRequest();
    missing.inputs.pop();
    missing.raw_input_contents.pop();
    await rejects(missing, /^inputs\["prompt"\]: missing input \(ModelInfer needs image and prompt\)/);
    await rejects(inferRequest({ parameters: { variants: { string_param: '{' } } }), /^parameters\["variants"\]: is not JSON/);
    await rejects(inferRequest({ extra: [flags('token_mask', [2, N - 1], [])] }), new RegExp(`^inputs\\["token_mask"\\]\\.shape: must be \\[2, ${N}\\] \\(variants, visual tokens\\), got \\[2, ${N - 1}\\]`));
    await rejects(inferRequest({ extra: [{ ...flags('head_mask', [1, L, H], []), datatype: 'FP32' }] }), /^inputs\["head_mask"\]\.datatype: must be BOOL or UINT8 \[1, \d+, \d+\] \(variants, layers, heads\), got FP32/);
    await rejects(inferRequest({ extra: [{ ...flags('token_mask', [1, N], []), raw: Buffer.alloc(3) }] }), /^raw_input_contents\[2\]: raw_input_contents\[2\] has 3 bytes/);
    await rejects(inferRequest({ extra: [flags('knockout_layers', [1, L], [[0]])] }), /^inputs\["knockout_tokens"\]: missing: knockout_layers needs/);
    await rejects(inferRequest({ extra: [flags('token_mask', [3, N], [])], parameters: { variants: { string_param: '[{"name":"a"}]' } } }), /^inputs\["token_mask"\]\.shape: must be \[1, /);
    await rejects(inferRequest({ extra: [flags('head_mask', [0, L, H], [])] }), /^inputs\["head_mask"\]\.shape: needs at least one row/);
    await rejects(inferRequest({ parameters: { variants: { string_param: '[{"name":"a"}, null]' } } }), /^parameters\["variants"\]\[1\]: is not a locscope.v1.Variant in proto3 JSON/);
    await rejects(inferRequest({ outputs: ['logit'] }), /^outputs\[0\]\.name: unknown output "logit"/);
    await rejects(inferRequest({ outputs: ['token_log_probs'] }), /^outputs\[0\]\.name: "token_log_probs" needs the "target" input/);
    await rejects(inferRequest({ outputs: ['text', 'logits'] }), /^outputs\[1\]\.name: "logits" is a forward output; a generation returns text, token_ids, finish_reason/);
    await rejects(inferRequest({ target, outputs: ['text'] }), /^inputs\["target"\]: a generation takes no target/);
    await rejects(inferRequest({ outputs: ['text'], parameters: { max_tokens: { int64_param: 0 } } }), /^parameters\["max_tokens"\]: must be an int64_param in \[1, \d+\]/);
    await rejects(inferRequest({ parameters: { mean_embedding: { bool_param: true } } , extra: [flags('token_mask', [1, N], [[0]])] }), /^parameters\["mean_embedding"\]: must be a string_param/);
    await expect(callOip('ModelReady', { name: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/^name: no model "nope"/) });
  });
});

describe('Open Inference Protocol under per-caller rights', () => {
  let secured: StartedInference;
  let client: OipClient;
  let inference: InferenceClient;
  const bearer = (token: string) => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  };

  beforeAll(async () => {
    const callers = join(scratch.dir, 'callers.yaml');
    writeFileSync(
      callers,
      [
        'callers:',
        `  - {name: limited, tokenSha256: ${tokenSha256(TOKEN)}, maxVariants: 2, requestsPerMinute: 3}`,
        `  - {name: elsewhere, tokenSha256: ${tokenSha256('other-model-token')}, models: [other]}`,
        `  - {name: short, tokenSha256: ${tokenSha256('short-token')}, maxSequence: 16}`,
      ].join('\n'),
    );
    secured = await start(callers);
    await secured.ready;
    client = new OipService(secured.server.address, credentials.createInsecure()) as OipClient;
    inference = new InferenceClient(secured.server.address, credentials.createInsecure());
  });

  afterAll(async () => {
    client?.close();
    inference?.close();
    await secured?.server.shutdown();
  });

  it('refuses a model outside the caller’s models, more variants than its maxVariants or a longer sequence than its maxSequence, and counts OIP calls in its rate', async () => {
    await expect(callOip('ModelInfer', inferRequest(), client)).rejects.toMatchObject({ code: status.UNAUTHENTICATED });
    await expect(callOip('ModelInfer', inferRequest(), client, bearer('other-model-token'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: 'model: caller "elsewhere" may not use model "tiny" (allowed: other)',
    });
    await expect(callOip('ModelMetadata', { name: 'tiny' }, client, bearer('other-model-token'))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    // Three rows of a tensor are three variants, as three entries of Score's list would be.
    await expect(callOip('ModelInfer', inferRequest({ extra: [flags('token_mask', [3, N], [])] }), client, bearer(TOKEN))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: 'variants: caller "limited" may send at most 2 variants per request (maxVariants), got 3',
    });
    await expect(callOip('ModelInfer', inferRequest(), client, bearer('short-token'))).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
      details: expect.stringMatching(/caller "short" may send sequences of at most 16 tokens \(maxSequence\)/),
    });
    // requestsPerMinute 3 (a refused right uses none): two OIP calls and one Inference call use it up.
    await callOip('ModelInfer', inferRequest({ extra: [flags('token_mask', [2, N], [[0], []])] }), client, bearer(TOKEN));
    await new Promise((resolve, reject) => inference.listModels({}, bearer(TOKEN), (error, response) => (error ? reject(error) : resolve(response))));
    await callOip('ModelMetadata', { name: 'tiny' }, client, bearer(TOKEN));
    await expect(callOip('ModelInfer', inferRequest(), client, bearer(TOKEN))).rejects.toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      details: expect.stringMatching(/^caller "limited" is past its requestsPerMinute of 3/),
    });
  });
});
