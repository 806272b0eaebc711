// `locscope serve <service>|all`: starts one service, or all five in this process, until
// SIGINT/SIGTERM (then drains). Each service reads its own flags (e.g. inference's `--models FILE`,
// the orchestrator's `--out DIR`); a flag that none of the started services takes is refused. The
// orchestrator of `all` calls the four services started beside it.
import {
  createLogger,
  parseFlags,
  readServiceConfig,
  setupTelemetry,
  shutdownOnSignals,
  UsageError,
  type Command,
  type FlagSpecs,
  type RunningServer,
  type ServiceConfig,
} from '@locscope/server-kit';
import { DEFAULT_ORCHESTRATOR_PORT, ORCHESTRATOR_FLAGS } from '../api/options.ts';
import { isServiceName, serviceFlags, SERVICE_NAMES, startService, type ServiceName } from '../services/launchers.ts';

/** What `serve` starts: the services experiments call, then the orchestrator that runs experiments. */
const TARGETS = [...SERVICE_NAMES, 'orchestrator'] as const;
type Target = (typeof TARGETS)[number];

/** `all`'s targets in the README's order, that of their default ports: `all --port P` gives them P … P+4. */
export const ALL_IN_PORT_ORDER: readonly Target[] = ['inference', 'masks', 'metrics', 'inpainting', 'orchestrator'];

/** SERVICE_FLAGS plus the flags of the targets started. */
async function targetFlags(targets: readonly Target[]): Promise<FlagSpecs> {
  const flags = await serviceFlags(targets.filter(isServiceName));
  return targets.includes('orchestrator') ? { ...flags, ...ORCHESTRATOR_FLAGS } : flags;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: `start one service (${TARGETS.join(', ')}) or all of them; with all --port P they get P, P+1, … P+4`,
  arguments: `<${TARGETS.join('|')}|all>`,
  // Help lists every service's flags; a run accepts only those of the services it starts.
  flags: await targetFlags(TARGETS),
  async run(argv) {
    const [target, ...extra] = parseFlags(this, argv).positionals;
    if (!target || (target !== 'all' && !(TARGETS as readonly string[]).includes(target))) {
      throw new UsageError(`expected a service name (${TARGETS.join(', ')}) or "all", got "${target ?? ''}"`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const names: Target[] = target === 'all' ? [...ALL_IN_PORT_ORDER] : [target as Target];
    const { values } = parseFlags({ ...this, flags: await targetFlags(names) }, argv);
    // -1 marks "no --port/LOCSCOPE_PORT given": each service then gets its own default port.
    const basePort = readServiceConfig(values, process.env, -1).port;
    const logger = createLogger();
    setupTelemetry({ serviceName: target === 'all' ? 'locscope' : `locscope-${target}`, logger });
    const servers: RunningServer[] = [];
    const addresses: Partial<Record<ServiceName, string>> = {};
    try {
      for (const [i, name] of names.entries()) {
        // An explicit base port gives `all` consecutive ports (0 stays "any free port" for each).
        const port = (defaultPort: number) => (basePort === -1 ? defaultPort : basePort === 0 ? 0 : basePort + i);
        // Likewise each service's health-only port, if one is asked for.
        const healthPort = (config: ServiceConfig) => (config.healthPort === undefined || config.healthPort === 0 ? config.healthPort : config.healthPort + i);
        const child = logger.child({ service: name });
        let server: RunningServer;
        if (isServiceName(name)) {
          server = await startService(name, values, child, (config, defaultPort) => ({ port: port(defaultPort), healthPort: healthPort(config) }));
          addresses[name] = server.address;
        } else {
          const config = readServiceConfig(values, process.env, DEFAULT_ORCHESTRATOR_PORT);
          const { startOrchestratorServer } = await import('../api/service.ts');
          server = await startOrchestratorServer({ ...config, port: port(DEFAULT_ORCHESTRATOR_PORT), healthPort: healthPort(config) }, { logger: child, values, addresses });
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
