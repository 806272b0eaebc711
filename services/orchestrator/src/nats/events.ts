// Run events on `locscope.run.<id>.{progress,sample,done}` and the run state in KV (what
// `locscope status --nats` reads). Events are plain NATS messages: observers subscribe, nothing
// is stored for them.
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RunSink, RunState, SampleEvent } from '../execution/state.ts';
import { compactJson } from '../canonical-json.ts';
import { traceHeaders } from './messages.ts';
import { eventSubject } from './names.ts';

export function publishSampleEvent(nc: NatsConnection, event: SampleEvent): void {
  nc.publish(eventSubject(event.run, 'sample'), compactJson(event), { headers: traceHeaders() });
}

/** Coordinator-side sink: progress and done events, and the state in the runs bucket. */
export function natsRunSink(nc: NatsConnection, runs: KV): RunSink {
  return {
    async state(state: RunState) {
      nc.publish(eventSubject(state.run, 'progress'), compactJson(state));
      await runs.put(`${state.run}.state`, compactJson(state));
    },
    done(state: RunState) {
      nc.publish(eventSubject(state.run, 'done'), compactJson(state));
    },
  };
}
