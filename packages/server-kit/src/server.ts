// gRPC server bootstrap shared by every service: health (grpc.health.v1), reflection,
// message-size limits, typed-error mapping, tracing, and graceful shutdown (drain, then stop).
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { type ServiceConfig } from './config.ts';
import { startHealthPort } from './health-port.ts';
import { adaptService, tolerantDefinition, type AsyncServiceImplementation } from './handlers.ts';
import type { Logger } from './logger.ts';
import { addReflection } from './reflection.ts';

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
}

export interface RunningServer {
  /** `host:port` actually bound (port 0 resolved). */
  address: string;
  port: number;
  /** The plaintext health-only port when `config.healthPort` asked for one (0 resolved). */
  healthPort?: number;
  health: HealthImplementation;
  setServing(serviceName: string, serving: boolean): void;
  /** Marks everything NOT_SERVING, lets in-flight calls finish within the grace period, then stops. */
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
  const server = new Server({
    'grpc.max_receive_message_length': config.maxMessageBytes,
    'grpc.max_send_message_length': config.maxMessageBytes,
  });
  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  for (const registration of services) {
    server.addService(
      tolerantDefinition(registration.definition),
      adaptService(registration.definition, registration.implementation, logger),
    );
    health.setStatus(registration.name, registration.servingAtStart === false ? 'NOT_SERVING' : 'SERVING');
  }
  addReflection(
    server,
    services.map((s) => s.descriptorSet),
    services.map((s) => s.name),
  );

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${config.host}:${config.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const address = `${config.host}:${port}`;
  logger.info('gRPC server listening', { address, services: services.map((s) => s.name) });
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
      const force = setTimeout(() => {
        logger.warn('grace period over, cancelling in-flight calls', { graceMs: config.shutdownGraceMs });
        server.forceShutdown();
        healthPort?.shutdown();
        resolve();
      }, config.shutdownGraceMs);
      server.tryShutdown(() => {
        clearTimeout(force);
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
