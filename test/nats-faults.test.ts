// NATS faults against the real CLI processes (`locscope run --nats` and `locscope worker`) and a
// real nats-server on loopback: an outage of 3× the reconnect window nats.js gave before (10
// attempts × 2 s), SIGTERM of a worker and of the orchestrator mid-run, and the run settings a
// worker started earlier must follow. Every run must end with aggregates byte-identical to an
// undisturbed embedded run of the same config.
import { connectNats, ensureResources, NatsConnectionWatch, orderStages, parseConfig, registerExperiment, runWithNats, ServiceConnections, type NatsConnection, type RunState, type SampleEvent } from '@locscope/orchestrator';
import { arithExperiment } from '@locscope/orchestrator/testing';
import { createLogger } from '@locscope/server-kit';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';
import { ARITH_PLUGIN, finished, spawnLocscope, watchLines } from './support/orchestrator.ts';

registerExperiment(arithExperiment);
const logger = createLogger({ level: 'silent' });
/** nats.js's default reconnect window, which ended the connection (and the run) before: 10 attempts, 2 s apart. */
const OLD_RECONNECT_WINDOW_MS = 10 * 2_000;
const OUTAGE_MS = 3 * OLD_RECONNECT_WINDOW_MS;
const PARAMS = { count: 16, seeds: [0, 1], delayMs: 300 };

let root: string;
let configs: string;
let reference: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-nats-faults-'));
  configs = join(root, 'configs');
  await mkdir(configs);
  await writeFile(join(configs, 'arith.yaml'), `experiment: arith\nversion: 1\ndescription: fault tests\nparams: ${JSON.stringify(PARAMS)}\n`);
  const embedded = await finished(spawnLocscope(runArgs('ref', join(root, 'embedded'))));
  expect(embedded.code, embedded.stderr).toBe(0);
  reference = await readFile(join(root, 'embedded/ref/aggregates/arith.json'), 'utf8');
}, 60_000);

/** Every process a test spawns, killed at the end if a failed test left it running. */
const spawned = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

function track(child: ChildProcess): ChildProcess {
  spawned.add(child);
  return child;
}

function runArgs(runId: string, out: string, nats?: string): string[] {
  const mode = nats ? ['--nats', nats, '--workers', '0', '--ack-wait-ms', '3000'] : [];
  return ['run', '--experiments', 'arith', '--profile', 'paper', '--configs', configs, '--plugin', ARITH_PLUGIN, '--run-id', runId, '--out', out, ...mode];
}

interface Worker {
  child: ChildProcess;
  exit: ReturnType<typeof finished>;
  lines: Record<string, unknown>[];
  healthPort: Promise<number>;
}

function startWorker(url: string, level = 'info'): Worker {
  const child = track(spawnLocscope(['worker', '--nats', url, '--concurrency', '2', '--plugin', ARITH_PLUGIN, '--health-port', '0', '--health-host', '127.0.0.1'], {
    env: { LOCSCOPE_LOG_LEVEL: level },
  }));
  const lines: Record<string, unknown>[] = [];
  const healthPort = new Promise<number>((resolve) =>
    watchLines(child, (line) => {
      lines.push(line);
      if (line.message === 'health endpoint listening') resolve(Number(line.port));
    }),
  );
  return { child, exit: finished(child), lines, healthPort };
}

async function health(worker: Worker, path: '/livez' | '/readyz'): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${await worker.healthPort}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls `check` until it holds; the test's own timeout bounds the wait. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check().catch(() => false))) await sleep(200);
}

/** Resolves once `count` samples of `run` have finished, as the run's sample events tell. */
function samplesDone(nc: NatsConnection, run: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const sub = nc.subscribe(`locscope.run.${run}.sample`, {
      callback: (_error, msg) => {
        if (msg.json<SampleEvent>().ok && ++seen === count) {
          sub.unsubscribe();
          resolve();
        }
      },
    });
  });
}

