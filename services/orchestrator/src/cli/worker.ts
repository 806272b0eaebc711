// `locscope worker --nats URL`: pulls per-sample jobs from the JetStream work queue until stopped
// (SIGINT/SIGTERM: it stops pulling at once and running jobs are nak'ed for redelivery). Through a
// NATS outage it waits and reconnects; `--health-port` serves liveness/readiness for probes.
import { createLogger, setupTelemetry, UsageError, type Command } from '@locscope/server-kit';
import { NATS_CLIENT_FLAGS, natsClientConfig } from '../nats/client-config.ts';
import { closeNats, connectNats } from '../nats/connect.ts';
import { NatsConnectionWatch } from '../nats/connection-watch.ts';
import { startHealthEndpoint } from '../nats/health-endpoint.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { runWorker } from '../nats/worker.ts';
import { loadPlugins } from '../registry.ts';
import { ServiceConnections } from '../services/clients.ts';
import { interruptSignal, intFlag, parseFlags } from './options.ts';

/** Probes reach a pod on its own address, so the health endpoint listens on every interface unless told otherwise. */
const DEFAULT_HEALTH_HOST = '0.0.0.0';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run per-sample jobs from the NATS JetStream work queue',
  usage:
    '--nats URL [--concurrency N] [--health-port N] [--health-host H] [--plugin MODULE]... [--nats-tls-ca FILE] [--nats-tls-cert FILE --nats-tls-key FILE] [--nats-creds FILE | --nats-user U --nats-password P | --nats-token T | --nats-nkey-seed-file FILE]',
  async run(argv) {
    const { values } = parseFlags(argv, {
      ...NATS_CLIENT_FLAGS,
      concurrency: { type: 'string' },
      'health-port': { type: 'string' },
      'health-host': { type: 'string' },
      plugin: { type: 'string', multiple: true },
    });
    const nats = natsClientConfig(values);
    if (!nats) throw new UsageError('--nats URL (or LOCSCOPE_NATS_URL) is required');
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    // LOCSCOPE_HEALTH_PORT as for the services (`serve --health-port`), so every pod spec sets it alike.
    const rawHealthPort = values['health-port'] ?? (process.env.LOCSCOPE_HEALTH_PORT || undefined);
    const healthPort = rawHealthPort === undefined ? undefined : intFlag('health-port', rawHealthPort, 0, 0);
    if (healthPort !== undefined && healthPort > 65535) throw new UsageError(`--health-port must be ≤ 65535, got ${healthPort}`);
    const logger = createLogger({ fields: { component: 'worker' } });
    setupTelemetry({ serviceName: 'locscope-worker' });
    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger });
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
    }
    return 0;
  },
};
