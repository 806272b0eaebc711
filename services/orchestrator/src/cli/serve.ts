// `locscope serve <service>|all`: starts one service, or all five in this process, until
// SIGINT/SIGTERM (then drains). Flags after the common ones go to the service (e.g. inference's
// `--models FILE`, the orchestrator's `--out DIR`). The orchestrator of `all` calls the four
// services started beside it.
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals, UsageError, type Command, type RunningServer } from '@locscope/server-kit';
import { DEFAULT_ORCHESTRATOR_PORT } from '../api/options.ts';
import { ServiceConnections } from '../services/clients.ts';
import { defaultPort, isServiceName, SERVICE_NAMES, startService, type ServiceName } from '../services/launchers.ts';

/** What `serve` starts: the services experiments call, then the orchestrator that runs experiments. */
const TARGETS = [...SERVICE_NAMES, 'orchestrator'] as const;
type Target = (typeof TARGETS)[number];

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start one service (masks, inference, inpainting, metrics, orchestrator) or all of them',
  usage: `<${TARGETS.join('|')}|all> [--host H] [--port P] [--max-message-bytes N] [--shutdown-grace-ms MS] [--health-port P] [service flags]`,
  async run(argv) {
    const [target, ...rest] = argv;
    if (!target || (target !== 'all' && !(TARGETS as readonly string[]).includes(target))) {
      throw new UsageError(`expected a service name (${TARGETS.join(', ')}) or "all", got "${target ?? ''}"`);
    }
    const names: Target[] = target === 'all' ? [...TARGETS] : [target as Target];
    // -1 marks "no --port/LOCSCOPE_PORT given": each service then gets its own default port.
    const config = readServiceConfig(rest, process.env, -1);
    const logger = createLogger();
    setupTelemetry({ serviceName: target === 'all' ? 'locscope' : `locscope-${target}` });
    const servers: RunningServer[] = [];
    const addresses: Partial<Record<ServiceName, string>> = ServiceConnections.addressesFromEnv();
    try {
      for (const [i, name] of names.entries()) {
        // An explicit base port gives `all` consecutive ports (0 stays "any free port" for each).
        const fallback = isServiceName(name) ? defaultPort(name) : DEFAULT_ORCHESTRATOR_PORT;
        const port = config.port === -1 ? fallback : config.port === 0 ? 0 : config.port + i;
        // Likewise each service's health-only port, if one is asked for.
        const healthPort = config.healthPort === undefined || config.healthPort === 0 ? config.healthPort : config.healthPort + i;
        const options = { logger: logger.child({ service: name }), argv: rest };
        let server: RunningServer;
        if (isServiceName(name)) {
          server = await startService(name, { ...config, port, healthPort }, options);
          addresses[name] = server.address;
        } else {
          const { startOrchestratorServer } = await import('../api/service.ts');
          server = await startOrchestratorServer({ ...config, port, healthPort }, { ...options, addresses });
        }
        servers.push(server);
        process.stdout.write(`${name} ${server.address}\n`);
      }
    } catch (error) {
      await Promise.all(servers.map((s) => s.shutdown()));
      throw error;
    }
    shutdownOnSignals(servers, logger);
    await new Promise<never>(() => {});
    return 0;
  },
};