describe('NATS faults', () => {
  let server: NatsServer;
  let nc: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ url: server.url }, 'fault-test');
  });

  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it(`survives a NATS outage of ${OUTAGE_MS / 1000} s mid-run: waits, reconnects, completes identically`, async () => {
    const out = join(root, 'outage');
    const stayer = startWorker(server.url);
    const leaver = startWorker(server.url);
    await Promise.all([stayer.healthPort, leaver.healthPort]);
    expect((await health(stayer, '/readyz')).status).toBe(200);
    const someDone = samplesDone(nc, 'o1', 4);
    const coordinator = track(spawnLocscope(runArgs('o1', out, server.url), { env: { LOCSCOPE_LOG_LEVEL: 'info' } }));
    const coordinatorExit = finished(coordinator);
    const coordinatorLines: Record<string, unknown>[] = [];
    watchLines(coordinator, (line) => coordinatorLines.push(line));
    await someDone;

    await server.pause();
    const outageEnds = sleep(OUTAGE_MS);
    // While NATS is down: workers are alive but not ready, the run says it is waiting for NATS.
    await eventually(async () => (await health(stayer, '/readyz')).status === 503);
    expect((await health(stayer, '/readyz')).body).toMatchObject({ status: 'unavailable', nats: 'waiting' });
    expect((await health(stayer, '/livez')).status).toBe(200);
    await eventually(async () => JSON.parse(await readFile(join(out, 'o1/state.json'), 'utf8')).waiting?.for === 'NATS');
    const waiting = await finished(spawnLocscope(['status', 'o1', '--out', out]));
    expect(waiting.stdout).toMatch(/^run o1: running \(waiting for NATS since /);
    // SIGTERM during the outage: the worker stops at once (it used to spin until killed).
    leaver.child.kill('SIGTERM');
    expect((await leaver.exit).code).toBe(0);
    await outageEnds;
    expect(coordinator.exitCode).toBeNull();
    await server.resume();

    const result = await coordinatorExit;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe(join(out, 'o1/report/index.html'));
    expect(await readFile(join(out, 'o1/aggregates/arith.json'), 'utf8')).toBe(reference);
    const state = JSON.parse(await readFile(join(out, 'o1/state.json'), 'utf8')) as RunState;
    expect(state).toMatchObject({ status: 'done', experiments: { arith: { done: 16, failed: 0 } } });
    expect(state.waiting).toBeUndefined();
    expect(coordinatorLines.some((l) => l.message === 'waiting for NATS')).toBe(true);
    expect(coordinatorLines.some((l) => l.message === 'NATS reconnected')).toBe(true);

    await eventually(async () => (await health(stayer, '/readyz')).status === 200);
    stayer.child.kill('SIGTERM');
    expect((await stayer.exit).code).toBe(0);
    // No log flood: a handful of lines per worker for the whole outage (it was ~9.7k lines/s).
    for (const worker of [stayer, leaver]) expect(worker.lines.length).toBeLessThan(50);
    expect(stayer.lines.filter((l) => l.message === 'waiting for NATS').length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('SIGTERM of a worker, then of the orchestrator, mid-run: clean exits, and the run resumes to identical aggregates', async () => {
    const out = join(root, 'sigterm');
    const worker = startWorker(server.url);
    await worker.healthPort;
    const someDone = samplesDone(nc, 't1', 3);
    const first = track(spawnLocscope(runArgs('t1', out, server.url)));
    const firstExit = finished(first);
    await someDone;
    worker.child.kill('SIGTERM');
    const workerExit = await worker.exit;
    expect(workerExit.code, workerExit.stderr).toBe(0);
    expect(worker.lines.at(-1)?.message).toBe('worker stopped');

    first.kill('SIGTERM');
    const interrupted = await firstExit;
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toContain('run t1 interrupted (received SIGTERM); run it again with --run-id t1 to resume');
    const state = JSON.parse(await readFile(join(out, 't1/state.json'), 'utf8')) as RunState;
    expect(state.status).toBe('interrupted');
    expect(state.error).toContain('received SIGTERM');
    expect(state.experiments.arith.done).toBeGreaterThanOrEqual(3);
    expect(state.experiments.arith.done).toBeLessThan(16);

    const again = startWorker(server.url);
    const resumed = await finished(spawnLocscope(runArgs('t1', out, server.url)));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await readFile(join(out, 't1/aggregates/arith.json'), 'utf8')).toBe(reference);
    again.child.kill('SIGTERM');
    expect((await again.exit).code).toBe(0);
  }, 120_000);
});

describe('NATS connection closed for good', () => {
  it('stops the run as interrupted, with the reason in its state (it used to hang, then exit 13 silently)', async () => {
    const server = await startNatsServer();
    const nc = await connectNats({ url: server.url }, 'close-test');
    const clients = new ServiceConnections({ addresses: {}, logger });
    const out = join(root, 'closed');
    try {
      let seen = 0;
      const closeAfterTwo = { state: () => {}, sample: () => void (++seen === 2 && nc.close()) };
      const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify({ count: 8, seeds: [0], delayMs: 300 })}\n`;
      const run = runWithNats({
        nc, watch: new NatsConnectionWatch(nc, logger), runId: 'c1', outDir: out, profile: 'paper', sinks: [closeAfterTwo], clients,
        stages: orderStages(['arith'], new Map([['arith', parseConfig(yaml, 'arith.yaml', 'paper')]])),
        loadDataset: async () => { throw new Error('arith needs no dataset'); }, logger, localWorkers: 2, ackWaitMs: 3000, maxDeliver: 4,
      });
      await expect(run).rejects.toThrow('run c1 interrupted (nats: NATS connection closed); run it again with --run-id c1 to resume');
      const state = JSON.parse(await readFile(join(out, 'c1/state.json'), 'utf8')) as RunState;
      expect(state).toMatchObject({ status: 'interrupted', error: expect.stringContaining('NATS connection closed') });
    } finally {
      await clients.close();
      await server.stop();
    }
  }, 60_000);
});

describe('NATS pull errors', () => {
  it('a worker whose consumer is deleted backs off with one log line, and resumes once it is back', async () => {
    const server = await startNatsServer();
    const nc = await connectNats({ url: server.url }, 'pull-errors-test');
    try {
      const jsm = await (await ensureResources(nc)).js.jetstreamManager();
      const worker = startWorker(server.url);
      await eventually(async () => worker.lines.some((l) => l.message === 'worker started'));
      await jsm.consumers.delete('LOCSCOPE_JOBS', 'locscope-workers');
      await eventually(async () => worker.lines.some((l) => l.message === 'pull failed'));
      // Pulls keep failing for as long as the consumer is missing; give them a few seconds to.
      await sleep(5_000);
      expect(worker.lines.filter((l) => l.message === 'pull failed')).toHaveLength(1);

      const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify({ count: 4, seeds: [0] })}\n`;
      const clients = new ServiceConnections({ addresses: {}, logger });
      const outcome = await runWithNats({
        nc, watch: new NatsConnectionWatch(nc, logger), runId: 'p1', outDir: join(root, 'pull-errors'), profile: 'paper', clients,
        stages: orderStages(['arith'], new Map([['arith', parseConfig(yaml, 'arith.yaml', 'paper')]])),
        loadDataset: async () => { throw new Error('arith needs no dataset'); }, logger, localWorkers: 0, ackWaitMs: 3000, maxDeliver: 4,
      });
      await clients.close();
      expect(outcome.state).toMatchObject({ status: 'done', experiments: { arith: { done: 4 } } });
      worker.child.kill('SIGTERM');
      expect((await worker.exit).code).toBe(0);
      const summary = worker.lines.filter((l) => l.message === 'pull failed');
      expect(summary.length).toBeLessThanOrEqual(2);
    } finally {
      await nc.close();
      await server.stop();
    }
  }, 90_000);
});

