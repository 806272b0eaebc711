// Head outputs kept by Capture `store_as` as patch sources (issue 13: every distinct name was kept
// forever — 400 names held +1.15 GB — and none could be deleted). Each run belongs to the caller
// that stored it, expires `ttlMs` after its last use and is evicted least recently used once the
// runs together pass `maxBytes`; DeleteStoredRun frees it at once.
import { LRUCache } from 'lru-cache';
import { NotFoundError, ResourceExhaustedError } from '@locscope/server-kit';
import type { HeadOutputs } from '../interventions/variant-inputs.ts';
import { countCacheLookup } from '../telemetry.ts';

export interface StoredRunsOptions {
  /** Bytes all stored runs may hold together (default 512 MiB). */
  maxBytes?: number;
  /** A run unused this long is forgotten (default 1 h). */
  ttlMs?: number;
}

export const DEFAULT_STORED_RUN_BYTES = 512 * 1024 * 1024;
export const DEFAULT_STORED_RUN_TTL_MS = 60 * 60 * 1000;

/** Bytes of head outputs: one float32 per layer, position and head dimension. */
export function headOutputsBytes(outputs: HeadOutputs): number {
  return outputs.layers.reduce((n, l) => n + l.byteLength, 0);
}

export class StoredRuns {
  private readonly runs: LRUCache<string, HeadOutputs>;
  readonly maxBytes: number;

  constructor(options: StoredRunsOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_STORED_RUN_BYTES;
    this.runs = new LRUCache({
      maxSize: this.maxBytes,
      sizeCalculation: (run) => Math.max(1, headOutputsBytes(run)),
      ttl: options.ttlMs ?? DEFAULT_STORED_RUN_TTL_MS,
      updateAgeOnGet: true,
    });
  }

  /** Refuses, before any work, a run that could never be kept (`bytes` predicted from its shape). */
  checkFits(bytes: number, field: string): void {
    if (bytes > this.maxBytes) throw new ResourceExhaustedError(`a run of ${bytes} bytes exceeds the stored-run budget of ${this.maxBytes}`, { field });
  }

  set(owner: string, model: string, name: string, outputs: HeadOutputs): void {
    this.runs.set(key(owner, model, name), outputs);
  }

  get(owner: string, model: string, name: string): HeadOutputs | undefined {
    const run = this.runs.get(key(owner, model, name));
    countCacheLookup('stored_run', run !== undefined);
    return run;
  }

  /** Forgets a run; returns the bytes it held (0 when missing and `allowMissing`). */
  delete(owner: string, model: string, name: string, allowMissing: boolean): number {
    const k = key(owner, model, name);
    const run = this.runs.get(k, { updateAgeOnGet: false });
    if (!run) {
      if (allowMissing) return 0;
      throw new NotFoundError(`no stored run "${name}" of this caller for model "${model}"`, { field: 'name' });
    }
    this.runs.delete(k);
    return headOutputsBytes(run);
  }

  /** Bytes held by every stored run. */
  get bytes(): number {
    return this.runs.calculatedSize;
  }
}

// JSON keeps the parts apart whatever characters they hold.
const key = (owner: string, model: string, name: string) => JSON.stringify([owner, model, name]);
