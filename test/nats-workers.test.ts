// NATS mode end to end against a real nats-server: jobs on the JetStream work queue, two worker
// processes (the real `locscope worker`), one SIGKILLed mid-run. The run must finish with exactly
// the records an undisturbed (embedded) run produces: none lost, none duplicated.
import { connectNats, ensureResources, NatsConnectionWatch, KvRecordStore, objectArtifacts, orderStages, parseConfig, registerExperiment, runEmbedded, runWithNats, ServiceConnections, type JobResult, type NatsConnection, type RunSink, type SampleEvent } from '@locscope/orchestrator';
import { arithExperiment } from '@locscope/orchestrator/testing';
import { createLogger, setupTelemetry } from '@locscope/server-kit';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARITH_PLUGIN, finished, spawnLocscope, watchLines } from './support/orchestrator.ts';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';

registerExperiment(arithExperiment);
const telemetry = setupTelemetry({ serviceName: 'nats-test', inMemory: true });
const logger = createLogger({ level: 'silent' });
const QUEUE = { ackWaitMs: 3000, maxDeliver: 4 };
const PARAMS = { count: 16, seeds: [0, 1], delayMs: 400 };

function stages(params: Record<string, unknown>) {
  const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify(params)}\n`;
  return orderStages(['arith'], new Map([['arith', parseConfig(yaml, 'arith.yaml', 'paper')]]));
}

const noDataset = async () => {
  throw new Error('arith needs no dataset');
};

let server: NatsServer;
let nc: NatsConnection;
let watch: NatsConnectionWatch;
let root: string;
const clients = new ServiceConnections({ addresses: {}, logger });

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url }, 'nats-test');
  watch = new NatsConnectionWatch(nc, logger);
  root = await mkdtemp(join(tmpdir(), 'locscope-nats-test-'));
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await clients.close();
  await rm(root, { recursive: true, force: true });
});

function natsRun(runId: string, params: Record<string, unknown>, localWorkers: number, sinks: RunSink[] = []) {
  return runWithNats({ nc, watch, runId, outDir: join(root, 'nats'), profile: 'paper', stages: stages(params), clients, loadDataset: noDataset, logger, localWorkers, sinks, ...QUEUE });
}

describe('NATS mode', () => {
  it('completes with identical records when one of two workers is SIGKILLed mid-run', async () => {
    const reference = await runEmbedded({ runId: 'k1', outDir: join(root, 'embedded'), profile: 'paper', stages: stages(PARAMS), clients, loadDataset: noDataset, logger });
    expect(reference.state.status).toBe('done');

    await ensureResources(nc, QUEUE);
    const workerArgs = ['worker', '--nats', server.url, '--concurrency', '2', '--plugin', ARITH_PLUGIN];
    const victim = spawnLocscope(workerArgs, { env: { LOCSCOPE_LOG_LEVEL: 'debug' } });
    const survivor = spawnLocscope(workerArgs);
    const victimExit = finished(victim);
    const survivorExit = finished(survivor);

    // Kill the victim right after it takes a job, once it has finished two: that job is in flight.
    const victimDone = new Set<string>();
    const victimInFlight = new Set<string>();
    watchLines(victim, (line) => {
      if (line.message === 'job received' && line.run === 'k1') {
        victimInFlight.add(String(line.sample));
        if (victimDone.size >= 2 && victim.exitCode === null && !victim.killed) victim.kill('SIGKILL');
      }
    });
    const events: SampleEvent[] = [];
    const sub = nc.subscribe('locscope.run.k1.sample', {
      callback: (_error: Error | null, msg: { json<T>(): T }) => {
        const event = msg.json<SampleEvent>();
        events.push(event);
        if (event.worker?.endsWith(`:${victim.pid}`)) {
          victimDone.add(event.sample);
          victimInFlight.delete(event.sample);
        }
      },
    });

    const outcome = await natsRun('k1', PARAMS, 0);
    sub.unsubscribe();
    survivor.kill('SIGTERM');
    expect((await victimExit).signal).toBe('SIGKILL');
    expect((await survivorExit).code).toBe(0);

    expect(outcome.state.status).toBe('done');
    expect(outcome.state.experiments.arith).toMatchObject({ total: 16, done: 16, failed: 0 });
    // The killed worker held a job it never finished; the survivor completed it after redelivery.
    expect(victimInFlight.size).toBeGreaterThan(0);
    for (const sample of victimInFlight) {
      expect(events.some((e) => e.sample === sample && e.ok && !e.worker?.endsWith(`:${victim.pid}`))).toBe(true);
    }
    const records = await new KvRecordStore(await kvRecords()).list('k1', 'arith');
    const expected = await embeddedRecords();
    expect(records.map((r) => r.key.sample)).toEqual(expected.map((r) => r.key.sample));
    expect(records).toEqual(expected);
    expect(new Set(events.filter((e) => e.ok).map((e) => e.sample)).size).toBe(16);
    expect(await readFile(join(root, 'nats/k1/aggregates/arith.json'), 'utf8')).toBe(
      await readFile(join(root, 'embedded/k1/aggregates/arith.json'), 'utf8'),
    );
    // Work queue drained: every job acked.
    const info = await (await (await ensureResources(nc)).js.jetstreamManager()).streams.info('LOCSCOPE_JOBS');
    expect(info.state.messages).toBe(0);
  });

  it('carries one trace per sample from the enqueue span to the worker span', async () => {
    telemetry.memory!.reset();
    const outcome = await natsRun('k2', { count: 4, seeds: [0], delayMs: 0 }, 2);
    expect(outcome.state.status).toBe('done');
    const spans = telemetry.memory!.getFinishedSpans();
    const traces = new Set<string>();
    for (let n = 0; n < 4; n++) {
      const sample = `s000${n}`;
      const enqueue = spans.find((s) => s.name === `enqueue arith/${sample}` && s.attributes['locscope.run'] === 'k2');
      const work = spans.find((s) => s.name === `sample arith/${sample}` && s.attributes['locscope.run'] === 'k2');
      expect(enqueue, `enqueue span of ${sample}`).toBeDefined();
      expect(work, `worker span of ${sample}`).toBeDefined();
      expect(work!.spanContext().traceId).toBe(enqueue!.spanContext().traceId);
      expect(work!.parentSpanContext?.spanId).toBe(enqueue!.spanContext().spanId);
      traces.add(enqueue!.spanContext().traceId);
    }
    expect(traces.size).toBe(4);
  });

  it('records a job as failed after max deliveries and finishes the run', async () => {
    const before = await jobEvents();
    const outcome = await natsRun('k3', { count: 3, seeds: [0], failOn: [1] }, 1);
    expect(outcome.state.status).toBe('failed');
    expect(outcome.state.experiments.arith).toMatchObject({ done: 2, failed: 1 });
    // The in-process worker's job metrics: three jobs delivered, two acked, the failing one naked
    // after each failure but the last, then terminated; every delivery settled exactly once.
    const after = await jobEvents();
    const delta = (event: string) => (after[event] ?? 0) - (before[event] ?? 0);
    expect(delta('received') - delta('redelivered')).toBe(3);
    expect([delta('acked'), delta('terminated')]).toEqual([2, 1]);
    expect(delta('naked')).toBeGreaterThanOrEqual(QUEUE.maxDeliver - 1);
    expect(delta('redelivered')).toBeGreaterThanOrEqual(QUEUE.maxDeliver - 1);
    expect(delta('received')).toBe(delta('acked') + delta('naked') + delta('terminated'));
    const failures = await new KvRecordStore(await kvRecords()).failures('k3', 'arith');
    expect(failures).toEqual([{ key: { run: 'k3', experiment: 'arith', sample: 's0001' }, error: expect.stringContaining('configured to fail'), attempts: QUEUE.maxDeliver }]);
    // Run state in KV (what `locscope status --nats` reads) and the report in the object store.
    const resources = await ensureResources(nc);
    const state = await resources.runs.get('k3.state');
    expect(state?.json()).toMatchObject({ run: 'k3', status: 'failed', experiments: { arith: { done: 2, failed: 1 } } });
    const page = await objectArtifacts(resources.artifacts, 'k3').get('report/index.html');
    expect(new TextDecoder().decode(page!)).toBe(await readFile(outcome.report, 'utf8'));
  });
});

/** The locscope.nats.jobs counter of this process, by event. */
async function jobEvents(): Promise<Record<string, number>> {
  const points = await telemetry.metricPoints('locscope.nats.jobs');
  return Object.fromEntries(points.map((p) => [String(p.attributes.event), p.value]));
}

async function kvRecords() {
  return (await ensureResources(nc)).records;
}

async function embeddedRecords(): Promise<JobResult[]> {
  const { RunDirectory } = await import('@locscope/orchestrator');
  return new RunDirectory(join(root, 'embedded'), 'k1').list('k1', 'arith');
}
