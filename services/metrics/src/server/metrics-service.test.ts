// The Metrics service over a real socket (grpc-js client on 127.0.0.1, port 0): results equal the
// library, health and reflection are served, and bad input answers INVALID_ARGUMENT naming the field.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { float32Tensor, uint8Tensor } from '@locscope/proto';
import { ModelFamily } from '@locscope/proto/v1/model_family';
import {
  BoxCorrection,
  ClassificationPrompt,
  MetricsClient,
  NoBoxReason,
  TokenMaskKind,
  YesNoAnswer,
} from '@locscope/proto/v1/metrics';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import { checkHealth, listServicesByReflection } from '@locscope/server-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeBatch } from '../probes/probe-data.ts';
import { syntheticPositionCode } from '../probes/synthetic-code.ts';
import { METRICS_SERVICE_NAME, startMetricsServer } from './metrics-service.ts';

let server: RunningServer;
let client: MetricsClient;

beforeAll(async () => {
  server = await startMetricsServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 16 * 1024 * 1024, shutdownGraceMs: 1000 }, createLogger({ level: 'silent' }));
  client = new MetricsClient(server.address, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
});

function call(method: keyof MetricsClient, request: unknown): Promise<any> {
  return new Promise((resolve, reject) =>
    (client[method] as Function).call(client, request, (error: ServiceError | null, response: unknown) => (error ? reject(error) : resolve(response))),
  );
}

async function expectInvalid(promise: Promise<unknown>, field: string): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: ServiceError) => e,
  )) as ServiceError | undefined;
  expect(error, `expected INVALID_ARGUMENT naming ${field}`).toBeDefined();
  expect(error!.code, error!.details).toBe(status.INVALID_ARGUMENT);
  expect(error!.details.startsWith(`${field}:`), error!.details).toBe(true);
}

const answer = (text: string, width = 640, height = 480) => ({ answer: text, width, height });

