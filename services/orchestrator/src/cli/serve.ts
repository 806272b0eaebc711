// `locscope serve <service>|all`: starts one service, or all four in this process, until
// SIGINT/SIGTERM (then drains). Each service reads its own flags (e.g. inference's `--models FILE`);
// a flag that none of the started services takes is refused.
import { createLogger, parseFlags, readServiceConfig, setupTelemetry, shutdownOnSignals, UsageError, type Command, type RunningServer, type ServiceConfig } from '@locscope/server-kit';
import { isServiceName, serviceFlags, SERVICE_NAMES, startService, type ServiceName } from '../services/launchers.ts';

/** `all`'s services in the README's order, that of their default ports: `all --port P` gives them P, P+1, P+2, P+3. */
export const ALL_IN_PORT_ORDER: readonly ServiceName[] = ['inference', 'masks', 'metrics', 'inpainting'];

export const serveCommand: Command = {
  name: 'serve',
  summary: `start one service (${SERVICE_NAMES.join(', ')}) or all of them; with all --port P they get P, P+1, P+2, P+3`,
  arguments: `<${SERVICE_NAMES.join('|')}|all>`,
  // Help lists every service's flags; a run accepts only those of the services it starts.
  flags: await serviceFlags(SERVICE_NAMES),
  async run(argv) {
    const [target, ...extra] = parseFlags(this, argv).positionals;
    if (!target || (target !== 'all' && !isServiceName(target))) {
      throw new UsageError(`expected a service name (${SERVICE_NAMES.join(', ')}) or "all", got "${target ?? ''}"`);
    }
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const names = target === 'all' ? [...ALL_IN_PORT_ORDER] : [target];
    const { values } = parseFlags({ ...this, flags: await serviceFlags(names) }, argv);
    // -1 marks "no --port/LOCSCOPE_PORT given": each service then gets its own default port.
    const basePort = readServiceConfig(values, process.env, -1).port;
    const logger = createLogger();
    setupTelemetry({ serviceName: target === 'all' ? 'locscope' : `locscope-${target}` });
    const servers: RunningServer[] = [];
    try {
      for (const [i, name] of names.entries()) {
        // An explicit base port gives `all` consecutive ports (0 stays "any free port" for each).
        const port = (defaultPort: number) => (basePort === -1 ? defaultPort : basePort === 0 ? 0 : basePort + i);
        // Likewise each service's health-only port, if one is asked for.
        const healthPort = (config: ServiceConfig) => (config.healthPort === undefined || config.healthPort === 0 ? config.healthPort : config.healthPort + i);
        const server = await startService(name, values, logger.child({ service: name }), (config, defaultPort) => ({ port: port(defaultPort), healthPort: healthPort(config) }));
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
