// Connecting to NATS with a concise, typed error (the CLI prints it in one line).
import { UnavailableError } from '@locscope/server-kit';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  try {
    return await connect({ servers: url, name });
  } catch (error) {
    throw new UnavailableError(`cannot connect to NATS at ${url}: ${(error as Error).message}`, { field: 'nats', cause: error });
  }
}
