// What a worker does with the jobs it pulls from the JetStream work queue, as a counter.
import { defineInstruments } from '@locscope/server-kit';

/**
 * `received`: every delivery pulled (`redelivered` counts those again that were delivered before);
 * then each ends `acked` (records stored), `naked` (handed back or to be retried) or `terminated`
 * (failed for good, or undecodable).
 */
export type JobEvent = 'received' | 'redelivered' | 'acked' | 'naked' | 'terminated';

const instruments = defineInstruments((meter) => ({
  jobs: meter.createCounter('locscope.nats.jobs', { unit: '{job}', description: 'Work-queue deliveries handled by this worker, by event' }),
}));

export function countJob(event: JobEvent): void {
  instruments().jobs.add(1, { event });
}

/** One delivery pulled; its count (from the message's info) tells a redelivery. */
export function countDelivery(deliveryCount: number): void {
  countJob('received');
  if (deliveryCount > 1) countJob('redelivered');
}
