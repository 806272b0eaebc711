// Connecting to NATS: TLS and credentials from the client config, and a reconnect policy that
// never gives up. nats.js's default (10 attempts, 2 s apart) closed the connection after ~20 s of
// outage, after which every pending promise stayed unsettled and Node exited with status 13 and
// no message; now the client retries forever with a growing, jittered delay.
import { UnavailableError } from '@locscope/server-kit';
import { backoff, connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsAuth, NatsClientConfig } from './client-config.ts';

/**
 * Reconnect delays (ms, nats.js jitters each to 0.5–1.5×): quick while a server restarts, then
 * one attempt every ~5 s, so a server back after any outage is found within ~7.5 s.
 */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000];
/**
 * A connection whose pings go unanswered this long (interval × max outstanding) is treated as
 * dropped and reconnected; nats.js's default (2 min × 2) left a half-open link undetected for 4 min.
 */
const PING_INTERVAL_MS = 20_000;
const MAX_PINGS_OUT = 3;
/** How long `closeNats` lets a drain flush before closing anyway (a drain during an outage never ends). */
const DRAIN_TIMEOUT_MS = 5_000;

export async function connectNats(config: NatsClientConfig, name: string): Promise<NatsConnection> {
  const delays = backoff(RECONNECT_DELAYS_MS);
  let attempt = 0;
  try {
    const nc = await connect({
      servers: config.url,
      name,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => delays.backoff(attempt++),
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
      ...(config.tls && { tls: config.tls }),
      ...authOptions(config.auth),
    });
    void (async () => {
      for await (const status of nc.status()) if (status.type === 'reconnect') attempt = 0;
    })();
    return nc;
  } catch (error) {
    throw new UnavailableError(`cannot connect to NATS at ${config.url}: ${(error as Error).message}`, { field: 'nats', cause: error });
  }
}

function authOptions(auth: NatsAuth | undefined): Partial<NodeConnectionOptions> {
  switch (auth?.kind) {
    case undefined:
      return {};
    case 'user':
      return { user: auth.user, pass: auth.password };
    case 'token':
      return { token: auth.token };
    case 'creds':
      return { authenticator: credsAuthenticator(() => readFileSync(auth.file)) };
    case 'nkey':
      return { authenticator: nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(auth.seedFile, 'utf8').trim())) };
  }
}

/** Drains (flushes what is buffered, ends subscriptions) if the server answers in time, else closes. */
export async function closeNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) return;
  const timeout = new AbortController();
  const drained = nc.drain().catch(() => undefined);
  await Promise.race([drained, sleep(DRAIN_TIMEOUT_MS, undefined, { signal: timeout.signal }).catch(() => undefined)]);
  timeout.abort();
  if (!nc.isClosed()) await nc.close();
}
