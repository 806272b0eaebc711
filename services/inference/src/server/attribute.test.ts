// The Attribute RPC over a real socket on the LLaVA parity checkpoint (with a test tokenizer):
// attributions equal an independent in-process engine bit for bit, the scores equal the Score
// RPC's log-probs, IG is complete with a mean-embedding baseline, and bad input gets precise statuses.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { decodeFloat32 } from '@locscope/proto';
import { AttributeRequest, AttributionBaseline, InferenceClient, ScoreRequest, TokenMaskMode, type ImageInput } from '@locscope/proto/v1/inference';
import { createLogger } from '@locscope/server-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { unaryCaller, writeTinyLlava } from './test-support.ts';
import { loadModel, type Model } from '../runtime/model.ts';
import { InferenceEngine } from './engine.ts';
import { startInferenceServer, type StartedInference } from './inference-service.ts';
import { ModelRegistry } from './model-registry.ts';

const scratch = scratchDir('attribute-service');
const modelDir = join(scratch.dir, 'llava-tiny');
const image: ImageInput = { source: { $case: 'encoded', value: readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png')) } };
const prompt = 'Where is the cat?';
const target = '[0.12, 0.5, 0.9, 0.75]';
const MAX_STEPS = 128;

let started: StartedInference;
let client: InferenceClient;
let reference: InferenceEngine;

const unary = unaryCaller(() => client);

beforeAll(async () => {
  writeTinyLlava(modelDir);
  const models = [{ name: 'tiny', dir: modelDir, preload: true }];
  const limits = { maxAttributionSteps: MAX_STEPS };
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models, limits },
    createLogger({ level: 'silent' }),
  );
  client = new InferenceClient(started.server.address, credentials.createInsecure());
  reference = new InferenceEngine(new ModelRegistry<Model>(models, (e) => loadModel(e.dir)), { limits });
  await started.ready;
});

afterAll(async () => {
  client?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

const request = { model: 'tiny', image, prompt, target };
const attribute = (fields: Partial<AttributeRequest>) => unary(client.attribute, AttributeRequest.fromPartial({ ...request, ...fields }));

describe('Attribute', () => {
  it('equals the in-process engine bit for bit; score equals the Score RPC log-prob', async () => {
    const remote = await attribute({ steps: 8, baseline: AttributionBaseline.ATTRIBUTION_BASELINE_ZERO });
    const attributions = decodeFloat32(remote.attributions, 'attributions');
    const local = await reference.attribute({ ...request, steps: 8, baseline: { kind: 'zero' } });
    expect(remote.attributions.shape).toEqual([64]);
    expect(attributions).toEqual(local.attributions);
    expect(remote.score).toBe(local.score);
    expect(remote.baselineScore).toBe(local.baselineScore);
    const scored = await unary(client.score, ScoreRequest.fromPartial({ ...request, variants: [{ name: 'clean', interventions: [] }], maskMode: TokenMaskMode.TOKEN_MASK_MODE_ALL }));
    expect(Math.abs(remote.score - scored.scores[0].logProb)).toBeLessThan(1e-5);
    expect(remote.baselineScore).not.toBeCloseTo(remote.score, 3);
  });

  it('is complete with a mean-embedding baseline: Σ attributions ≈ score − baseline_score within 4/m²', async () => {
    await unary(client.meanEmbedding, { model: 'tiny', name: 'mean', images: [image] });
    const steps = 64;
    const remote = await attribute({ steps, baseline: AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING, meanEmbedding: 'mean' });
    const total = decodeFloat32(remote.attributions, 'attributions').reduce((a, b) => a + b, 0);
    expect(Math.abs(total - (remote.score - remote.baselineScore))).toBeLessThanOrEqual(4 / steps ** 2);
  });

  it.each([
    ['unknown model', { model: 'nope' }, status.NOT_FOUND, /model/],
    ['steps over the limit', { steps: MAX_STEPS + 1 }, status.RESOURCE_EXHAUSTED, /steps/],
    ['negative steps', { steps: -3 }, status.INVALID_ARGUMENT, /steps/],
    ['no target', { target: '' }, status.INVALID_ARGUMENT, /target/],
    ['mean baseline without a name', { baseline: AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING }, status.INVALID_ARGUMENT, /mean_embedding/],
    ['unknown mean-embedding artifact', { baseline: AttributionBaseline.ATTRIBUTION_BASELINE_MEAN_EMBEDDING, meanEmbedding: 'absent' }, status.NOT_FOUND, /mean_embedding/],
    ['unknown baseline value', { baseline: 99 }, status.INVALID_ARGUMENT, /baseline/],
    ['no image', { image: undefined }, status.INVALID_ARGUMENT, /image/],
  ])('%s → precise status naming the field', async (_, change, code, field) => {
    const error = await attribute({ steps: 2, ...(change as Partial<AttributeRequest>) }).then(
      () => null,
      (e: ServiceError) => e,
    );
    expect(error?.code).toBe(code);
    expect(error?.details).toMatch(field);
  });
});
