// Clients with the servers' message limit, and a promise form of unary calls.
import { credentials, Metadata, type CallOptions, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';

/** The servers' default message limit (64 MiB): images and captures can be large. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

type ClientConstructor<C> = new (address: string, credentials: ChannelCredentials, options?: Record<string, unknown>) => C;

/** `new Ctor(address)` over an insecure channel (pass TLS credentials for a TLS server). */
export function connect<C>(ctor: ClientConstructor<C>, address: string, channelCredentials: ChannelCredentials = credentials.createInsecure()): C {
  return new ctor(address, channelCredentials, {
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
}

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** `await unary(client, client.getRun, { runId })`: the call as a promise (rejects with the ServiceError). */
export function unary<C, Req, Res>(client: C, method: UnaryMethod<Req, Res>, request: Req, options: Partial<CallOptions> = {}): Promise<Res> {
  return new Promise((resolve, reject) =>
    method.call(client, request, new Metadata(), options, (error, response) => (error ? reject(error) : resolve(response))),
  );
}
