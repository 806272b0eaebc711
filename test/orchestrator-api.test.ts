// locscope.v1.Orchestrator end to end, as another team calls it: a real server (embedded, then
// NATS mode against a real nats-server), the generated client, the test-only arith experiment.
// A run submitted over gRPC must equal the same run started with the CLI, byte for byte.
import { credentials, Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { startOrchestratorServer, type OrchestratorFlagValues } from '@locscope/orchestrator';
import {
  OrchestratorClient,
  RunStatus,
  type CancelRunResponse,
  type GetReportResponse,
  type GetRunResponse,
  type ListRunsResponse,
  type SubmitRunRequest,
  type SubmitRunResponse,
  type WatchRunResponse,
} from '@locscope/proto/v1/orchestrator';
import { createLogger, DEFAULT_HOST, DEFAULT_MAX_MESSAGE_BYTES, type RunningServer } from '@locscope/server-kit';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';
import { ARITH_PLUGIN, finished, spawnLocscope } from './support/orchestrator.ts';

const logger = createLogger({ level: 'silent' });
const arithYaml = (count: number) =>
  `experiment: arith\nversion: 1\ndescription: slow arithmetic\nparams:\n  count: ${count}\n  seeds: [0, 1]\n  delayMs: 150\n`;

let root: string;
/** The server's configs (count 8) and the CLI reference's (count 12, what the override asks for). */
let serverConfigs: string;
let cliConfigs: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'locscope-api-'));
  serverConfigs = join(root, 'server-configs');
  cliConfigs = join(root, 'cli-configs');
  await mkdir(serverConfigs);
  await mkdir(cliConfigs);
  await writeFile(join(serverConfigs, 'arith.yaml'), arithYaml(8));
  await writeFile(join(cliConfigs, 'arith.yaml'), arithYaml(12));
  const cli = await finished(
    spawnLocscope(['run', '--experiments', 'arith', '--run-id', 'g1', '--out', join(root, 'cli'), '--configs', cliConfigs, '--plugin', ARITH_PLUGIN]),
  );
  expect(cli.code, cli.stderr).toBe(0);
});
afterAll(() => rm(root, { recursive: true, force: true }));

type Unary<Req, Res> = (request: Req, metadata: Metadata, callback: (error: ServiceError | null, response: Res) => void) => unknown;

function call<Req, Res>(method: Unary<Req, Res>, client: OrchestratorClient, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new Metadata(), (error, response) => (error ? reject(error) : resolve(response))),
  );
}

