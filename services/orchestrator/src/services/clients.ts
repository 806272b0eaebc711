// Typed gRPC clients for the services an experiment calls. A service is reached at a configured
// address (flags/env, e.g. a Kubernetes Service) or, when none is given, started in-process on a
// loopback port the first time an experiment asks for it — so runs that never touch a service
// (or are still being wired) never load its models.
import { credentials, type ChannelCredentials, type Client, type ClientOptions } from '@grpc/grpc-js';
import {
  clientInterceptors,
  clientSecurityOptions,
  SERVICE_FLAGS,
  type ClientSecurity,
  DEFAULT_HOST,
  DEFAULT_MAX_MESSAGE_BYTES,
  type LauncherFlagValues,
  type Logger,
  type RunningServer,
} from '@locscope/server-kit';
import { SERVICE_NAMES, startService, type ServiceName } from './launchers.ts';

/** Per-call deadline the orchestrator sets on every RPC unless an experiment asks for another. */
export const DEFAULT_CALL_DEADLINE_MS = 300_000;

/** A ts-proto generated grpc-js client constructor (`MasksClient`, `InferenceClient`, …). */
export type ClientConstructor<C extends Client> = new (
  address: string,
  credentials: ChannelCredentials,
  options?: Partial<ClientOptions>,
) => C;

export interface ServiceClients {
  /** A client of `service` (cached per service and constructor), with trace-context interceptors. */
  client<C extends Client>(service: ServiceName, ctor: ClientConstructor<C>): Promise<C>;
  /** Call options with the default deadline, for `client.method(request, metadata, options, cb)`. */
  callOptions(deadlineMs?: number): { deadline: Date };
  close(): Promise<void>;
}

/** What code that calls the services needs: the clients, and the signal that cancels its calls. */
export interface ServiceCalls {
  clients: ServiceClients;
  /** Aborted when the run is cancelled or the worker stops; in-flight calls are then cancelled. */
  signal: AbortSignal;
}

export interface ServiceConnectionsOptions {
  /** host:port per service; services absent here are started in-process when first used. */
  addresses: Partial<Record<ServiceName, string>>;
  logger: Logger;
  /** TLS and token for the services at configured addresses (in-process ones are on loopback and need neither). */
  security?: ClientSecurity;
  /** Parsed service flags for in-process services (e.g. inference's `models`, `precision`); env and defaults fill the rest. */
  serviceFlags?: LauncherFlagValues;
  maxMessageBytes?: number;
}

export class ServiceConnections implements ServiceClients {
  private readonly addresses = new Map<ServiceName, Promise<string>>();
  private readonly embedded = new Set<ServiceName>();
  private readonly clients = new Map<string, Client>();
  private readonly servers: RunningServer[] = [];

  constructor(private readonly options: ServiceConnectionsOptions) {}

  /** Environment form: LOCSCOPE_MASKS_ADDR, LOCSCOPE_INFERENCE_ADDR, … */
  static addressesFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<ServiceName, string>> {
    const out: Partial<Record<ServiceName, string>> = {};
    for (const name of SERVICE_NAMES) {
      const value = env[`LOCSCOPE_${name.toUpperCase()}_ADDR`];
      if (value) out[name] = value;
    }
    return out;
  }

  async client<C extends Client>(service: ServiceName, ctor: ClientConstructor<C>): Promise<C> {
    const address = await this.address(service);
    const key = `${service}:${ctor.name}`;
    let client = this.clients.get(key);
    if (!client) {
      const limit = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
      const secured = this.embedded.has(service) ? { credentials: credentials.createInsecure(), interceptors: [] } : clientSecurityOptions(this.options.security ?? {});
      client = new ctor(address, secured.credentials, {
        interceptors: [...clientInterceptors, ...secured.interceptors],
        'grpc.max_receive_message_length': limit,
        'grpc.max_send_message_length': limit,
      });
      this.clients.set(key, client);
    }
    return client as C;
  }

  callOptions(deadlineMs = DEFAULT_CALL_DEADLINE_MS): { deadline: Date } {
    return { deadline: new Date(Date.now() + deadlineMs) };
  }

  async close(): Promise<void> {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
    await Promise.all(this.servers.map((s) => s.shutdown()));
    this.servers.length = 0;
  }

  private address(service: ServiceName): Promise<string> {
    let address = this.addresses.get(service);
    if (!address) {
      const configured = this.options.addresses[service];
      address = configured ? Promise.resolve(configured) : this.startEmbedded(service);
      this.addresses.set(service, address);
    }
    return address;
  }

  private async startEmbedded(service: ServiceName): Promise<string> {
    const logger = this.options.logger.child({ service });
    try {
      // In-process services listen on loopback, on any free port, in plaintext and without callers,
      // whatever the LOCSCOPE_HOST/PORT/TLS/AUTH variables meant for a served process say; only this
      // run calls them, so they write no audit lines.
      const server = await startService(
        service,
        this.options.serviceFlags ?? {},
        logger,
        () => ({ host: DEFAULT_HOST, port: 0, maxMessageBytes: this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, audit: false }),
        withoutExposureEnv(process.env),
      );
      this.servers.push(server);
      this.embedded.add(service);
      logger.info('started in-process service', { address: server.address });
      return server.address;
    } catch (error) {
      // Not cached: a later call may retry (e.g. after the model files appear).
      this.addresses.delete(service);
      throw error;
    }
  }
}

/** The environment minus the variables that say where and how a served process listens. */
function withoutExposureEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const flags = ['host', 'port', 'tls-cert', 'tls-key', 'tls-client-ca', 'auth-tokens'] as const;
  const exposure = new Set<string>(flags.map((flag) => SERVICE_FLAGS[flag].env));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !exposure.has(name)));
}
