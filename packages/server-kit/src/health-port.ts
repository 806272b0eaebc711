// grpc.health.v1 alone on a plaintext port, beside a service port that may speak TLS and demand
// credentials: the kubelet's built-in gRPC probes neither speak TLS nor send tokens, so in a
// cluster they can only reach health through a port of its own. Only health is served there
// (no reflection, no service), so the port tells nothing beyond SERVING / NOT_SERVING.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { HealthImplementation } from 'grpc-health-check';
import type { Logger } from './logger.ts';

export interface HealthPort {
  /** The port bound (0 resolved). */
  port: number;
  /** Stops at once: health calls are short and the kubelet retries. */
  shutdown(): void;
}

/** Serves `health` (the service port's own statuses, so both ports always agree) on `host:port`. */
export async function startHealthPort(health: HealthImplementation, host: string, port: number, logger: Logger): Promise<HealthPort> {
  const server = new Server();
  health.addToServer(server);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, actual) => (error ? reject(error) : resolve(actual))),
  );
  logger.info('gRPC health port listening', { address: `${host}:${bound}` });
  return { port: bound, shutdown: () => server.forceShutdown() };
}