function collect<T>(stream: ClientReadableStream<T>): Promise<T[]> {
  const items: T[] = [];
  return new Promise((resolve, reject) => {
    stream.on('data', (item: T) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

async function startOrchestrator(out: string, extra: OrchestratorFlagValues = {}) {
  const values: OrchestratorFlagValues = { out, configs: [serverConfigs], plugin: [ARITH_PLUGIN], ...extra };
  const server = await startOrchestratorServer(
    { host: DEFAULT_HOST, port: 0, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, shutdownGraceMs: 5000 },
    { logger, values, addresses: {} },
  );
  const client = new OrchestratorClient(server.address, credentials.createInsecure());
  return {
    server,
    client,
    submit: (request: Partial<SubmitRunRequest>) =>
      call<SubmitRunRequest, SubmitRunResponse>(client.submitRun, client, { runId: '', experiments: [], profile: '', dataset: undefined, configOverrides: {}, ...request }),
    get: (runId: string) => call<{ runId: string }, GetRunResponse>(client.getRun, client, { runId }),
    list: () => call<object, ListRunsResponse>(client.listRuns, client, {}),
    cancel: (runId: string) => call<{ runId: string }, CancelRunResponse>(client.cancelRun, client, { runId }),
    watch: (runId: string, afterSequence = 0) => client.watchRun({ runId, afterSequence }),
    report: (runId: string, paths: string[] = [], listOnly = false) => collect<GetReportResponse>(client.getReport({ runId, paths, listOnly })),
    async close() {
      client.close();
      await server.shutdown();
    },
  };
}

const ARITH_12 = { experiments: ['arith'], configOverrides: { arith: { params: { count: 12 } } } };

function reassemble(chunks: GetReportResponse[]): Map<string, Buffer> {
  const files = new Map<string, Buffer[]>();
  for (const c of chunks) files.set(c.path, [...(files.get(c.path) ?? []), c.data]);
  return new Map([...files].map(([path, parts]) => [path, Buffer.concat(parts)]));
}

async function expectSameAsCli(out: string, runId: string): Promise<void> {
  for (const file of ['aggregates/arith.json', 'report/arith/sums.csv', 'report/tables.json']) {
    expect(await readFile(join(out, runId, file), 'utf8'), file).toBe(await readFile(join(root, 'cli/g1', file), 'utf8'));
  }
}

/** Submit → WatchRun to the done event → GetReport, the same in both modes. */
async function submitWatchReport(api: Awaited<ReturnType<typeof startOrchestrator>>, runId: string) {
  const submitted = await api.submit({ ...ARITH_12, runId });
  expect(submitted.created).toBe(true);
  expect(submitted.run!.status).toBe(RunStatus.RUN_STATUS_RUNNING);
  const events = await collect<WatchRunResponse>(api.watch(runId));
  const last = events[events.length - 1];
  expect(last.event?.$case).toBe('done');
  expect(last.event?.value).toMatchObject({ runId, status: RunStatus.RUN_STATUS_DONE, experiments: { arith: { total: 12, done: 12, failed: 0 } } });
  const samples = events.flatMap((e) => (e.event?.$case === 'sample' ? [e.event.value] : []));
  expect(new Set(samples.filter((s) => s.ok).map((s) => s.sample)).size).toBe(12);
  const sequences = events.map((e) => e.sequence);
  expect(sequences).toEqual([...sequences].sort((a, b) => a - b));

  // Resuming the watch after any event replays exactly the events after it.
  const cut = Math.floor(events.length / 2);
  const replay = await collect<WatchRunResponse>(api.watch(runId, events[cut - 1].sequence));
  expect(replay).toEqual(events.slice(cut));

  const listing = await api.report(runId, [], true);
  expect(listing.map((f) => f.path)).toEqual(expect.arrayContaining(['index.html', 'report.md', 'tables.json', 'arith/sums.csv', 'arith/aggregate.json']));
  expect(listing.every((f) => f.data.length === 0 && f.size > 0)).toBe(true);
  const files = reassemble(await api.report(runId, ['arith/aggregate.json', 'index.html']));
  expect([...files.keys()]).toEqual(['arith/aggregate.json', 'index.html']);
  expect(files.get('arith/aggregate.json')!.toString()).toBe(await readFile(join(root, 'cli/g1/report/arith/aggregate.json'), 'utf8'));
  return events;
}

async function expectStatus(promise: Promise<unknown>, code: status, message: RegExp): Promise<void> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as ServiceError | undefined;
  expect(error, 'the call should fail').toBeDefined();
  expect(error!.code).toBe(code);
  expect(error!.details).toMatch(message);
}

describe('Orchestrator service, embedded', () => {
  let api: Awaited<ReturnType<typeof startOrchestrator>>;
  const out = () => join(root, 'embedded');
  beforeAll(async () => {
    api = await startOrchestrator(join(root, 'embedded'));
  });
  afterAll(() => api.close());

  it('runs a submitted run to byte-identical aggregates of the CLI run, streams events and the report', async () => {
    await submitWatchReport(api, 'g1');
    await expectSameAsCli(out(), 'g1');
    const files = reassemble(await api.report('g1', ['index.html']));
    expect(files.get('index.html')!.equals(await readFile(join(out(), 'g1/report/index.html')))).toBe(true);
    expect((await api.get('g1')).run).toMatchObject({ runId: 'g1', status: RunStatus.RUN_STATUS_DONE, report: join(out(), 'g1/report/index.html') });
  });

  it('is idempotent on the run id: a finished run is returned, not run again', async () => {
    const before = await readFile(join(out(), 'g1/events.jsonl'), 'utf8');
    const again = await api.submit({ ...ARITH_12, runId: 'g1' });
    expect(again.created).toBe(false);
    expect(again.run).toMatchObject({ runId: 'g1', status: RunStatus.RUN_STATUS_DONE });
    expect(await readFile(join(out(), 'g1/events.jsonl'), 'utf8')).toBe(before);
    await expectStatus(api.submit({ runId: 'g1', experiments: ['arith'] }), status.FAILED_PRECONDITION, /experiment arith changed since the run started/);
  });

  it('cancels a running run, which then resumes to the same aggregates', async () => {
    await api.submit({ ...ARITH_12, runId: 'g2' });
    const stream = api.watch('g2');
    let okSamples = 0;
    let cancelled: Promise<CancelRunResponse> | undefined;
    const events = await new Promise<WatchRunResponse[]>((resolve, reject) => {
      const seen: WatchRunResponse[] = [];
      stream.on('data', (event: WatchRunResponse) => {
        seen.push(event);
        if (event.event?.$case === 'sample' && ++okSamples === 3) cancelled = api.cancel('g2');
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(seen));
    });
    const done = events[events.length - 1].event;
    expect(done).toMatchObject({ $case: 'done', value: { status: RunStatus.RUN_STATUS_INTERRUPTED, error: `run g2 interrupted (cancelled by CancelRun); run it again with --run-id g2 to resume` } });
    const final = await cancelled!;
    expect(final.run!.status).toBe(RunStatus.RUN_STATUS_INTERRUPTED);
    const stored = (await readdir(join(out(), 'g2/records/arith'))).filter((f) => f.endsWith('.json')).length;
    expect(stored).toBeGreaterThanOrEqual(3);
    expect(stored).toBeLessThan(12);
    await expectStatus(api.cancel('g2'), status.FAILED_PRECONDITION, /run g2 is not running in this orchestrator \(status interrupted\)/);

    const resumed = await api.submit({ ...ARITH_12, runId: 'g2' });
    expect(resumed.created).toBe(true);
    // The resumed execution's events continue the log: watch from the interrupted run's done event.
    const rest = await collect<WatchRunResponse>(api.watch('g2', events[events.length - 1].sequence));
    expect(rest[0].sequence).toBe(events[events.length - 1].sequence + 1);
    expect(rest[rest.length - 1].event).toMatchObject({ $case: 'done', value: { status: RunStatus.RUN_STATUS_DONE } });
    const resumedSamples = rest.filter((e) => e.event?.$case === 'sample').length;
    expect(resumedSamples).toBe(12 - stored);
    await expectSameAsCli(out(), 'g2');
  });

  it('lists runs in id order', async () => {
    const { runs } = await api.list();
    expect(runs.map((r) => [r.runId, r.status])).toEqual([
      ['g1', RunStatus.RUN_STATUS_DONE],
      ['g2', RunStatus.RUN_STATUS_DONE],
    ]);
  });

  it('answers bad requests with the status and the field', async () => {
    await expectStatus(api.get('nope'), status.NOT_FOUND, /^run_id: no run "nope"/);
    await expectStatus(api.get('../x'), status.INVALID_ARGUMENT, /^run_id: "..\/x" is not a valid run id/);
    await expectStatus(api.submit({ experiments: ['arith'], profile: 'huge' }), status.INVALID_ARGUMENT, /^profile: unknown profile "huge"/);
    await expectStatus(api.submit({ experiments: ['nope'] }), status.INVALID_ARGUMENT, /^experiments: no config for experiment "nope"/);
    await expectStatus(
      api.submit({ experiments: ['arith'], configOverrides: { arith: { params: { count: -1 } } } }),
      status.INVALID_ARGUMENT,
      /^config_overrides\["arith"\]\.params\.count: arith\.yaml with overrides: /,
    );
    await expectStatus(
      api.submit({ experiments: ['arith'], configOverrides: { baseline: { samples: 3 } } }),
      status.INVALID_ARGUMENT,
      /^config_overrides\["baseline"\]: experiment "baseline" is not part of this run \(arith\)/,
    );
    await expectStatus(
      api.submit({ experiments: ['arith'], dataset: { annotations: join(root, 'none.json'), images: root } }),
      status.NOT_FOUND,
      /^dataset\.annotations: no file .*none\.json on the server/,
    );
    await expectStatus(api.report('g1', ['nope.csv']), status.NOT_FOUND, /^paths\[0\]: run g1's report has no file "nope.csv"/);
    await expectStatus(collect(api.watch('nope')), status.NOT_FOUND, /^run_id: no run "nope"/);
  });
});

describe('Orchestrator service, NATS mode', () => {
  let nats: NatsServer;
  let api: Awaited<ReturnType<typeof startOrchestrator>>;
  beforeAll(async () => {
    nats = await startNatsServer();
    api = await startOrchestrator(join(root, 'nats'), { nats: nats.url, workers: '2' });
  });
  afterAll(async () => {
    await api?.close();
    await nats?.stop();
  });

  it('runs on workers to the CLI run\'s aggregates; state from KV, events from the stream, report from the object store', async () => {
    await submitWatchReport(api, 'g1');
    await expectSameAsCli(join(root, 'nats'), 'g1');
    // The report comes from the object store, not the local directory.
    await rm(join(root, 'nats/g1/report'), { recursive: true });
    const files = reassemble(await api.report('g1', ['index.html']));
    expect(files.get('index.html')!.toString()).toContain('Arithmetic (test experiment)');
    expect((await api.list()).runs.map((r) => r.runId)).toEqual(['g1']);
  });

  it('cancels a run: queued jobs are withdrawn, the run resumes to the same aggregates', async () => {
    await api.submit({ ...ARITH_12, runId: 'g3' });
    const stream = api.watch('g3');
    let cancelled: Promise<CancelRunResponse> | undefined;
    const events = await new Promise<WatchRunResponse[]>((resolve, reject) => {
      const seen: WatchRunResponse[] = [];
      let ok = 0;
      stream.on('data', (event: WatchRunResponse) => {
        seen.push(event);
        if (event.event?.$case === 'sample' && ++ok === 2) cancelled = api.cancel('g3');
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(seen));
    });
    expect(events[events.length - 1].event).toMatchObject({ $case: 'done', value: { status: RunStatus.RUN_STATUS_INTERRUPTED, error: `run g3 interrupted (cancelled by CancelRun); run it again with --run-id g3 to resume` } });
    await cancelled;
    expect((await api.get('g3')).run!.status).toBe(RunStatus.RUN_STATUS_INTERRUPTED);
    expect((await api.submit({ ...ARITH_12, runId: 'g3' })).created).toBe(true);
    const rest = await collect<WatchRunResponse>(api.watch('g3', events[events.length - 1].sequence));
    expect(rest[rest.length - 1].event).toMatchObject({ $case: 'done', value: { status: RunStatus.RUN_STATUS_DONE } });
    await expectSameAsCli(join(root, 'nats'), 'g3');
  });
});
