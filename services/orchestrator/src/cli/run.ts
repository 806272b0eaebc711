// `locscope run`: runs experiments (default: every wired one) embedded or through NATS, writes the
// report, and prints the HTML report's path as the last line of stdout.
import { CLIENT_FLAGS, createLogger, defineFlags, parseFlags, readClientSecurity, setupTelemetry, type Command } from '@locscope/server-kit';
import { NATS_CLIENT_FLAGS, natsClientConfig } from '../nats/client-config.ts';
import { closeNats, connectNats } from '../nats/connect.ts';
import { NatsConnectionWatch } from '../nats/connection-watch.ts';
import { configDirs, loadConfigs } from '../config/load.ts';
import { datasetForConfig } from '../datasets.ts';
import { runEmbedded } from '../execution/embedded.ts';
import { DEFAULT_CONCURRENCY } from '../execution/local-executor.ts';
import { defaultExperiments } from '../execution/default-experiments.ts';
import { orderStages } from '../execution/plan.ts';
import { registerStudyExperiments } from '../experiments/index.ts';
import { checkRunId, newRunId } from '../keys.ts';
import { DEFAULT_LOCAL_WORKERS, runWithNats } from '../nats/coordinator.ts';
import { DEFAULT_ACK_WAIT_MS, DEFAULT_MAX_DELIVER } from '../nats/resources.ts';
import { loadPlugins } from '../registry.ts';
import { INFERENCE_FLAGS } from '@locscope/inference/launcher';
import { ServiceConnections } from '../services/clients.ts';
import { DEFAULT_RUNS_DIR } from '../store/run-directory.ts';
import { interruptSignal, intFlag, listFlag, OUT_FLAG, PLUGIN_FLAG, profileFlag } from './options.ts';

const flags = defineFlags({
  experiments: { type: 'string', value: 'a,b', description: 'experiments to run (their dependencies are added)', default: 'every wired experiment' },
  'run-id': { type: 'string', value: 'ID', description: 'run id; reusing one resumes that run', default: 'YYYYMMDD-HHMMSS-xxxx' },
  out: OUT_FLAG,
  ...NATS_CLIENT_FLAGS,
  profile: { type: 'string', value: 'demo|paper', description: 'sample counts: reduced (demo) or the paper\'s', default: 'demo' },
  concurrency: { type: 'string', value: 'N', description: 'samples at once (embedded)', default: String(DEFAULT_CONCURRENCY) },
  workers: { type: 'string', value: 'N', description: 'in-process workers of a NATS run (0 = external workers only)', default: String(DEFAULT_LOCAL_WORKERS) },
  'ack-wait-ms': { type: 'string', value: 'MS', description: 'NATS: redeliver a job not acked within this time', default: String(DEFAULT_ACK_WAIT_MS) },
  'max-deliver': { type: 'string', value: 'N', description: 'NATS: deliveries before a job is recorded as failed', default: String(DEFAULT_MAX_DELIVER) },
  configs: { type: 'string', value: 'DIR', multiple: true, description: 'more experiment config directories' },
  plugin: PLUGIN_FLAG,
  // The in-process inference service's settings: the same flags as `locscope serve inference`.
  ...INFERENCE_FLAGS,
  ...CLIENT_FLAGS,
});

export const runCommand: Command<typeof flags> = {
  name: 'run',
  summary: 'run the study (embedded, or over NATS workers) and write its report',
  flags,
  async run(argv) {
    const { values } = parseFlags(this, argv);
    const profile = profileFlag(values.profile);
    const nats = natsClientConfig(values);
    const runId = checkRunId(values['run-id'] ?? newRunId());
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    const localWorkers = intFlag('workers', values.workers, DEFAULT_LOCAL_WORKERS, 0);
    const queue = {
      ackWaitMs: intFlag('ack-wait-ms', values['ack-wait-ms'], DEFAULT_ACK_WAIT_MS, 100),
      maxDeliver: intFlag('max-deliver', values['max-deliver'], DEFAULT_MAX_DELIVER, 1),
    };
    const logger = createLogger({ fields: { run: runId } });
    const telemetry = setupTelemetry({ serviceName: 'locscope-orchestrator', logger });

    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const configs = await loadConfigs(configDirs(values.configs ?? []), profile);
    const requested = listFlag(values.experiments) ?? defaultExperiments([...configs.keys()], logger);
    const stages = orderStages(requested, configs);

    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger, serviceFlags: values, security: readClientSecurity(values) });
    const interrupt = interruptSignal();
    const common = {
      runId,
      outDir: values.out ?? DEFAULT_RUNS_DIR,
      profile,
      stages,
      clients,
      loadDataset: (config: Parameters<typeof datasetForConfig>[0]) => datasetForConfig(config),
      logger,
      signal: interrupt.signal,
    };
    let outcome;
    try {
      if (nats) {
        const nc = await connectNats(nats, `locscope-run-${runId}`);
        try {
          outcome = await runWithNats({ ...common, ...queue, nc, watch: new NatsConnectionWatch(nc, logger), localWorkers });
        } finally {
          await closeNats(nc);
        }
      } else {
        outcome = await runEmbedded({ ...common, concurrency });
      }
    } finally {
      interrupt.dispose();
      await clients.close();
      // Exports what is still batched (OTLP) before the process exits.
      await telemetry.shutdown();
    }
    if (outcome.state.status !== 'done') process.stderr.write(`locscope run: ${outcome.state.error}; see ${outcome.report}\n`);
    process.stdout.write(`${outcome.report}\n`);
    return outcome.state.status === 'done' ? 0 : 1;
  },
};
