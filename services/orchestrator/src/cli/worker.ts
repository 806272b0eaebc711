// `locscope worker --nats URL`: pulls per-sample jobs from the JetStream work queue until stopped
// (SIGINT/SIGTERM: running jobs finish or are nak'ed for redelivery).
import { CLIENT_FLAGS, createLogger, defineFlags, parseFlags, readClientSecurity, setupTelemetry, UsageError, type Command } from '@locscope/server-kit';
import { connectNats } from '../nats/connect.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { runWorker } from '../nats/worker.ts';
import { loadPlugins } from '../registry.ts';
import { INFERENCE_FLAGS } from '@locscope/inference/launcher';
import { ServiceConnections } from '../services/clients.ts';
import { interruptSignal, intFlag, NATS_FLAG, natsUrl, PLUGIN_FLAG } from './options.ts';

const flags = defineFlags({
  nats: { ...NATS_FLAG, description: 'NATS server (JetStream) to pull jobs from (required)' },
  concurrency: { type: 'string', value: 'N', description: 'jobs at once', default: String(DEFAULT_CONCURRENCY) },
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
    const url = natsUrl(values.nats);
    if (!url) throw new UsageError('--nats URL (or LOCSCOPE_NATS_URL) is required');
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    const logger = createLogger({ fields: { component: 'worker' } });
    setupTelemetry({ serviceName: 'locscope-worker' });
    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger, serviceFlags: values, security: readClientSecurity(values) });
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
