// `locscope run`: runs experiments (default: every wired one) embedded or through NATS, writes the
// report, and prints the HTML report's path as the last line of stdout.
import { createLogger, setupTelemetry, type Command } from '@locscope/server-kit';
import { connectNats } from '../nats/connect.ts';
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
import { ServiceConnections } from '../services/clients.ts';
import { DEFAULT_RUNS_DIR } from '../store/run-directory.ts';
import { interruptSignal, intFlag, listFlag, natsUrl, parseFlags, profileFlag } from './options.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the study (embedded, or over NATS workers) and write its report',
  usage:
    '[--experiments a,b] [--run-id ID] [--out DIR] [--nats URL] [--profile demo|paper] [--concurrency N] [--workers N] [--ack-wait-ms MS] [--max-deliver N] [--configs DIR]... [--plugin MODULE]...',
  async run(argv) {
    const { values } = parseFlags(argv, {
      experiments: { type: 'string' },
      'run-id': { type: 'string' },
      out: { type: 'string' },
      nats: { type: 'string' },
      profile: { type: 'string' },
      concurrency: { type: 'string' },
      workers: { type: 'string' },
      'ack-wait-ms': { type: 'string' },
      'max-deliver': { type: 'string' },
      configs: { type: 'string', multiple: true },
      plugin: { type: 'string', multiple: true },
    });
    const profile = profileFlag(values.profile);
    const runId = checkRunId(values['run-id'] ?? newRunId());
    const concurrency = intFlag('concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1);
    const localWorkers = intFlag('workers', values.workers, DEFAULT_LOCAL_WORKERS, 0);
    const queue = {
      ackWaitMs: intFlag('ack-wait-ms', values['ack-wait-ms'], DEFAULT_ACK_WAIT_MS, 100),
      maxDeliver: intFlag('max-deliver', values['max-deliver'], DEFAULT_MAX_DELIVER, 1),
    };
    const logger = createLogger({ fields: { run: runId } });
    setupTelemetry({ serviceName: 'locscope-orchestrator' });

    registerStudyExperiments();
    await loadPlugins(values.plugin ?? []);
    const configs = await loadConfigs(configDirs(values.configs ?? []), profile);
    const requested = listFlag(values.experiments) ?? defaultExperiments([...configs.keys()], logger);
    const stages = orderStages(requested, configs);

    const clients = new ServiceConnections({ addresses: ServiceConnections.addressesFromEnv(), logger });
    const interrupt = interruptSignal();
    const url = natsUrl(values.nats);
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
      if (url) {
        const nc = await connectNats(url, `locscope-run-${runId}`);
        try {
          outcome = await runWithNats({ ...common, ...queue, nc, localWorkers });
        } finally {
          await nc.drain();
        }
      } else {
        outcome = await runEmbedded({ ...common, concurrency });
      }
    } finally {
      interrupt.dispose();
      await clients.close();
    }
    if (outcome.state.status !== 'done') process.stderr.write(`locscope run: ${outcome.state.error}; see ${outcome.report}\n`);
    process.stdout.write(`${outcome.report}\n`);
    return outcome.state.status === 'done' ? 0 : 1;
  },
};
