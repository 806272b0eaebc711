// The embedded run store: one directory per run.
//   run.json                manifest (experiments, versions, config hashes, profile)
//   state.json              progress, rewritten as jobs finish (what `locscope status` reads)
//   records/<exp>/<sample>.json, failures/<exp>/<sample>.json
//   artifacts/<name>        large per-sample outputs
//   aggregates/<exp>.json   canonical JSON; report/ holds the rendered report
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { canonicalJson } from '../canonical-json.ts';
import { MissingError } from '../errors.ts';
import { checkRunId, keyToken, type JobKey } from '../keys.ts';
import type { ArtifactStore } from './artifacts.ts';
import { writeFileDurably } from './atomic.ts';
import type { JobFailure, JobResult, RecordStore } from './records.ts';

/** Where runs go when `--out` is not given (relative to the working directory; git-ignored). */
export const DEFAULT_RUNS_DIR = 'runs';

export class RunDirectory implements RecordStore {
  readonly path: string;

  constructor(
    outDir: string,
    readonly runId: string,
  ) {
    this.path = resolve(outDir, checkRunId(runId));
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  async exists(): Promise<boolean> {
    return stat(this.file('run.json')).then(
      () => true,
      () => false,
    );
  }

  async readJson<T>(...parts: string[]): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(...parts), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async requireJson<T>(...parts: string[]): Promise<T> {
    const value = await this.readJson<T>(...parts);
    if (value === undefined) throw new MissingError(`${this.file(...parts)} does not exist`, { field: 'run' });
    return value;
  }

  writeJson(value: unknown, ...parts: string[]): Promise<void> {
    return writeFileDurably(this.file(...parts), canonicalJson(value));
  }

  private recordFile(dir: 'records' | 'failures', key: JobKey): string {
    return this.file(dir, keyToken(key.experiment), `${keyToken(key.sample)}.json`);
  }

  async has(key: JobKey): Promise<boolean> {
    return stat(this.recordFile('records', key)).then(
      () => true,
      () => false,
    );
  }

  async put(result: JobResult): Promise<void> {
    await writeFileDurably(this.recordFile('records', result.key), canonicalJson(result));
    await rm(this.recordFile('failures', result.key), { force: true });
  }

  async putFailure(failure: JobFailure): Promise<void> {
    await writeFileDurably(this.recordFile('failures', failure.key), canonicalJson(failure));
  }

  list(_run: string, experiment: string): Promise<JobResult[]> {
    return this.readAll<JobResult>('records', experiment);
  }

  failures(_run: string, experiment: string): Promise<JobFailure[]> {
    return this.readAll<JobFailure>('failures', experiment);
  }

  private async readAll<T>(dir: 'records' | 'failures', experiment: string): Promise<T[]> {
    const folder = this.file(dir, keyToken(experiment));
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // Only finished files: write-file-atomic's temporaries carry a suffix after `.json`.
    const files = names.filter((n) => n.endsWith('.json')).sort();
    return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(folder, f), 'utf8')) as T));
  }

  /** Artifacts of this run, under `artifacts/` (each name segment escaped like a key). */
  readonly artifacts: ArtifactStore = {
    put: (name, bytes) => writeFileDurably(this.artifactFile(name), bytes),
    get: async (name) => {
      try {
        return new Uint8Array(await readFile(this.artifactFile(name)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };

  private artifactFile(name: string): string {
    return this.file('artifacts', ...name.split('/').map(keyToken));
  }
}
