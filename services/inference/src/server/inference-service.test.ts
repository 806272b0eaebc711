// The Inference service over a real socket on the LLaVA parity checkpoint (with a test tokenizer):
// results equal an independent in-process engine bit for bit, generation with knockout equals a
// greedy full recompute without KV cache, and bad input gets precise statuses.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { decodeFloat32 } from '@locscope/proto';
import {
  InferenceClient,
  TextSpan,
  TokenMaskMode,
  type CaptureResponse,
  type ImageInput,
  type Intervention,
  type Variant,
} from '@locscope/proto/v1/inference';
import { createLogger } from '@locscope/server-kit';
import { checkHealth } from '@locscope/server-kit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HF_PARITY_DIR, scratchDir } from '../checkpoint/test-support.ts';
import { unaryCaller, writeTinyLlava } from './test-support.ts';
import { loadModel, type Model } from '../runtime/model.ts';
import { InferenceEngine } from './engine.ts';
import { INFERENCE_SERVICE_NAME, startInferenceServer, type StartedInference } from './inference-service.ts';
import { ModelRegistry } from './model-registry.ts';

const scratch = scratchDir('inference-service');
const modelDir = join(scratch.dir, 'llava-tiny');
const image: ImageInput = { source: { $case: 'encoded', value: readFileSync(join(HF_PARITY_DIR, 'preprocess/landscape_640x427.png')) } };
const sourceImage: ImageInput = { source: { $case: 'encoded', value: readFileSync(join(HF_PARITY_DIR, 'preprocess/portrait_300x500.png')) } };
const prompt = 'Where is the cat?';
const target = '[0.12, 0.5, 0.9, 0.75]';

let started: StartedInference;
let client: InferenceClient;
let reference: InferenceEngine;

const unary = unaryCaller(() => client);

beforeAll(async () => {
  writeTinyLlava(modelDir);
  const models = [{ name: 'tiny', dir: modelDir, preload: true }];
  started = await startInferenceServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 },
    { models, limits: { maxVariants: 8 } },
    createLogger({ level: 'silent' }),
  );
  client = new InferenceClient(started.server.address, credentials.createInsecure());
  reference = new InferenceEngine(new ModelRegistry<Model>(models, (e) => loadModel(e.dir)), { limits: { maxVariants: 8 } });
});

afterAll(async () => {
  client?.close();
  await started?.server.shutdown();
  scratch.cleanup();
});

const knockout = (layers: number[]): Intervention => ({
  kind: {
    $case: 'knockout',
    value: {
      layers,
      queries: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] },
      keys: { span: TextSpan.TEXT_SPAN_UNSPECIFIED, visual: { flat: [], coordinates: [0, 1, 2].flatMap((row) => [2, 3].map((col) => ({ view: 0, row, col }))) }, explicit: [] },
    },
  },
});
const variants: Variant[] = [
  { name: 'clean', interventions: [] },
  { name: 'knockout', interventions: [knockout([0, 2])] },
  { name: 'ablate', interventions: [{ kind: { $case: 'ablate', value: { heads: [{ layer: 1, head: 2 }] } } }] },
  { name: 'zero-tokens', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: [0, 9, 18], coordinates: [] }, value: { $case: 'zero', value: true } } } }] },
  { name: 'move', interventions: [{ kind: { $case: 'move', value: { dst: [0, 1, 2], src: [63, 62, 61] } } }] },
  {
    name: 'patch',
    interventions: [
      { kind: { $case: 'patch', value: { heads: [{ layer: 0, head: 1 }], positions: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, source: { $case: 'sourceImage', value: sourceImage } } } },
    ],
  },
];

