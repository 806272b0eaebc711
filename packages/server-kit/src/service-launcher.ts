// One start signature for every service: a launcher declares its flags, parses its whole config in
// one function, and starts from that config. The service's own `main.ts`, `locscope serve` and the
// orchestrator's in-process services all go through it, so a flag means the same everywhere.
import { HelpRequested, parseFlags, UsageError, usageLine, type FlagSpecs, type FlagValues } from './command.ts';
import { SERVICE_FLAGS, type ServiceConfig } from './config.ts';
import { LocscopeError } from './errors.ts';
import { createLogger, type Logger } from './logger.ts';
import { shutdownOnSignals, type RunningServer } from './server.ts';
import { setupTelemetry } from './telemetry/index.ts';

/** Parsed flags as a caller that starts services of any kind holds them. */
export type LauncherFlagValues = FlagValues<typeof SERVICE_FLAGS> & Record<string, string | boolean | string[] | undefined>;

export interface ServiceLauncher<C extends ServiceConfig = ServiceConfig, F extends FlagSpecs = FlagSpecs> {
  /** Short name: `masks`, `inference`, … (the `locscope serve` target). */
  name: string;
  /** Port when neither `--port` nor LOCSCOPE_PORT is given: the one place each default port is spelled. */
  defaultPort: number;
  /** The service's own flags, beside SERVICE_FLAGS. */
  flags: F;
  /** The whole config: flags, then env, then named defaults; every value checked, errors name the field. */
  readConfig(values: FlagValues<typeof SERVICE_FLAGS> & FlagValues<F>, env: NodeJS.ProcessEnv, defaultPort: number): C;
  start(config: C, logger: Logger): Promise<RunningServer>;
}

/** A service's `main.ts`: parse, start, print `NAME host:port`, drain on SIGINT/SIGTERM. */
export async function serviceMain<C extends ServiceConfig, F extends FlagSpecs>(launcher: ServiceLauncher<C, F>, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const spec = { name: launcher.name, summary: `start the ${launcher.name} service`, flags: { ...SERVICE_FLAGS, ...launcher.flags } };
  const logger = createLogger({ fields: { service: launcher.name } });
  let config: C;
  try {
    config = launcher.readConfig(parseFlags(spec, argv).values, env, launcher.defaultPort);
    // Inside the try: a bad OTEL_* value is a usage error naming the variable.
    setupTelemetry({ serviceName: `locscope-${launcher.name}`, logger });
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.text);
      process.exit(0);
    }
    if (error instanceof UsageError || error instanceof LocscopeError) {
      process.stderr.write(`${launcher.name}: ${error.message}\nusage: ${launcher.name} ${usageLine(spec)}\n`);
      process.exit(2);
    }
    throw error;
  }
  const server = await launcher.start(config, logger);
  process.stdout.write(`${launcher.name} ${server.address}\n`);
  shutdownOnSignals([server], logger);
}