describe('locscope.v1.Metrics over a socket', () => {
  it('serves health and reflection', async () => {
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, METRICS_SERVICE_NAME)).toBe('SERVING');
    expect(await listServicesByReflection(server.address)).toContain(METRICS_SERVICE_NAME);
  });

  it('parses answers into pixel boxes with typed reasons and corrections', async () => {
    const response = await call('parseAnswers', {
      family: ModelFamily.MODEL_FAMILY_LLAVA,
      answers: [answer('[0.75, 0.75, 0.25, 0.25]'), answer('I cannot see it.')],
    });
    expect(response.boxes[0]).toEqual({ box: [160, 80, 480, 400], noBoxReason: NoBoxReason.NO_BOX_REASON_UNSPECIFIED, boxCount: 1, corrections: [BoxCorrection.BOX_CORRECTION_SWAPPED_CORNERS] });
    expect(response.boxes[1]).toMatchObject({ box: [], noBoxReason: NoBoxReason.NO_BOX_REASON_REFUSAL });
  });

  it('scores localization like the library', async () => {
    const response = await call('scoreLocalization', {
      family: ModelFamily.MODEL_FAMILY_INTERNVL,
      answers: [
        { answer: answer('<ref>dog</ref><box>[[250, 250, 750, 750]]</box>'), gtBbox: [160, 120, 320, 240] },
        { answer: answer('<box>[[250, 250, 750, 750]]</box>'), gtBbox: [160, 120, 320, 120] },
        { answer: answer(''), gtBbox: [0, 0, 10, 10] },
      ],
      iouThresholds: [],
    });
    expect(response.rows.map((r: { iou: number }) => r.iou)).toEqual([1, 0.5, 0]);
    expect(response.success).toEqual([
      { threshold: 0.5, rate: 2 / 3 },
      { threshold: 0.7, rate: 1 / 3 },
      { threshold: 0.9, rate: 1 / 3 },
    ]);
    expect(response.localization).toBeCloseTo(4 / 9, 12);
  });

  it('scores list and binary classification', async () => {
    const list = await call('scoreClassification', {
      prompt: ClassificationPrompt.CLASSIFICATION_PROMPT_LIST,
      answers: [{ answer: 'Two traffic lights and a car.', className: 'traffic light' }, { answer: 'A category.', className: 'cat' }],
    });
    expect(list.results.map((r: { correct: boolean }) => r.correct)).toEqual([true, false]);
    expect(list.accuracy).toBe(0.5);
    const binary = await call('scoreClassification', {
      prompt: ClassificationPrompt.CLASSIFICATION_PROMPT_BINARY,
      answers: [{ answer: 'Yes.', objectPresent: true }, { answer: 'No, there is none.', objectPresent: true }, { answer: 'Hmm', objectPresent: false }],
    });
    expect(binary.results).toEqual([
      { correct: true, parsed: YesNoAnswer.YES_NO_ANSWER_YES },
      { correct: false, parsed: YesNoAnswer.YES_NO_ANSWER_NO },
      { correct: false, parsed: YesNoAnswer.YES_NO_ANSWER_UNSPECIFIED },
    ]);
  });

  it('computes masked perplexity with default and explicit masks', async () => {
    const tokens = ['▁[', '0', '.', '5', ']'];
    const logProbs = float32Tensor(Float32Array.from([-0.01, Math.log(0.5), Math.log(0.5), Math.log(0.5), -0.01]), [5]);
    const response = await call('perplexity', {
      sequences: [
        { logProbs, tokens, maskKind: TokenMaskKind.TOKEN_MASK_KIND_BOX_ANSWER },
        { logProbs, tokens: [], mask: uint8Tensor(Uint8Array.from([0, 1, 0, 0, 0]), [5]), maskKind: TokenMaskKind.TOKEN_MASK_KIND_UNSPECIFIED },
      ],
    });
    expect(response.results[0].perplexity).toBeCloseTo(2, 5);
    expect(response.results[0].tokens).toBe(3);
    expect([...response.results[0].mask.data]).toEqual([0, 1, 1, 1, 0]);
    expect(response.results[1].perplexity).toBeCloseTo(2, 5);
  });

  it('computes mean mediation fractions, summaries, AUC and ranking overlap', async () => {
    const mf = await call('mediationFraction', {
      base: float32Tensor(Float32Array.from([10, 3]), [2]),
      source: float32Tensor(Float32Array.from([2, 3]), [2]),
      patched: float32Tensor(Float32Array.from([2, 10, 6, 4, 1, 1, 1, 1]), [2, 2, 2]),
    });
    expect(mf.meanMf.shape).toEqual([2, 2]);
    expect(Array.from(new Float32Array(new Uint8Array(mf.meanMf.data).buffer))).toEqual([1, 0, 0.5, 0.75]);
    expect(mf).toMatchObject({ pairsUsed: 1, pairsExcluded: 1 });

    const summary = await call('summarize', { values: [1, 0, 1, 1], groupKeys: [], objectAreas: [100, 100, 5000, 20000], baseline: 1, populationStd: false });
    expect(summary.overall).toMatchObject({ mean: 0.75, n: 4 });
    expect(summary.overall.std).toBeCloseTo(0.5, 12);
    expect(summary.sizeBuckets.map((g: { key: string }) => g.key)).toEqual(['small', 'medium', 'large']);
    expect(summary.drop).toEqual({ absolute: 0.25, relative: 0.25 });

    const auc = await call('ablationAuc', { curve: [{ removed: 0, accuracy: 0.8 }, { removed: 0.5, accuracy: 0.4 }, { removed: 1, accuracy: 0.2 }], rawAccuracy: false });
    expect(auc.normalizedAuc).toBeCloseTo(0.5625, 12);

    const overlap = await call('headRankingOverlap', {
      scoresA: float32Tensor(Float32Array.from([0.9, 0.8, 0.1, 0.7]), [2, 2]),
      scoresB: float32Tensor(Float32Array.from([0.1, 0.95, 0.9, 0.8]), [2, 2]),
      k: [1, 3],
    });
    expect(overlap.overlaps).toEqual([
      { k: 1, shared: [], fraction: 0 },
      { k: 3, shared: [1, 3], fraction: 2 / 3 },
    ]);
  });

  const probeShape = { dim: 32, gridRows: 6, gridCols: 5 };
  const probeData = () => {
    const [batch] = [...(syntheticPositionCode({ ...probeShape, images: 60, imagesPerBatch: 60, noise: 0.5, seed: 2 })() as Iterable<ProbeBatch>)];
    return batch;
  };
  const toProto = (batch: ProbeBatch, from: number, to: number) => ({
    features: float32Tensor(batch.features.subarray(from * probeShape.dim, to * probeShape.dim), [to - from, probeShape.dim]),
    rows: Array.from(batch.rows.subarray(from, to)),
    cols: Array.from(batch.cols.subarray(from, to)),
    groups: Array.from(batch.groups!.subarray(from, to)),
  });
  const training = { epochs: 3, learningRate: 0.01, batchSize: 64 };

  it('trains a position probe from raw tensor bytes', async () => {
    const batch = probeData();
    const { result } = await call('trainPositionProbe', { data: toProto(batch, 0, batch.rows.length), gridRows: 6, gridCols: 5, training });
    expect(result.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.positionAccuracy.shape).toEqual([6, 5]);
    expect(result.trainTokens + result.heldOutTokens).toBe(60 * 30);
    expect(result.epochLoss).toHaveLength(3);
  });

  it('trains a probe session fed in several messages, then deletes it', async () => {
    const batch = probeData();
    const { sessionId } = await call('createProbeSession', probeShape);
    for (let from = 0; from < batch.rows.length; from += 500) {
      const to = Math.min(batch.rows.length, from + 500);
      const { tokens } = await call('appendProbeFeatures', { sessionId, data: toProto(batch, from, to) });
      expect(tokens).toBe(to);
    }
    const { result } = await call('trainProbeSession', { sessionId, training });
    expect(result.accuracy).toBeGreaterThanOrEqual(0.99);
    expect(result.trainTokens + result.heldOutTokens).toBe(60 * 30);
    await call('deleteProbeSession', { sessionId });
    const error = await call('trainProbeSession', { sessionId, training }).catch((e: ServiceError) => e);
    expect(error).toMatchObject({ code: status.NOT_FOUND });
    expect(error.details).toMatch(/^session_id: no probe session/);
  });

  it('answers bad input with INVALID_ARGUMENT naming the field', async () => {
    await expectInvalid(call('parseAnswers', { family: ModelFamily.MODEL_FAMILY_UNSPECIFIED, answers: [answer('x')] }), 'family');
    await expectInvalid(call('parseAnswers', { family: ModelFamily.MODEL_FAMILY_LLAVA, answers: [] }), 'answers');
    await expectInvalid(call('parseAnswers', { family: ModelFamily.MODEL_FAMILY_LLAVA, answers: [answer('x', 0, 10)] }), 'answers[0].width');
    await expectInvalid(
      call('scoreLocalization', { family: ModelFamily.MODEL_FAMILY_LLAVA, answers: [{ answer: answer('x'), gtBbox: [1, 2, 3] }], iouThresholds: [] }),
      'answers[0].gt_bbox',
    );
    await expectInvalid(call('scoreLocalization', { family: ModelFamily.MODEL_FAMILY_LLAVA, answers: [{ answer: answer('x'), gtBbox: [1, 2, 3, 4] }], iouThresholds: [1.5] }), 'thresholds[0]');
    await expectInvalid(call('scoreClassification', { prompt: ClassificationPrompt.CLASSIFICATION_PROMPT_LIST, answers: [{ answer: 'x', className: '' }] }), 'answers[0].class_name');
    await expectInvalid(call('scoreClassification', { prompt: 0, answers: [{ answer: 'x', className: '', objectPresent: false }] }), 'prompt');

    const logProbs = float32Tensor(Float32Array.from([-1, -2, -3]), [3]);
    await expectInvalid(call('perplexity', { sequences: [{ logProbs, mask: uint8Tensor(Uint8Array.from([1, 1]), [2]), tokens: [], maskKind: 0 }] }), 'sequences[0].mask');
    await expectInvalid(call('perplexity', { sequences: [{ logProbs, mask: uint8Tensor(new Uint8Array(3), [3]), tokens: [], maskKind: 0 }] }), 'sequences[0]: mask');
    await expectInvalid(call('perplexity', { sequences: [{ logProbs, tokens: ['a'], maskKind: TokenMaskKind.TOKEN_MASK_KIND_BOX_ANSWER }] }), 'sequences[0].tokens');
    await expectInvalid(call('perplexity', { sequences: [{ logProbs, tokens: ['a', 'b', 'c'], maskKind: TokenMaskKind.TOKEN_MASK_KIND_BOX_ANSWER }] }), 'sequences[0]: mask');
    await expectInvalid(call('perplexity', { sequences: [{ logProbs: { dtype: 1, shape: [3], data: Buffer.alloc(5) }, tokens: [], maskKind: 0 }] }), 'sequences[0].log_probs');

    const two = float32Tensor(Float32Array.from([2, 3]), [2]);
    await expectInvalid(call('mediationFraction', { base: two, source: float32Tensor(Float32Array.from([1]), [1]), patched: two }), 'source');
    await expectInvalid(call('mediationFraction', { base: two, source: two, patched: float32Tensor(new Float32Array(3), [3, 1]) }), 'patched');
    await expectInvalid(call('summarize', { values: [], groupKeys: [], objectAreas: [], populationStd: false }), 'values');
    await expectInvalid(call('summarize', { values: [1, 2], groupKeys: [], objectAreas: [1], populationStd: false }), 'object_areas');
    await expectInvalid(call('ablationAuc', { curve: [{ removed: 0, accuracy: 1 }], rawAccuracy: false }), 'curve');
    await expectInvalid(call('headRankingOverlap', { scoresA: two, scoresB: two, k: [3] }), 'k[0]');

    const features = float32Tensor(new Float32Array(8 * 4), [8, 4]);
    const data = { features, rows: [0, 1, 0, 1, 0, 1, 0, 1], cols: [0, 1, 2, 0, 1, 2, 0, 1], groups: [] };
    const probe = { data, gridRows: 2, gridCols: 3 };
    await expectInvalid(call('trainPositionProbe', { ...probe, gridRows: 1 }), 'grid_rows');
    await expectInvalid(call('trainPositionProbe', { ...probe, data: { ...data, rows: [0, 0, 0, 0, 0, 0, 0, 0] }, training: { heldOutFraction: 0.3 } }), 'rows');
    await expectInvalid(call('trainPositionProbe', { ...probe, data: { ...data, cols: [0, 1] } }), 'data.cols');
    await expectInvalid(call('trainPositionProbe', { ...probe, data: { ...data, cols: [0, 1, 2, 3, 0, 1, 2, 0] } }), 'data.cols[3]');
    await expectInvalid(call('trainPositionProbe', { ...probe, data: { ...data, features: float32Tensor(new Float32Array(8), [8]) } }), 'data.features');
    await expectInvalid(call('trainPositionProbe', { ...probe, training: { epochs: 0 } }), 'epochs');
    await expectInvalid(call('createProbeSession', { dim: 4, gridRows: 1, gridCols: 3 }), 'grid_rows');
    const { sessionId } = await call('createProbeSession', { dim: 4, gridRows: 2, gridCols: 3 });
    await expectInvalid(call('appendProbeFeatures', { sessionId, data: { ...data, features: float32Tensor(new Float32Array(8 * 5), [8, 5]) } }), 'data.features');
    await expectInvalid(call('appendProbeFeatures', { sessionId, data: { ...data, rows: [0, 1, 0, 1, 0, 1, 0, 9] } }), 'data.rows[7]');
    await call('deleteProbeSession', { sessionId });
  });
});
