// Runs executed in this process, each in its run directory under `outDir` (exactly what
// `locscope run --out DIR` writes, so runs started by either are visible to both).
import type { Logger } from '@locscope/server-kit';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { datasetForConfig } from '../datasets.ts';
import { runEmbedded } from '../execution/embedded.ts';
import { followEventLog } from '../execution/event-log.ts';
import type { RunManifest } from '../execution/manifest.ts';
import type { RunState } from '../execution/state.ts';
import type { ServiceClients } from '../services/clients.ts';
import { isRunId } from '../keys.ts';
import { RunDirectory } from '../store/run-directory.ts';
import type { ReportFile, RunBackend, RunPlan } from './backend.ts';

export interface EmbeddedBackendOptions {
  outDir: string;
  clients: ServiceClients;
  concurrency: number;
  logger: Logger;
}

export class EmbeddedBackend implements RunBackend {
  constructor(private readonly options: EmbeddedBackendOptions) {}

  execute(plan: RunPlan, signal: AbortSignal) {
    const { outDir, clients, concurrency, logger } = this.options;
    return runEmbedded({
      ...plan,
      outDir,
      clients,
      concurrency,
      signal,
      loadDataset: (config) => datasetForConfig(config),
      logger: logger.child({ run: plan.runId }),
      progressBar: false,
    });
  }

  manifest(runId: string) {
    return this.directory(runId).readJson<RunManifest>('run.json');
  }

  state(runId: string) {
    return this.directory(runId).readJson<RunState>('state.json');
  }

  async states(): Promise<RunState[]> {
    let names: string[];
    try {
      names = await readdir(this.options.outDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const states = await Promise.all(names.filter(isRunId).map((n) => this.state(n)));
    return states.filter((s): s is RunState => s !== undefined);
  }

  events(runId: string, after: number, signal: AbortSignal) {
    return followEventLog(this.directory(runId), after, signal);
  }

  async reportFiles(runId: string): Promise<ReportFile[]> {
    const root = this.directory(runId).file('report');
    let entries;
    try {
      entries = await readdir(root, { recursive: true, withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Only finished files: write-file-atomic's temporaries carry a suffix after the name.
    const files = entries.filter((e) => e.isFile() && !/\.\d+$/.test(e.name)).map((e) => join(e.parentPath, e.name));
    const sized = await Promise.all(files.map(async (f) => ({ path: relative(root, f).split(sep).join('/'), size: (await stat(f)).size })));
    return sized.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readReportFile(runId: string, path: string): Promise<Uint8Array | undefined> {
    const root = this.directory(runId).file('report');
    const file = resolve(root, path);
    // The caller checks `path` against the listing; this keeps any other path out of the run.
    if (!file.startsWith(root + sep)) return undefined;
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async withdraw(): Promise<void> {
    // Nothing is queued outside the run's own executor, which the abort already stopped.
  }

  async close(): Promise<void> {}

  private directory(runId: string): RunDirectory {
    return new RunDirectory(this.options.outDir, runId);
  }
}
