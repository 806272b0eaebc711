// `locscope worker --nats URL`: pulls per-sample jobs from the JetStream work queue until stopped
// (SIGINT/SIGTERM: running jobs finish or are nak'ed for redelivery).
import { createLogger, setupTelemetry, UsageError, type Command } from '@locscope/server-kit';
import { connectNats } from '../nats/connect.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { runWorker } from '../nats/worker.ts';
import { loadPlugins } from '../registry.ts';
import { ServiceConnections } from '../services/clients.ts';
import { interruptSignal, intFlag, natsUrl, parseFlags } from './options.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run per-sample jobs from the NATS JetStream work queue',
  usage: '--nats URL [--concurrency N] [--plugin MODULE]...',
  async run(argv) {
    const { values } = parseFlags(argv, {
      nats: { type: 'string' },
      concurrency: { type: 'string' },
      plugin: { type: 'string', multiple: true },
    });
    const url = natsUrl(values.nats);
    if (!url) throw new UsageError('--nats URL (or LOCSCOPE_NATS_URL) is required');
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    const logger = createLogger({ fields: { component: 'worker' } });
    setupTelemetry({ serviceName: 'locscope-worker' });
    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger });
    const nc = await connectNats(url, 'locscope-worker');
    const interrupt = interruptSignal();
    try {
      await runWorker({ nc, clients, logger, concurrency, signal: interrupt.signal });
    } finally {
      interrupt.dispose();
      await clients.close();
      await nc.drain();
    }
    return 0;
  },
};
