// gRPC server bootstrap shared by every service: health (grpc.health.v1), reflection,
// message-size limits, typed-error mapping, tracing, TLS/mTLS, authenticated callers with rights and
// quotas, and graceful shutdown (drain, then stop). Health and reflection stay open: probes need
// health, and reflection only describes the public API (the .proto files of this repository).
import { Server, type ServiceDefinition } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { type ServiceConfig } from './config.ts';
import { CallerQuotas } from './caller-limits.ts';
import { readCallersFile } from './callers.ts';
import { adaptService, tolerantDefinition, type AsyncServiceImplementation, type CallSecurity, type DescribeRequest } from './handlers.ts';
import { startHealthPort } from './health-port.ts';
import { UnavailableError } from './errors.ts';
import { InFlightCalls } from './in-flight-calls.ts';
import type { Logger } from './logger.ts';
import { addReflection } from './reflection.ts';
import { serverCredentials } from './tls.ts';

/** How long calls answered UNAVAILABLE at the end of the grace period have to reach their clients. */
export const SHUTDOWN_FLUSH_MS = 500;

export interface ServiceRegistration<S = unknown> {
  /** Fully qualified service name, e.g. `locscope.v1.Masks` (the health-check key). */
  name: string;
  /** ts-proto generated service definition (`MasksService`). */
  definition: ServiceDefinition;
  implementation: AsyncServiceImplementation<S>;
  /**
   * Encoded FileDescriptorSet holding the service's .proto file and its imports (`apiDescriptorSet`
   * of @locscope/proto), for reflection.
   */
  descriptorSet: Uint8Array;
  /** Reported SERVING at start; false leaves it NOT_SERVING until `setServing` (e.g. model loading). */
  servingAtStart?: boolean;
  /** Model, sizes and positions of a request, for per-caller rights and the audit log. */
  describe?: DescribeRequest;
}

export interface RunningServer {
  /** `host:port` actually bound (port 0 resolved). */
  address: string;
  port: number;
  /** The plaintext health-only port when `config.healthPort` asked for one (0 resolved). */
  healthPort?: number;
  health: HealthImplementation;
  setServing(serviceName: string, serving: boolean): void;
  /**
   * Marks everything NOT_SERVING, lets in-flight calls finish within the grace period, then answers
   * the rest UNAVAILABLE, aborts their work and stops.
   */
  shutdown(): Promise<void>;
}

/** Registers a typed service with its async implementation (keeps the generic at the call site). */
export function service<S>(registration: ServiceRegistration<S>): ServiceRegistration {
  return registration as ServiceRegistration;
}

export async function startServer(
  config: ServiceConfig,
  services: ServiceRegistration[],
  logger: Logger,
): Promise<RunningServer> {
  const security: CallSecurity = {
    callers: config.authTokensFile ? readCallersFile(config.authTokensFile) : undefined,
    verifiedClientCertificates: config.tls?.clientCaFile !== undefined,
    quotas: new CallerQuotas(),
    audit: config.audit ?? true,
  };
  const server = new Server({
    'grpc.max_receive_message_length': config.maxMessageBytes,
    'grpc.max_send_message_length': config.maxMessageBytes,
  });
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  const calls = new InFlightCalls();
  for (const registration of services) {
    server.addService(
      tolerantDefinition(registration.definition),
      adaptService(registration.definition, registration.implementation, logger, security, calls, registration.describe),
    );
    health.setStatus(registration.name, registration.servingAtStart === false ? 'NOT_SERVING' : 'SERVING');
  }
  addReflection(
    server,
    services.map((s) => s.descriptorSet),
    services.map((s) => s.name),
  );

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, serverCredentials(config.tls), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const address = `${config.host}:${port}`;
  logger.info('gRPC server listening', {
    address,
    services: services.map((s) => s.name),
    tls: config.tls ? (config.tls.clientCaFile ? 'mtls' : 'tls') : 'none',
    authentication: security.callers ? `${security.callers.length} callers` : 'none',
  });
  let healthPort;
  try {
    healthPort = config.healthPort === undefined ? undefined : await startHealthPort(health, config.host, config.healthPort, logger);
  } catch (error) {
    server.forceShutdown();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= new Promise<void>((resolve) => {
      health.setStatus('', 'NOT_SERVING');
      for (const s of services) health.setStatus(s.name, 'NOT_SERVING');
      let flush: NodeJS.Timeout | undefined;
      const force = setTimeout(() => {
        const reason = new UnavailableError(`the server is shutting down and its grace period of ${config.shutdownGraceMs} ms is over; the call was abandoned, retry it elsewhere`);
        const ended = calls.endAll(reason);
        logger.warn('grace period over, cancelling in-flight calls', { graceMs: config.shutdownGraceMs, calls: ended });
        // The statuses just sent need a moment to leave; tryShutdown ends sooner once they have.
        flush = setTimeout(() => {
          server.forceShutdown();
          healthPort?.shutdown();
          resolve();
        }, SHUTDOWN_FLUSH_MS);
      }, config.shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        clearTimeout(flush);
        // Last, so the probes see NOT_SERVING for the whole drain.
        healthPort?.shutdown();
        logger.info('gRPC server stopped', { address });
        resolve();
      });
    });
    return stopping;
  };
  return {
    address,
    port,
    ...(healthPort ? { healthPort: healthPort.port } : {}),
    health,
    setServing: (name, serving) => health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING'),
    shutdown,
  };
}

/** Stops the servers on SIGINT/SIGTERM, then exits. */
export function shutdownOnSignals(servers: RunningServer[], logger: Logger): void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info('shutting down', { signal });
    Promise.all(servers.map((s) => s.shutdown())).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
