// locscope.v1.Orchestrator: SubmitRun, GetRun, ListRuns, WatchRun, CancelRun, GetReport over a
// RunManager, and the server `locscope serve orchestrator` starts.
import { service, startServer, type Logger, type RunningServer, type ServiceConfig, type ServiceRegistration } from '@locscope/server-kit';
import { apiDescriptorSet } from '@locscope/proto';
import { OrchestratorService, type GetReportResponse, type OrchestratorServer } from '@locscope/proto/v1/orchestrator';
import { configDirs, loadConfigs } from '../config/load.ts';
import { PROFILES, type Profile } from '../config/envelope.ts';
import type { ResolvedConfig } from '../config/resolve.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { loadPlugins } from '../registry.ts';
import { ServiceConnections } from '../services/clients.ts';
import type { ServiceName } from '../services/launchers.ts';
import type { RunBackend } from './backend.ts';
import { EmbeddedBackend } from './embedded-backend.ts';
import { eventMessage, runMessage } from './messages.ts';
import { NatsBackend } from './nats-backend.ts';
import { readOrchestratorOptions, type OrchestratorFlagValues } from './options.ts';
import { RunManager } from './run-manager.ts';

export const ORCHESTRATOR_SERVICE_NAME = 'locscope.v1.Orchestrator';
/** Report files travel in pieces of this size (well under the default message limit). */
export const REPORT_CHUNK_BYTES = 1024 * 1024;

export function orchestratorService(runs: RunManager): ServiceRegistration {
  return service<OrchestratorServer>({
    name: ORCHESTRATOR_SERVICE_NAME,
    definition: OrchestratorService,
    implementation: {
      async submitRun(request) {
        const { state, created } = await runs.submit(request);
        return { run: runMessage(state), created };
      },
      getRun: async (request) => ({ run: runMessage(await runs.get(request.runId)) }),
      listRuns: async () => ({ runs: (await runs.list()).map(runMessage) }),
      async *watchRun(request, call) {
        for await (const event of await runs.watch(request.runId, request.afterSequence, call.signal)) yield eventMessage(event);
      },
      cancelRun: async (request) => ({ run: runMessage(await runs.cancel(request.runId)) }),
      async *getReport(request): AsyncGenerator<GetReportResponse> {
        for (const file of await runs.reportFiles(request.runId, request.paths)) {
          if (request.listOnly) {
            yield { path: file.path, size: file.size, offset: 0, data: Buffer.alloc(0) };
            continue;
          }
          const bytes = await runs.readReportFile(request.runId, file.path);
          const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          // An empty file is still one message, so every requested file appears in the stream.
          for (let offset = 0; offset === 0 || offset < data.length; offset += REPORT_CHUNK_BYTES) {
            yield { path: file.path, size: data.length, offset, data: data.subarray(offset, offset + REPORT_CHUNK_BYTES) };
          }
        }
      },
    },
    descriptorSet: apiDescriptorSet,
  });
}

export interface OrchestratorStartOptions {
  logger: Logger;
  /** Parsed `serve` flag values (the orchestrator reads only its own, ORCHESTRATOR_FLAGS). */
  values: OrchestratorFlagValues;
  /** Services the runs call; those absent are started in-process when first used. */
  addresses: Partial<Record<ServiceName, string>>;
}

export async function startOrchestratorServer(config: ServiceConfig, options: OrchestratorStartOptions): Promise<RunningServer> {
  const { logger } = options;
  const settings = readOrchestratorOptions(options.values);
  registerStudyExperiments();
  await loadPlugins(settings.plugins);
  const dirs = configDirs(settings.configs);
  const configs = Object.fromEntries(await Promise.all(PROFILES.map(async (p) => [p, await loadConfigs(dirs, p)] as const))) as Record<
    Profile,
    Map<string, ResolvedConfig>
  >;
  const clients = new ServiceConnections({ addresses: options.addresses, logger, maxMessageBytes: config.maxMessageBytes });
  let backend: RunBackend;
  try {
    backend = settings.nats
      ? await NatsBackend.connect({ ...settings, nats: settings.nats, clients, logger })
      : new EmbeddedBackend({ ...settings, clients, logger });
  } catch (error) {
    await clients.close();
    throw error;
  }
  const runs = new RunManager(backend, configs, logger);
  let server: RunningServer;
  try {
    server = await startServer(config, [orchestratorService(runs)], logger);
  } catch (error) {
    await runs.close();
    await clients.close();
    throw error;
  }
  logger.info('orchestrator ready', { mode: settings.nats ? 'nats' : 'embedded', outDir: settings.outDir });
  return {
    ...server,
    async shutdown() {
      // Runs stop first (each stays resumable), so WatchRun streams see their done event and end.
      await runs.close();
      await server.shutdown();
      await clients.close();
    },
  };
}
