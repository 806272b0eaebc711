// The Open Inference Protocol v2 as a stock client speaks it: a generic grpc-js client built by
// proto-loader from the OIP proto alone (no locscope types), raw_input_contents with BYTES
// elements. ModelInfer's log-probs must equal locscope.v1.Inference Score's for the same request,
// for a plain forward and with interventions passed as the `variants` parameter.
import { credentials, loadPackageDefinition, Metadata, status, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { decodeFloat32, protoRoot } from '@locscope/proto';
import { InferenceClient, Variant, type ImageInput } from '@locscope/proto/v1/inference';
import { createLogger } from '@locscope/server-kit';
import { checkHealth } from '@locscope/server-kit/testing';
import { readFileSync } from 'node:fs';
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

type Callback = (error: ServiceError | null, response: any) => void;
type OipClient = Client & Record<string, (request: unknown, metadata: Metadata, callback: Callback) => void>;

let started: StartedInference;
let oip: OipClient;
let locscope: InferenceClient;
const callOip = (method: string, request: unknown) =>
  new Promise<any>((resolve, reject) => oip[method](request, new Metadata(), (e, r) => (e ? reject(e) : resolve(r))));
const callLocscope = unaryCaller(() => locscope);

beforeAll(async () => {
  writeTinyLlava(modelDir);
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models: [{ name: 'tiny', dir: modelDir, preload: true }], limits: { maxVariants: 8 } },
    createLogger({ level: 'silent' }),
  );
  await started.ready;
  const definition = loadSync(join(protoRoot, 'inference/grpc_predict_v2.proto'), { keepCase: true, longs: Number, defaults: true });
  const Service = (loadPackageDefinition(definition).inference as any).GRPCInferenceService;
  oip = new Service(started.server.address, credentials.createInsecure()) as OipClient;
  locscope = new InferenceClient(started.server.address, credentials.createInsecure());
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

function inferRequest(parameters: Record<string, unknown> = {}) {
  const input = (name: string) => ({ name, datatype: 'BYTES', shape: [1] });
  return {
    model_name: 'tiny',
    inputs: [input('image'), input('prompt'), input('target')],
    raw_input_contents: [rawBytes(imageBytes), rawBytes(prompt), rawBytes(target)],
    parameters,
  };
}

function float32Rows(raw: Buffer, shape: number[]): number[][] {
  const values = Array.from({ length: raw.length / 4 }, (_, i) => raw.readFloatLE(4 * i));
  return Array.from({ length: shape[0] }, (_, r) => values.slice(r * shape[1], (r + 1) * shape[1]));
}

async function scoreRows(variants: Variant[]): Promise<number[][]> {
  const response = await callLocscope(locscope.score, { model: 'tiny', image, prompt, target, variants, maskMode: 0, mask: [] });
  return response.scores.map((s: { tokenLogProbs: never }) => Array.from(decodeFloat32(s.tokenLogProbs, 'token_log_probs')));
}

describe('Open Inference Protocol v2', () => {
  it('answers health and metadata calls', async () => {
    expect(await callOip('ServerLive', {})).toEqual({ live: true });
    expect(await callOip('ServerReady', {})).toEqual({ ready: true });
    expect(await callOip('ModelReady', { name: 'tiny' })).toEqual({ ready: true });
    expect((await callOip('ServerMetadata', {})).name).toBe('locscope');
    const metadata = await callOip('ModelMetadata', { name: 'tiny' });
    expect(metadata.inputs.map((t: { name: string }) => t.name)).toEqual(['image', 'prompt', 'target']);
    expect(await checkHealth(started.server.address, 'inference.GRPCInferenceService')).toBe('SERVING');
  });

  it('ModelInfer is a plain forward for a stock client, equal to Score', async () => {
    const response = await callOip('ModelInfer', inferRequest());
    const [logProbs] = response.outputs;
    expect(logProbs).toMatchObject({ name: 'token_log_probs', datatype: 'FP32' });
    expect(float32Rows(response.raw_output_contents[0], logProbs.shape)).toEqual(await scoreRows([{ name: 'forward', interventions: [] }]));
  });

  it('takes interventions as the variants parameter, equal to Score with the same variants', async () => {
    const variants: Variant[] = [
      { name: 'clean', interventions: [] },
      { name: 'ablate', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: [0, 1, 2, 3], coordinates: [] }, value: { $case: 'zero', value: true } } } }] },
      { name: 'knockout', interventions: [{ kind: { $case: 'knockout', value: { layers: [0], queries: { span: 3, explicit: [] }, keys: { span: 0, visual: { flat: [0, 1, 2, 3], coordinates: [] }, explicit: [] } } } }] },
    ];
    const parameters = { variants: { string_param: JSON.stringify(variants.map((v) => Variant.toJSON(v))) } };
    const response = await callOip('ModelInfer', { ...inferRequest(parameters), outputs: [{ name: 'token_log_probs' }] });
    expect(response.outputs.map((o: { name: string }) => o.name)).toEqual(['token_log_probs']);
    expect(JSON.parse(response.parameters.variants.string_param)).toEqual(['clean', 'ablate', 'knockout']);
    const rows = float32Rows(response.raw_output_contents[0], response.outputs[0].shape);
    expect(rows).toEqual(await scoreRows(variants));
    expect(rows[1]).not.toEqual(rows[0]);
  });

  it('names the input or parameter at fault', async () => {
    const missing = inferRequest();
    missing.inputs.pop();
    missing.raw_input_contents.pop();
    await expect(callOip('ModelInfer', missing)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^inputs\["target"\]: missing input/) });
    await expect(callOip('ModelInfer', inferRequest({ variants: { string_param: '{' } }))).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^parameters\["variants"\]: is not JSON/),
    });
    await expect(callOip('ModelReady', { name: 'nope' })).rejects.toMatchObject({ code: status.NOT_FOUND, details: expect.stringMatching(/^name: no model "nope"/) });
  });
});
