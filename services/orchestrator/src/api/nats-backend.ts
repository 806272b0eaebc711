// Runs coordinated by this process over NATS: jobs on the work queue (any `locscope worker`, plus
// `--workers N` in-process), run state in the `locscope-runs` KV bucket, events replayed from the
// LOCSCOPE_EVENTS stream, the report from the object store. The local run directory keeps the
// manifest (as with `locscope run --nats`).
import type { Logger } from '@locscope/server-kit';
import { DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { datasetForConfig } from '../datasets.ts';
import type { SequencedEvent } from '../execution/event-log.ts';
import type { RunManifest } from '../execution/manifest.ts';
import type { RunState, SampleEvent } from '../execution/state.ts';
import type { NatsClientConfig } from '../nats/client-config.ts';
import { closeNats, connectNats } from '../nats/connect.ts';
import { NatsConnectionWatch } from '../nats/connection-watch.ts';
import { runWithNats } from '../nats/coordinator.ts';
import { EVENT_STREAM, JOB_STREAM, jobSubject, runEventsFilter, type EventKind } from '../nats/names.ts';
import { ensureResources, type NatsResources, type QueueOptions } from '../nats/resources.ts';
import type { ServiceClients } from '../services/clients.ts';
import { RunDirectory } from '../store/run-directory.ts';
import type { ReportFile, RunBackend, RunPlan } from './backend.ts';

const decoder = new TextDecoder();

export interface NatsBackendOptions extends QueueOptions {
  nats: NatsClientConfig;
  outDir: string;
  clients: ServiceClients;
  workers: number;
  logger: Logger;
}

export class NatsBackend implements RunBackend {
  private constructor(
    private readonly options: NatsBackendOptions,
    private readonly nc: NatsConnection,
    private readonly resources: NatsResources,
    private readonly watch: NatsConnectionWatch,
  ) {}

  static async connect(options: NatsBackendOptions): Promise<NatsBackend> {
    const nc = await connectNats(options.nats, 'locscope-orchestrator');
    try {
      return new NatsBackend(options, nc, await ensureResources(nc, options), new NatsConnectionWatch(nc, options.logger));
    } catch (error) {
      await closeNats(nc);
      throw error;
    }
  }

  execute(plan: RunPlan, signal: AbortSignal) {
    const { outDir, clients, workers, ackWaitMs, maxDeliver, logger } = this.options;
    return runWithNats({
      ...plan,
      nc: this.nc,
      watch: this.watch,
      outDir,
      clients,
      localWorkers: workers,
      ackWaitMs,
      maxDeliver,
      signal,
      loadDataset: (config) => datasetForConfig(config),
      logger: logger.child({ run: plan.runId }),
      progressBar: false,
    });
  }

  manifest(runId: string) {
    return new RunDirectory(this.options.outDir, runId).readJson<RunManifest>('run.json');
  }

  async state(runId: string): Promise<RunState | undefined> {
    const entry = await this.resources.runs.get(`${runId}.state`);
    return entry && entry.operation === 'PUT' ? (entry.json() as RunState) : undefined;
  }

  async states(): Promise<RunState[]> {
    const keys: string[] = [];
    for await (const key of await this.resources.runs.keys('*.state')) keys.push(key);
    const states = await Promise.all(keys.map((key) => this.state(key.slice(0, -'.state'.length))));
    return states.filter((s): s is RunState => s !== undefined);
  }

  async *events(runId: string, after: number, signal: AbortSignal): AsyncGenerator<SequencedEvent> {
    const consumer = await this.resources.js.consumers.get(EVENT_STREAM, {
      // One subject as a string: a list needs nats-server ≥ 2.10 (Debian 12 ships 2.9).
      filter_subjects: runEventsFilter(runId),
      ...(after > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume();
    const stop = () => void messages.close();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const message of messages) {
        const kind = message.subject.slice(message.subject.lastIndexOf('.') + 1) as EventKind;
        const payload = JSON.parse(decoder.decode(message.data)) as unknown;
        const event: SequencedEvent =
          kind === 'sample'
            ? { sequence: message.seq, kind, sample: payload as SampleEvent }
            : { sequence: message.seq, kind, state: payload as RunState };
        yield event;
        if (kind === 'done') return;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await messages.close();
    }
  }

  async reportFiles(runId: string): Promise<ReportFile[]> {
    const prefix = `${runId}/report/`;
    const objects = await this.resources.artifacts.list();
    return objects
      .filter((o) => !o.deleted && o.name.startsWith(prefix))
      .map((o) => ({ path: o.name.slice(prefix.length), size: o.size }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readReportFile(runId: string, path: string): Promise<Uint8Array | undefined> {
    return (await this.resources.artifacts.getBlob(`${runId}/report/${path}`)) ?? undefined;
  }

  async withdraw(runId: string): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.purge(JOB_STREAM, { filter: jobSubject(runId) });
  }

  async close(): Promise<void> {
    await closeNats(this.nc);
  }
}
