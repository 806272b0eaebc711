// What repeats across requests, kept by content within byte budgets: visual encodings (by model and
// pixel hash), source-run head outputs and clean-run prefix KV caches (by a hash of what they were
// computed from). Each is recomputed on a miss, so eviction only costs time.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { HeadOutputs } from '../interventions/variant-inputs.ts';
import type { EncodedImage, KvCache } from '../runtime/model.ts';
import { countCacheLookup, type CacheName } from '../telemetry.ts';
import { headOutputsBytes } from './stored-runs.ts';

export interface CacheBudgets {
  /** Bytes of visual encodings kept (default 256 MiB). */
  encodingCacheBytes?: number;
  /** Bytes of source-run head outputs kept (default 256 MiB). */
  sourceCacheBytes?: number;
  /** Bytes of clean-run prefix KV caches kept (default 512 MiB). */
  prefixCacheBytes?: number;
}

export const DEFAULT_ENCODING_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_SOURCE_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_PREFIX_CACHE_BYTES = 512 * 1024 * 1024;

/** A cache key from the parts a value was computed from (strings and raw bytes). */
export function contentKey(...parts: (string | ArrayBufferView)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? part : new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  return hash.digest('hex');
}

export class ContentCaches {
  readonly encodings: LRUCache<string, EncodedImage>;
  readonly sources: LRUCache<string, HeadOutputs>;
  readonly prefixes: LRUCache<string, KvCache>;

  constructor(budgets: CacheBudgets = {}) {
    // lru-cache refuses entries of size 0: an empty value still takes a slot.
    this.encodings = new LRUCache({
      maxSize: budgets.encodingCacheBytes ?? DEFAULT_ENCODING_CACHE_BYTES,
      sizeCalculation: (e) => Math.max(1, e.features.byteLength + e.norms.byteLength),
    });
    this.sources = new LRUCache({
      maxSize: budgets.sourceCacheBytes ?? DEFAULT_SOURCE_CACHE_BYTES,
      sizeCalculation: (s) => Math.max(1, headOutputsBytes(s)),
    });
    this.prefixes = new LRUCache({
      maxSize: budgets.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_BYTES,
      sizeCalculation: (c) => Math.max(1, c.layers.reduce((n, l) => n + l.key.byteLength + l.value.byteLength, 0)),
    });
  }
}

/** The cached value of `key`, else `compute()`'s, stored; the lookup is counted under `name`. */
export async function cached<V extends {}>(cache: LRUCache<string, V>, name: CacheName, key: string, compute: () => Promise<V>): Promise<V> {
  const hit = cache.get(key);
  countCacheLookup(name, hit !== undefined);
  if (hit !== undefined) return hit;
  const value = await compute();
  cache.set(key, value);
  return value;
}
