// The four services' launchers (one start signature, `start(config, logger)`, and each service's
// flags and config parser), for `locscope serve` and the in-process services of embedded runs and
// workers. Imports are dynamic so that a command touching one service never loads another's code.
import { SERVICE_FLAGS, type FlagSpecs, type Logger, type RunningServer, type ServiceConfig, type ServiceLauncher, type LauncherFlagValues } from '@locscope/server-kit';
import { NotWiredError } from '../errors.ts';

export const SERVICE_NAMES = ['masks', 'inference', 'inpainting', 'metrics'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const launchers: Record<ServiceName, () => Promise<ServiceLauncher>> = {
  masks: async () => (await import('@locscope/masks/launcher')).masksLauncher as ServiceLauncher,
  inference: async () => (await import('@locscope/inference/launcher')).inferenceLauncher as ServiceLauncher,
  inpainting: async () => (await import('@locscope/inpainting/launcher')).inpaintingLauncher as ServiceLauncher,
  metrics: async () => (await import('@locscope/metrics/launcher')).metricsLauncher as ServiceLauncher,
};

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

export function launcher(name: ServiceName): Promise<ServiceLauncher> {
  return launchers[name]();
}

/** SERVICE_FLAGS and the flags of `names`' services, for commands that start them. */
export async function serviceFlags(names: readonly ServiceName[]): Promise<FlagSpecs> {
  const own = await Promise.all(names.map(async (name) => (await launcher(name)).flags));
  return Object.assign({}, SERVICE_FLAGS, ...own);
}

/** Starts `name` from parsed flag values (its own parse: flags, then env, then defaults), with `overrides` on top. */
export async function startService(
  name: ServiceName,
  values: LauncherFlagValues,
  logger: Logger,
  overrides: (config: ServiceConfig, defaultPort: number) => Partial<ServiceConfig> = () => ({}),
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  const service = await launcher(name);
  const config = service.readConfig(values, env, service.defaultPort);
  try {
    return await service.start({ ...config, ...overrides(config, service.defaultPort) }, logger);
  } catch (error) {
    if (error instanceof NotWiredError) throw error;
    throw new NotWiredError(`service ${name} failed to start: ${(error as Error).message}`, { cause: error });
  }
}
