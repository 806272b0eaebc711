// Records and failures in JetStream KV: one key per job, value = canonical JSON of its records.
// A redelivered job writes the same bytes again, so duplicates cannot change a result, and every
// operation can be retried through a NATS outage (`retry`).
import type { KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import { compactJson } from '../canonical-json.ts';
import { keyToken, type JobKey } from '../keys.ts';
import type { ArtifactStore } from '../store/artifacts.ts';
import type { JobFailure, JobResult, RecordStore } from '../store/records.ts';
import { failureKey, recordKey } from './names.ts';
import { noRetry, type NatsRetry } from './retry.ts';

const decoder = new TextDecoder();

export class KvRecordStore implements RecordStore {
  constructor(
    private readonly kv: KV,
    private readonly retry: NatsRetry = noRetry,
  ) {}

  async has(key: JobKey): Promise<boolean> {
    const entry = await this.retry('record lookup', () => this.kv.get(recordKey(key)));
    return entry !== null && entry.operation === 'PUT';
  }

  async put(result: JobResult): Promise<void> {
    const bytes = compactJson(result);
    await this.retry('record write', () => this.kv.put(recordKey(result.key), bytes));
  }

  async putFailure(failure: JobFailure): Promise<void> {
    const bytes = compactJson(failure);
    await this.retry('failure write', () => this.kv.put(failureKey(failure.key), bytes));
  }

  /** Forgets a failure before the job is retried (a resumed run retries failed jobs). */
  async clearFailure(key: JobKey): Promise<void> {
    await this.retry('failure delete', () => this.kv.delete(failureKey(key)));
  }

  list(run: string, experiment: string): Promise<JobResult[]> {
    return this.readAll<JobResult>(`r.${run}.${keyToken(experiment)}.*`);
  }

  failures(run: string, experiment: string): Promise<JobFailure[]> {
    return this.readAll<JobFailure>(`f.${run}.${keyToken(experiment)}.*`);
  }

  private readAll<T>(filter: string): Promise<T[]> {
    return this.retry(`read ${filter}`, () => this.readAllOnce<T>(filter));
  }

  private async readAllOnce<T>(filter: string): Promise<T[]> {
    const keys: string[] = [];
    for await (const key of await this.kv.keys(filter)) keys.push(key);
    keys.sort();
    const values: T[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (entry && entry.operation === 'PUT') values.push(JSON.parse(decoder.decode(entry.value)) as T);
    }
    return values;
  }
}

/** A run's artifacts in the object store, under `<run>/`. */
export function objectArtifacts(store: ObjectStore, run: string, retry: NatsRetry = noRetry): ArtifactStore {
  return {
    async put(name, bytes) {
      await retry(`artifact write ${name}`, () => store.putBlob({ name: `${run}/${name}` }, bytes));
    },
    async get(name) {
      return (await retry(`artifact read ${name}`, () => store.getBlob(`${run}/${name}`))) ?? undefined;
    },
  };
}
