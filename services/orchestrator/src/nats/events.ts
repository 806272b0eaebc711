// Run events on `locscope.run.<id>.{progress,sample,done}` and the run state in KV (what
// `locscope status --nats` reads). Events are plain NATS messages: observers subscribe, nothing
// is stored for them (during an outage the client buffers them until it reconnects).
import type { Logger } from '@locscope/server-kit';
import type { KV } from '@nats-io/kv';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { RunSink, RunState, SampleEvent } from '../execution/state.ts';
import { compactJson } from '../canonical-json.ts';
import { traceHeaders } from './messages.ts';
import { eventSubject } from './names.ts';
import { unlessClosed } from './connection-watch.ts';
import type { NatsRetry } from './retry.ts';

export function publishSampleEvent(nc: NatsConnection, event: SampleEvent): void {
  publishEvent(nc, eventSubject(event.run, 'sample'), compactJson(event), traceHeaders());
}

/** Events are best effort: buffered through an outage, dropped once the connection is closed for good. */
function publishEvent(nc: NatsConnection, subject: string, body: string, headers?: MsgHdrs): void {
  unlessClosed(() => nc.publish(subject, body, headers && { headers }));
}

/**
 * Coordinator-side sink: progress and done events, and the state in the runs bucket. The KV write
 * runs in the background, latest state wins: during an outage it waits for NATS without holding
 * back the other sinks (the state file must show "waiting for NATS" meanwhile). `done` waits
 * until the final state is written or has failed.
 */
export function natsRunSink(nc: NatsConnection, runs: KV, retry: NatsRetry, logger: Logger): RunSink {
  let latest: string | undefined;
  let key = '';
  let writing: Promise<void> = Promise.resolve();
  let busy = false;
  const write = async () => {
    busy = true;
    while (latest) {
      const bytes = latest;
      latest = undefined;
      await retry('run state write', () => runs.put(key, bytes)).catch((error: unknown) => logger.warn('run state not written to NATS', { error }));
    }
    busy = false;
  };
  return {
    state(state: RunState) {
      const bytes = compactJson(state);
      publishEvent(nc, eventSubject(state.run, 'progress'), bytes);
      key = `${state.run}.state`;
      latest = bytes;
      if (!busy) writing = write();
    },
    async done(state: RunState) {
      publishEvent(nc, eventSubject(state.run, 'done'), compactJson(state));
      await writing;
    },
  };
}
