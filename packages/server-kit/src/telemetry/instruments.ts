// Metric instruments made from the global MeterProvider. The metrics API has no proxy provider
// (unlike tracing): an instrument made before setupTelemetry installs the SDK's provider would stay
// a no-op for good. So each set of instruments is made on first use, and again when the provider
// changed since (a test that sets telemetry up after a module made its instruments).
import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';

/** The instrumentation scope every locscope metric is reported under. */
export const METER_NAME = 'locscope';

/** A getter for the instruments `make` creates, made from the current provider's `locscope` meter. */
export function defineInstruments<T>(make: (meter: Meter) => T): () => T {
  let madeFor: MeterProvider | undefined;
  let made: T | undefined;
  return () => {
    const provider = metrics.getMeterProvider();
    if (made === undefined || provider !== madeFor) {
      madeFor = provider;
      made = make(provider.getMeter(METER_NAME));
    }
    return made;
  };
}

/** Histogram buckets (seconds) for work from a millisecond RPC to a minutes-long attribution or weight preparation. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
