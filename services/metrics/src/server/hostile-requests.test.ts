// Issue 13 against the metrics service over a socket: Summarize with 10⁷ and 2³¹−1 resamples
// (stalled the server, then ~18 GB and INTERNAL), TrainPositionProbe with a huge batch size or
// grid (INTERNAL) and CreateProbeSession with dim 2³¹−1 (accepted) are refused before any work
// with RESOURCE_EXHAUSTED naming the field and the limit; requests at the limits are served;
// health answers throughout and memory stays bounded.
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { float32Tensor } from '@locscope/proto';
import { MetricsClient } from '@locscope/proto/v1/metrics';
import { createLogger, type RunningServer } from '@locscope/server-kit';
import { watchHealth } from '@locscope/server-kit/health-watch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_LIMITS } from './limits.ts';
import { startMetricsServer } from './metrics-service.ts';

/** Resident memory the test process may have afterwards (vitest itself included). */
const RSS_BOUND_BYTES = 1.5 * 1024 ** 3;
const INT32_MAX = 2 ** 31 - 1;

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

async function expectExhausted(promise: Promise<unknown>, field: string, flag: string): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: ServiceError) => e,
  )) as ServiceError | undefined;
  expect(error, `expected RESOURCE_EXHAUSTED naming ${field}`).toBeDefined();
  expect(error!.code, error!.details).toBe(status.RESOURCE_EXHAUSTED);
  expect(error!.details.startsWith(`${field}: `), error!.details).toBe(true);
  expect(error!.details).toContain(`(${flag})`);
}

const values = Array.from({ length: 1250 }, (_, i) => (i % 7) / 7);
const probeData = (tokens: number, dim: number) => ({
  features: float32Tensor(Float32Array.from({ length: tokens * dim }, (_, i) => Math.sin(i)), [tokens, dim]),
  rows: Array.from({ length: tokens }, (_, i) => i % 2),
  cols: Array.from({ length: tokens }, (_, i) => (i >> 1) % 2),
  groups: [],
});

describe('Metrics under hostile requests', () => {
  it('refuses unbounded work naming the field and the limit, serves requests at the limits, health answers throughout', { timeout: 120_000 }, async () => {
    const watch = watchHealth(server.address);
    await expectExhausted(call('summarize', { groupKeys: [], objectAreas: [], values, resamples: 10_000_000 }), 'resamples', 'max-resamples');
    await expectExhausted(call('summarize', { groupKeys: [], objectAreas: [], values, resamples: INT32_MAX }), 'resamples', 'max-resamples');
    const draws = DEFAULT_METRICS_LIMITS.maxResamples * values.length;
    expect(draws).toBeGreaterThan(DEFAULT_METRICS_LIMITS.maxBootstrapDraws);
    await expectExhausted(call('summarize', { groupKeys: [], objectAreas: [], values, resamples: DEFAULT_METRICS_LIMITS.maxResamples }), 'resamples', 'max-bootstrap-draws');
    // At the draw limit the bootstrap runs and answers.
    const atLimit = await call('summarize', { groupKeys: [], objectAreas: [], values, resamples: Math.floor(DEFAULT_METRICS_LIMITS.maxBootstrapDraws / values.length) });
    expect(atLimit.overall.n).toBe(values.length);

    const data = probeData(64, 8);
    await expectExhausted(call('trainPositionProbe', { data, gridRows: 2, gridCols: 2, training: { batchSize: INT32_MAX } }), 'training.batch_size', 'max-probe-training-bytes');
    await expectExhausted(call('trainPositionProbe', { data, gridRows: INT32_MAX, gridCols: INT32_MAX }), 'grid_rows', 'max-probe-grid-cells');
    await expectExhausted(call('trainPositionProbe', { data, gridRows: 2, gridCols: 2, training: { epochs: INT32_MAX } }), 'training.epochs', 'max-probe-epochs');
    const trained = await call('trainPositionProbe', { data, gridRows: 2, gridCols: 2, training: { epochs: 2 } });
    expect(trained.result.trainTokens + trained.result.heldOutTokens).toBe(64);

    await expectExhausted(call('createProbeSession', { dim: INT32_MAX, gridRows: 24, gridCols: 24 }), 'dim', 'max-probe-dim');
    await expectExhausted(call('createProbeSession', { dim: 16_384, gridRows: 32_768, gridCols: 2 }), 'dim', 'max-probe-training-bytes');
    const { sessionId } = await call('createProbeSession', { dim: 4096, gridRows: 24, gridCols: 24 });
    await expectExhausted(call('trainProbeSession', { sessionId, training: { batchSize: INT32_MAX } }), 'training.batch_size', 'max-probe-training-bytes');
    await call('deleteProbeSession', { sessionId });

    const report = await watch.stop();
    console.info(`health: ${report.checks} checks, worst ${report.worstLatencyMs.toFixed(0)} ms`);
    expect(report.failures).toEqual([]);
    expect(process.memoryUsage().rss).toBeLessThan(RSS_BOUND_BYTES);
  });

  // HeadRankingOverlap sorts both score tensors per k: with millions of scores (two of 6M: 73 s) it
  // blocked health on the event loop. It runs on the worker pool now; a kubelet-like probe must be
  // answered within its timeout throughout.
  it('answers health while a ranking overlap over millions of scores runs', { timeout: 300_000 }, async () => {
    const n = 2_000_000;
    // Two permutations of the same scores: the top k of a are indices n−1 … n−k; of b, the indices
    // i with (i · 7919) mod n in n−1 … n−k — none shared for k ≤ 8. Each k sorts both anew.
    const a = float32Tensor(new Float32Array(n).map((_, i) => i / n), [n]);
    const b = float32Tensor(new Float32Array(n).map((_, i) => ((i * 7919) % n) / n), [n]);
    const watch = watchHealth(server.address);
    const ks = [1, 2, 3, 4, 5, 6, 7, 8];
    const response = await call('headRankingOverlap', { scoresA: a, scoresB: b, k: ks });
    const report = await watch.stop();
    console.info(`health during the overlap: ${report.checks} checks, worst ${report.worstLatencyMs.toFixed(0)} ms`);
    expect(response.overlaps).toEqual(ks.map((k) => ({ k, shared: [], fraction: 0 })));
    expect(report.failures).toEqual([]);
    expect(report.checks).toBeGreaterThan(1);
  });
});