describe('Inference service', () => {
  it('turns SERVING once the models are loaded', async () => {
    await started.ready;
    expect(await checkHealth(started.server.address, INFERENCE_SERVICE_NAME)).toBe('SERVING');
    const list = await unary(client.listModels, {});
    expect(list.models).toEqual([{ name: 'tiny', family: 1, loaded: true }]);
    const info = await unary(client.modelInfo, { model: 'tiny' });
    expect(info).toMatchObject({ layers: 3, heads: 4, headDim: 16, gridSize: 8, imageSize: 112 });
  });

  it('scores every variant in one batch, equal to the in-process engine bit for bit', async () => {
    const remote = await unary(client.score, { model: 'tiny', image, prompt, target, variants, maskMode: TokenMaskMode.TOKEN_MASK_MODE_UNSPECIFIED, mask: [] });
    const local = await reference.score({ model: 'tiny', image, prompt, target, variants, mask: { kind: 'answer' } });
    expect(remote.targetTokens).toEqual(local.targetTokens);
    expect(remote.mask).toEqual(local.mask);
    // Box answers count digits and decimal points only.
    expect(remote.mask.filter(Boolean).length).toBeLessThan(remote.mask.length);
    expect(remote.scores.map((s: any) => s.variant)).toEqual(variants.map((v) => v.name));
    remote.scores.forEach((s: any, b: number) => {
      expect(Buffer.from(s.tokenLogProbs!.data)).toEqual(Buffer.from(local.scores[b].tokenLogProbs.buffer, local.scores[b].tokenLogProbs.byteOffset, local.scores[b].tokenLogProbs.byteLength));
      expect(s.perplexity).toBe(local.scores[b].perplexity);
    });
    // Every intervention changes something, and the clean run is unchanged by batching.
    const clean = decodeFloat32(remote.scores[0].tokenLogProbs, 'clean');
    for (const s of remote.scores.slice(1)) expect(decodeFloat32(s.tokenLogProbs, s.variant)).not.toEqual(clean);
    const alone = await reference.score({ model: 'tiny', image, prompt, target, variants: [variants[0]], mask: { kind: 'all' } });
    expect(Array.from(alone.scores[0].tokenLogProbs)).toEqual(Array.from(clean).map((v, i) => expect.closeTo(v, 5)));
  });

  it('runs only the suffix after the shared clean prefix, equal to a full recompute', async () => {
    // Knockout, ablation and patching all start after the image: the engine reuses the clean KV cache.
    const suffixOnly = [variants[0], variants[1], variants[2], variants[5]];
    const engine = await reference.score({ model: 'tiny', image, prompt, target, variants: suffixOnly, mask: { kind: 'all' } });
    const bound = await reference.bindImage('tiny', image);
    const forced = bound.model.checkpoint.prompt.encodeWithTarget(prompt, target);
    const embeds = await bound.model.embedWithImage(forced.ids, bound.encoded.features);
    const keys = [0, 1, 2].flatMap((row) => [2, 3].map((col) => forced.image.start + row * 8 + col));
    const after = Array.from({ length: forced.ids.length - forced.image.end }, (_, i) => forced.image.end + i);
    const sourceBound = await reference.bindImage('tiny', sourceImage);
    const sourceRun = await bound.model.forward({
      inputsEmbeds: await bound.model.embedWithImage(forced.ids, sourceBound.encoded.features),
      seqLen: forced.ids.length,
      variants: [{}],
      captures: { attnPreOProj: true },
    });
    const layer0 = sourceRun.captures['attn_pre_o_proj.0'].data;
    const patchValues = new Float32Array(after.length * 16);
    after.forEach((pos, k) => patchValues.set(layer0.subarray(pos * 64 + 16, pos * 64 + 32), k * 16));
    const full = await bound.model.score({
      inputsEmbeds: embeds,
      seqLen: forced.ids.length,
      variants: [
        {},
        { knockouts: [{ layers: [0, 2], keyPositions: keys, queriesFrom: forced.image.end }] },
        { ablations: [{ layer: 1, head: 2 }] },
        { patches: [{ layer: 0, head: 1, positions: after, values: patchValues }] },
      ],
      targets: { positions: Array.from({ length: forced.target.end - forced.target.start }, (_, i) => forced.target.start + i), tokenIds: forced.ids.slice(forced.target.start) },
    });
    engine.scores.forEach((s, b) => {
      const diff = Math.max(...Array.from(s.tokenLogProbs, (v, i) => Math.abs(v - full[b][i])));
      expect(diff).toBeLessThan(1e-5);
    });
  });

  it('streams captures that reassemble to the in-process tensors', async () => {
    const request = {
      model: 'tiny',
      image,
      prompt,
      target: '',
      variants: variants.slice(0, 2),
      spec: { layers: [1], hiddenStates: true, headOutputs: true, attentionProbs: true, visionStates: false },
      storeAs: '',
    };
    const chunks: CaptureResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.capture(request);
      stream.on('data', (c: CaptureResponse) => chunks.push(c));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const local = await reference.capture(request);
    expect(local.length).toBeGreaterThan(0);
    for (const t of local) {
      const parts = chunks.filter((c) => c.name === t.name && c.variant === t.variant);
      const bytes = Buffer.concat(parts.map((p) => Buffer.from(p.data)));
      expect(parts[0].shape).toEqual(t.shape);
      expect(bytes).toEqual(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
    expect(local.map((t) => t.name).sort()).toContain('head_outputs.1');
  });

  it('generates with knockout active while decoding, equal to a greedy recompute without KV cache', async () => {
    const ko = variants[1];
    const response = await unary(client.generate, { model: 'tiny', image, prompt, variants: [ko], maxNewTokens: 6, stop: [] });
    const generated = response.generations[0].tokenIds;
    expect(generated.length).toBeGreaterThan(0);

    // Recompute: full forward over the growing sequence, knockout applied to every position after the image.
    const bound = await reference.bindImage('tiny', image);
    const encoded = bound.model.checkpoint.prompt.encode(prompt);
    const ids = [...encoded.ids];
    const keys = [0, 1, 2].flatMap((row) => [2, 3].map((col) => encoded.image.start + row * 8 + col));
    const recomputed: number[] = [];
    for (let step = 0; step < generated.length; step++) {
      const embeds = await bound.model.embedWithImage(ids, bound.encoded.features);
      const out = await bound.model.forward({
        inputsEmbeds: embeds,
        seqLen: ids.length,
        variants: [{ knockouts: [{ layers: [0, 2], keyPositions: keys, queriesFrom: encoded.image.end }] }],
        logits: 'last',
      });
      const logits = out.logits.data;
      let best = 0;
      for (let v = 1; v < logits.length; v++) if (logits[v] > logits[best]) best = v;
      recomputed.push(best);
      ids.push(best);
      if (best === 2) break;
    }
    expect(generated).toEqual(recomputed);
  });

  it('sweeps heads: each patched perplexity equals a separate Score with that head patched', async () => {
    const heads = [{ layer: 0, head: 1 }, { layer: 2, head: 3 }];
    const sweep = await unary(client.headSweep, { model: 'tiny', baseImage: image, sourceImage, prompt, target, heads, maskMode: 0, mask: [] });
    expect(sweep.heads).toEqual(heads);
    const single = await reference.score({
      model: 'tiny',
      image,
      prompt,
      target,
      mask: { kind: 'answer' },
      variants: [
        { name: 'base', interventions: [] },
        ...heads.map((h) => ({
          name: 'p',
          interventions: [{ kind: { $case: 'patch' as const, value: { heads: [h], positions: { span: TextSpan.TEXT_SPAN_AFTER_IMAGE, explicit: [] }, source: { $case: 'sourceImage' as const, value: sourceImage } } } }],
        })),
      ],
    });
    expect(sweep.basePerplexity).toBe(single.scores[0].perplexity);
    expect(sweep.patchedPerplexities).toEqual(single.scores.slice(1).map((s) => s.perplexity));
    const source = await reference.score({ model: 'tiny', image: sourceImage, prompt, target, variants: [], mask: { kind: 'answer' } });
    expect(sweep.sourcePerplexity).toBe(source.scores[0].perplexity);
  });

  it('keeps a running mean embedding as a named artifact usable for replacement', async () => {
    const first = await unary(client.meanEmbedding, { model: 'tiny', name: 'mean', images: [image] });
    expect(first.count).toBe(64);
    const both = await unary(client.meanEmbedding, { model: 'tiny', name: 'mean', images: [sourceImage] });
    expect(both.count).toBe(128);
    const replaced = await unary(client.score, {
      model: 'tiny',
      image,
      prompt,
      target,
      maskMode: 0,
      mask: [],
      variants: [{ name: 'mean', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: [5], coordinates: [] }, value: { $case: 'meanEmbedding', value: 'mean' } } } }] }],
    });
    expect(replaced.scores).toHaveLength(1);
  });

  it('answers bad input with precise statuses naming the field', async () => {
    const base = { model: 'tiny', image, prompt, target, maskMode: 0, mask: [] };
    const cases: [unknown, number, RegExp][] = [
      [{ ...base, model: 'nope', variants: [] }, status.NOT_FOUND, /^model: unknown model "nope"/],
      [{ ...base, variants: [{ name: 'x', interventions: [{ kind: { $case: 'ablate', value: { heads: [{ layer: 3, head: 0 }] } } }] }] }, status.INVALID_ARGUMENT, /variants\[0\]\.interventions\[0\]\.ablate\.heads\[0\]\.layer: layer 3 outside \[0, 3\)/],
      [{ ...base, image: { source: { $case: 'encoded', value: Buffer.from('not an image') } }, variants: [] }, status.INVALID_ARGUMENT, /^image\.encoded/],
      [{ ...base, image: undefined, variants: [] }, status.INVALID_ARGUMENT, /^image: image is required/],
      [{ ...base, variants: Array(9).fill({ name: 'v', interventions: [] }) }, status.INVALID_ARGUMENT, /^variants: 9 variants exceed the limit of 8/],
      [{ ...base, maskMode: TokenMaskMode.TOKEN_MASK_MODE_EXPLICIT, mask: [true], variants: [] }, status.INVALID_ARGUMENT, /^mask: 1 flags for/],
      [
        { ...base, variants: [{ name: 'm', interventions: [{ kind: { $case: 'replace', value: { positions: { flat: [1], coordinates: [] }, value: { $case: 'meanEmbedding', value: 'missing' } } } }] }] },
        status.NOT_FOUND,
        /mean_embedding: no mean-embedding artifact "missing"/,
      ],
    ];
    for (const [request, code, details] of cases) {
      const error = (await unary(client.score, request as never).catch((e) => e)) as ServiceError;
      expect({ code: error.code, details: error.details }).toEqual({ code, details: expect.stringMatching(details) });
    }
  });
});