describe('NATS run settings', () => {
  it('a worker started before the run follows the ack wait the run set, so no job runs twice', async () => {
    const server = await startNatsServer();
    const nc = await connectNats({ url: server.url }, 'settings-test');
    try {
      // The worker creates the consumer with the default ack wait (60 s) before any run exists.
      const worker = track(spawnLocscope(['worker', '--nats', server.url, '--concurrency', '8', '--plugin', ARITH_PLUGIN], { env: { LOCSCOPE_LOG_LEVEL: 'debug' } }));
      const exit = finished(worker);
      const received: Record<string, unknown>[] = [];
      const started = new Promise<void>((resolve) =>
        watchLines(worker, (line) => {
          if (line.message === 'worker started') resolve();
          if (line.message === 'job received') received.push(line);
        }),
      );
      await started;
      const events: SampleEvent[] = [];
      const sub = nc.subscribe('locscope.run.a1.sample', { callback: (_error, msg) => void events.push(msg.json<SampleEvent>()) });
      const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify({ count: 4, seeds: [0], delayMs: 2500 })}\n`;
      const stages = orderStages(['arith'], new Map([['arith', parseConfig(yaml, 'arith.yaml', 'paper')]]));
      const clients = new ServiceConnections({ addresses: {}, logger });
      const outcome = await runWithNats({
        nc, watch: new NatsConnectionWatch(nc, logger), runId: 'a1', outDir: join(root, 'settings'), profile: 'paper', stages, clients,
        loadDataset: async () => { throw new Error('arith needs no dataset'); }, logger, localWorkers: 0, ackWaitMs: 1500, maxDeliver: 4,
      });
      await clients.close();
      expect(outcome.state.status).toBe('done');
      // Events of a job run twice would arrive after the run's end; give them the time a redelivery takes.
      await sleep(2_000);
      sub.unsubscribe();
      worker.kill('SIGTERM');
      expect((await exit).code).toBe(0);
      expect(received.map((l) => [l.sample, l.delivery, l.ackWaitMs])).toEqual(expect.arrayContaining([['s0000', 1, 1500], ['s0001', 1, 1500], ['s0002', 1, 1500], ['s0003', 1, 1500]]));
      expect(received).toHaveLength(4);
      expect(events.filter((e) => e.ok)).toHaveLength(4);
      const consumer = await (await (await ensureResources(nc)).js.jetstreamManager()).consumers.info('LOCSCOPE_JOBS', 'locscope-workers');
      expect(consumer.config.ack_wait).toBe(1500 * 1e6);
    } finally {
      await nc.close();
      await server.stop();
    }
  }, 60_000);
});
