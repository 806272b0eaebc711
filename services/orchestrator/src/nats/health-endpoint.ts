// Liveness and readiness of a worker over plain HTTP, for Kubernetes probes (a worker serves no
// gRPC, so the grpc.health.v1 the services answer is not there). `GET /livez` is 200 unless the
// NATS connection is closed for good (restarting the pod is then the only cure); `GET /readyz` is
// 200 only while connected to NATS and not stopping. Both bodies are JSON:
// `{"status":"ok"|"unavailable","nats":"connected"|"waiting"|"closed","since"?:ISO,"stopping":bool}`.
import type { Logger } from '@locscope/server-kit';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnectionWatch } from './connection-watch.ts';

const LIVENESS_PATH = '/livez';
const READINESS_PATH = '/readyz';

export interface HealthEndpoint {
  port: number;
  close(): Promise<void>;
}

export async function startHealthEndpoint(
  options: { host: string; port: number; watch: NatsConnectionWatch; stopping: AbortSignal; logger: Logger },
): Promise<HealthEndpoint> {
  const { watch, stopping } = options;
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://health').pathname;
    if (request.method !== 'GET' || (path !== LIVENESS_PATH && path !== READINESS_PATH)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; use GET ${LIVENESS_PATH} or ${READINESS_PATH}\n`);
      return;
    }
    const state = watch.state;
    const nats = state.connected ? 'connected' : state.closed ? 'closed' : 'waiting';
    const ok = path === LIVENESS_PATH ? nats !== 'closed' : nats === 'connected' && !stopping.aborted;
    const body = { status: ok ? 'ok' : 'unavailable', nats, ...(!state.connected && { since: state.since.toISOString() }), stopping: stopping.aborted };
    response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body) + '\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info('health endpoint listening', { host: options.host, port, liveness: LIVENESS_PATH, readiness: READINESS_PATH });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
