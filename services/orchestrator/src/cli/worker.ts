// `locscope worker --nats URL`: pulls per-sample jobs from the JetStream work queue until stopped
// (SIGINT/SIGTERM: it stops pulling at once and running jobs are nak'ed for redelivery). Through a
// NATS outage it waits and reconnects; `--health-port` serves liveness/readiness for probes.
import { CLIENT_FLAGS, createLogger, defineFlags, parseFlags, readClientSecurity, setupTelemetry, UsageError, type Command } from '@locscope/server-kit';
import { NATS_CLIENT_FLAGS, natsClientConfig } from '../nats/client-config.ts';
import { closeNats, connectNats } from '../nats/connect.ts';
import { NatsConnectionWatch } from '../nats/connection-watch.ts';
import { startHealthEndpoint } from '../nats/health-endpoint.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { runWorker } from '../nats/worker.ts';
import { loadPlugins } from '../registry.ts';
import { INFERENCE_FLAGS } from '@locscope/inference/launcher';
import { ServiceConnections } from '../services/clients.ts';
import { interruptSignal, intFlag, PLUGIN_FLAG } from './options.ts';

/** Probes reach a pod on its own address, so the health endpoint listens on every interface unless told otherwise. */
const DEFAULT_HEALTH_HOST = '0.0.0.0';

const flags = defineFlags({
  ...NATS_CLIENT_FLAGS,
  nats: { ...NATS_CLIENT_FLAGS.nats, description: 'NATS server (JetStream) to pull jobs from (required)' },
  concurrency: { type: 'string', value: 'N', description: 'jobs at once', default: String(DEFAULT_CONCURRENCY) },
  // Same name and env as the services' health port, so every pod spec sets it alike; HTTP, not gRPC: a worker serves no gRPC.
  'health-port': { type: 'string', value: 'N', description: 'serve GET /livez and /readyz over HTTP on this port (0: any free one)', env: 'LOCSCOPE_HEALTH_PORT' },
  'health-host': { type: 'string', value: 'H', description: 'address the health endpoint listens on', default: DEFAULT_HEALTH_HOST },
  plugin: PLUGIN_FLAG,
  // The in-process inference service's settings: the same flags as `locscope serve inference`.
  ...INFERENCE_FLAGS,
  ...CLIENT_FLAGS,
});

export const workerCommand: Command<typeof flags> = {
  name: 'worker',
  summary: 'run per-sample jobs from the NATS JetStream work queue',
  flags,
  async run(argv) {
    const { values } = parseFlags(this, argv);
    const nats = natsClientConfig(values);
    if (!nats) throw new UsageError('--nats URL (or LOCSCOPE_NATS_URL) is required');
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    const rawHealthPort = values['health-port'] ?? (process.env[flags['health-port'].env] || undefined);
    const healthPort = rawHealthPort === undefined ? undefined : intFlag('health-port', rawHealthPort, 0, 0);
    if (healthPort !== undefined && healthPort > 65535) throw new UsageError(`--health-port must be ≤ 65535, got ${healthPort}`);
    const logger = createLogger({ fields: { component: 'worker' } });
    const telemetry = setupTelemetry({ serviceName: 'locscope-worker', logger });
    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger, serviceFlags: values, security: readClientSecurity(values) });
    const nc = await connectNats(nats, 'locscope-worker');
    const watch = new NatsConnectionWatch(nc, logger);
    const interrupt = interruptSignal();
    const health =
      healthPort === undefined
        ? undefined
        : await startHealthEndpoint({ host: values['health-host'] ?? DEFAULT_HEALTH_HOST, port: healthPort, watch, stopping: interrupt.signal, logger });
    try {
      await runWorker({ nc, watch, clients, logger, concurrency, signal: interrupt.signal });
    } finally {
      interrupt.dispose();
      await health?.close();
      await clients.close();
      await closeNats(nc);
      // Exports what is still batched (OTLP) before the process exits.
      await telemetry.shutdown();
    }
    return 0;
  },
};
