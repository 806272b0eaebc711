// The inference service's metrics (README "Observability"): what the model runs and what its
// caches save. Call sites are one line each, so the code they sit in stays about its own concept.
import { defineInstruments, DURATION_BUCKETS_S } from '@locscope/server-kit';
import type { Admission } from './server/admission.ts';

/** The caches whose lookups are counted (hits and misses). */
export type CacheName = 'image_encoding' | 'prefix_kv' | 'source_heads' | 'stored_run';
/** The graphs whose runs are counted as forwards. */
export type GraphName = 'vision' | 'decoder' | 'attribution';

const instruments = defineInstruments((meter) => ({
  forwards: meter.createCounter('locscope.inference.forwards', { unit: '{forward}', description: 'Runs of a model graph (each generation step is one decoder run)' }),
  batchRows: meter.createCounter('locscope.inference.forward.variants', { unit: '{variant}', description: 'Variants (batch rows) the decoder runs computed' }),
  tokens: meter.createCounter('locscope.inference.tokens.generated', { unit: '{token}', description: 'Tokens generated, summed over variants' }),
  variants: meter.createCounter('locscope.inference.variants', { unit: '{variant}', description: 'Variants requested (Score, Generate, Capture, Attribute)' }),
  cache: meter.createCounter('locscope.inference.cache.lookups', { unit: '{lookup}', description: 'Cache lookups by cache and result (hit or miss)' }),
  weightBytes: meter.createCounter('locscope.inference.weights.prepared', { unit: 'By', description: 'Bytes of prepared weight files written' }),
  weightSeconds: meter.createHistogram('locscope.inference.weights.preparation.duration', {
    unit: 's',
    description: 'Duration of each flush that wrote prepared weight files',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  }),
  queued: meter.createObservableGauge('locscope.inference.admission.queued', { unit: '{request}', description: 'Requests waiting for a forward slot' }),
  running: meter.createObservableGauge('locscope.inference.admission.running', { unit: '{request}', description: 'Requests holding a forward slot' }),
}));

export function countForward(graph: GraphName, variants: number): void {
  instruments().forwards.add(1, { graph });
  instruments().batchRows.add(variants, { graph });
}

export function countGeneratedTokens(model: string, perVariant: readonly (readonly number[])[]): void {
  instruments().tokens.add(perVariant.reduce((sum, tokens) => sum + tokens.length, 0), { model });
}

export function countVariants(count: number): void {
  instruments().variants.add(count);
}

export function countCacheLookup(cache: CacheName, hit: boolean): void {
  instruments().cache.add(1, { cache, result: hit ? 'hit' : 'miss' });
}

export function recordWeightPreparation(bytes: number, seconds: number, dtype: string): void {
  instruments().weightBytes.add(bytes, { dtype });
  instruments().weightSeconds.record(seconds, { dtype });
}

/** Reports the admission queue's depth and running requests at each collection. */
export function observeAdmission(admission: Admission): void {
  const { queued, running } = instruments();
  queued.addCallback((result) => result.observe(admission.queued));
  running.addCallback((result) => result.observe(admission.running));
}
