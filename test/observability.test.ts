// One trace across orchestrator → NATS → worker → inference, the metrics of that run and the log
// lines that join them: one baseline sample per job through a real nats-server's work queue, a
// worker in this process pulling it, and the real inference service (demo models) it calls.
import { connectNats, datasetForConfig, NatsConnectionWatch, orderStages, parseConfig, registerStudyExperiments, runWithNats, ServiceConnections, type NatsConnection } from '@locscope/orchestrator';
import { createLogger, setupTelemetry, type DataPoint, type Histogram } from '@locscope/server-kit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';

const telemetry = setupTelemetry({ serviceName: 'observability-test', inMemory: true });
const lines: Record<string, unknown>[] = [];
const logger = createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) });
const SAMPLES = 2;
/** What baseline asks per sample: one answer per demo model and task. */
const MODELS = ['demo-llava', 'demo-internvl'];
const TASKS = 2;

let server: NatsServer;
let nc: NatsConnection;
let root: string;
const clients = new ServiceConnections({ addresses: {}, logger });

beforeAll(async () => {
  registerStudyExperiments();
  server = await startNatsServer();
  nc = await connectNats({ url: server.url }, 'observability-test');
  root = await mkdtemp(join(tmpdir(), 'locscope-observability-'));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await clients.close();
  await telemetry.shutdown();
  await rm(root, { recursive: true, force: true });
});

const points = <T = number>(name: string) => telemetry.metricPoints<T>(name);

/** The sum of the points whose attributes include `match`. */
function sum(list: DataPoint<number>[], match: Record<string, string> = {}): number {
  return list.filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v)).reduce((total, p) => total + p.value, 0);
}

describe('observability', () => {
  it('follows each sample in one trace from the enqueue to the inference handlers, with metrics and log lines to match', async () => {
    const config = parseConfig(`experiment: baseline\nversion: 1\ndescription: d\nsamples: ${SAMPLES}\n`, 'baseline.yaml', 'paper');
    const outcome = await runWithNats({
      nc,
      watch: new NatsConnectionWatch(nc, logger),
      runId: 'o1',
      outDir: root,
      profile: 'paper',
      stages: orderStages(['baseline'], new Map([['baseline', config]])),
      clients,
      loadDataset: (c) => datasetForConfig(c),
      logger,
      localWorkers: 1,
      ackWaitMs: 30_000,
      maxDeliver: 2,
    });
    expect(outcome.state.status, JSON.stringify(outcome.state)).toBe('done');
    expect(outcome.state.experiments.baseline).toMatchObject({ total: SAMPLES, done: SAMPLES, failed: 0 });

    // Traces: enqueue (orchestrator) → sample (worker, parent from the NATS headers) → the
    // inference service's handler spans (parent from the gRPC metadata).
    const spans = telemetry.memory!.getFinishedSpans();
    const enqueues = spans.filter((s) => s.name.startsWith('enqueue baseline/'));
    expect(enqueues).toHaveLength(SAMPLES);
    const traces = new Set<string>();
    for (const enqueue of enqueues) {
      const traceId = enqueue.spanContext().traceId;
      const sample = spans.find((s) => s.name === enqueue.name.replace('enqueue', 'sample'));
      expect(sample, enqueue.name).toBeDefined();
      expect(sample!.spanContext().traceId).toBe(traceId);
      expect(sample!.parentSpanContext?.spanId).toBe(enqueue.spanContext().spanId);
      const handlers = spans.filter((s) => s.spanContext().traceId === traceId && s.name.startsWith('locscope.v1.Inference/'));
      // (ModelInfo answers are cached by the orchestrator's client: only the first sample asks.)
      expect(handlers.filter((s) => s.name === 'locscope.v1.Inference/Generate')).toHaveLength(TASKS * MODELS.length);
      for (const handler of handlers) expect(handler.parentSpanContext?.spanId).toBe(sample!.spanContext().spanId);
      traces.add(traceId);
    }
    expect(traces.size).toBe(SAMPLES);

    // gRPC server metrics: one histogram count per call made, all OK.
    const calls = await points<Histogram>('rpc.server.call.duration');
    const count = (method: string) =>
      calls.filter((p) => p.attributes['rpc.service'] === 'locscope.v1.Inference' && p.attributes['rpc.method'] === method).reduce((n, p) => n + p.value.count, 0);
    expect(count('Generate')).toBe(SAMPLES * MODELS.length * TASKS);
    expect(count('ModelInfo')).toBe(spans.filter((s) => s.name === 'locscope.v1.Inference/ModelInfo').length);
    expect(count('ModelInfo')).toBeGreaterThan(0);
    expect(calls.every((p) => p.attributes['rpc.grpc.status_code'] === 0 && p.attributes['rpc.system'] === 'grpc')).toBe(true);
    expect(calls.every((p) => (p.value.sum ?? 0) > 0)).toBe(true);
    // The same calls seen by the worker's clients.
    const made = await points<Histogram>('rpc.client.call.duration');
    const madeCount = (method: string) => made.filter((p) => p.attributes['rpc.method'] === method && p.attributes['rpc.grpc.status_code'] === 0).reduce((n, p) => n + p.value.count, 0);
    expect(madeCount('Generate')).toBe(count('Generate'));
    expect(madeCount('ModelInfo')).toBe(count('ModelInfo'));

    // Run progress and the work queue: every planned sample done, every job pulled once and acked.
    expect(sum(await points('locscope.run.samples'), { experiment: 'baseline', outcome: 'done' })).toBe(SAMPLES);
    expect(sum(await points('locscope.run.samples'), { outcome: 'failed' })).toBe(0);
    const jobs = await points('locscope.nats.jobs');
    expect(sum(jobs, { event: 'received' })).toBe(SAMPLES);
    expect(sum(jobs, { event: 'acked' })).toBe(SAMPLES);
    expect(sum(jobs, { event: 'redelivered' }) + sum(jobs, { event: 'naked' }) + sum(jobs, { event: 'terminated' })).toBe(0);

    // Inference: one variant per Generate; each generated token needs a decoder forward; both tasks
    // ask about one image, so each model encodes it once per sample image and reuses it.
    expect(sum(await points('locscope.inference.variants'))).toBe(SAMPLES * MODELS.length * TASKS);
    const tokens = sum(await points('locscope.inference.tokens.generated'));
    expect(tokens).toBeGreaterThan(0);
    expect(sum(await points('locscope.inference.forwards'), { graph: 'decoder' })).toBeGreaterThanOrEqual(tokens);
    expect(sum(await points('locscope.inference.forwards'), { graph: 'vision' })).toBe(SAMPLES * MODELS.length);
    const encodings = await points('locscope.inference.cache.lookups');
    expect(sum(encodings, { cache: 'image_encoding', result: 'miss' })).toBe(SAMPLES * MODELS.length);
    expect(sum(encodings, { cache: 'image_encoding', result: 'hit' })).toBe(SAMPLES * MODELS.length * (TASKS - 1));
    expect((await points('locscope.inference.admission.queued')).map((p) => p.value)).toEqual([0]);

    // Logs: a line written inside a sample's span names its trace (the in-process service starting
    // on the first sample's first call); lines outside any span carry no ids.
    const started = lines.filter((l) => l.message === 'started in-process service');
    expect(started.length).toBeGreaterThan(0);
    for (const line of started) {
      expect(traces.has(String(line.trace_id)), JSON.stringify(line)).toBe(true);
      expect(spans.some((s) => s.spanContext().spanId === line.span_id)).toBe(true);
    }
  });
});
