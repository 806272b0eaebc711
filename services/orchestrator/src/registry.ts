// Experiments that can run, by id. The study's modules register themselves from
// ./experiments/index.ts; plug-in modules (`--plugin`) and tests register theirs the same way.
import type { AnyExperiment } from './experiment.ts';
import { InvalidArgumentError } from '@locscope/server-kit';

const registry = new Map<string, AnyExperiment>();

export function registerExperiment(experiment: AnyExperiment): void {
  const existing = registry.get(experiment.id);
  if (existing && existing !== experiment) {
    throw new InvalidArgumentError(`experiment "${experiment.id}" is already registered by another module`, { field: 'experiment' });
  }
  registry.set(experiment.id, experiment);
}

export function findExperiment(id: string): AnyExperiment | undefined {
  return registry.get(id);
}

export function registeredExperimentIds(): string[] {
  return [...registry.keys()].sort();
}

/** Imports plug-in modules; each registers its experiments when loaded. */
export async function loadPlugins(modules: string[]): Promise<void> {
  for (const module of modules) {
    try {
      await import(module);
    } catch (error) {
      throw new InvalidArgumentError(`cannot load plugin ${module}: ${(error as Error).message}`, { field: 'plugin', cause: error });
    }
  }
}
