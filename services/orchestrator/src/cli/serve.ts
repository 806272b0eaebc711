// `locscope serve <service>|all`: starts one service, or all four in this process, until
// SIGINT/SIGTERM (then drains). Flags after the common ones go to the service (e.g. inference's
// `--models FILE`).
import { createLogger, readServiceConfig, setupTelemetry, shutdownOnSignals, UsageError, type Command, type RunningServer } from '@locscope/server-kit';
import { defaultPort, isServiceName, SERVICE_NAMES, startService } from '../services/launchers.ts';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'start one service (masks, inference, inpainting, metrics) or all of them',
  usage: `<${SERVICE_NAMES.join('|')}|all> [--host H] [--port P] [--max-message-bytes N] [--shutdown-grace-ms MS] [--health-port P] [service flags]`,
  async run(argv) {
    const [target, ...rest] = argv;
    if (!target || (target !== 'all' && !isServiceName(target))) {
      throw new UsageError(`expected a service name (${SERVICE_NAMES.join(', ')}) or "all", got "${target ?? ''}"`);
    }
    const names = target === 'all' ? [...SERVICE_NAMES] : [target];
    // -1 marks "no --port/LOCSCOPE_PORT given": each service then gets its own default port.
    const config = readServiceConfig(rest, process.env, -1);
    const logger = createLogger();
    setupTelemetry({ serviceName: target === 'all' ? 'locscope' : `locscope-${target}` });
    const servers: RunningServer[] = [];
    try {
      for (const [i, name] of names.entries()) {
        // An explicit base port gives `all` consecutive ports (0 stays "any free port" for each).
        const port = config.port === -1 ? defaultPort(name) : config.port === 0 ? 0 : config.port + i;
        // Likewise each service's health-only port, if one is asked for.
        const healthPort = config.healthPort === undefined || config.healthPort === 0 ? config.healthPort : config.healthPort + i;
        const server = await startService(name, { ...config, port, healthPort }, { logger: logger.child({ service: name }), argv: rest });
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
