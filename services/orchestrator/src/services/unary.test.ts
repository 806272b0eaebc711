import { credentials, makeGenericClientConstructor, Server, ServerCredentials, status, type ServiceDefinition } from '@grpc/grpc-js';
import { CancelledError } from '@locscope/server-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unary } from './unary.ts';

// A JSON-coded service whose Hang method answers only "echo" requests: any other call stays in
// flight until the client cancels it, so only a working cancel lets these tests finish.
const json = { serialize: (v: unknown) => Buffer.from(JSON.stringify(v)), deserialize: (b: Buffer) => JSON.parse(b.toString('utf8')) };
const definition = {
  hang: {
    path: '/test.Hang/Hang',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies ServiceDefinition;
const LONG_DEADLINE_MS = 600_000;

let server: Server;
let client: any;
let started: () => void;
let serverSawCancel: Promise<void>;
beforeAll(async () => {
  server = new Server();
  let sawCancel: () => void;
  serverSawCancel = new Promise((resolve) => (sawCancel = resolve));
  server.addService(definition, {
    hang: (call: any, callback: (error: null, response: unknown) => void) => {
      if (call.request.echo) return callback(null, { echo: call.request.echo });
      call.on('cancelled', () => sawCancel());
      started();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  client = new (makeGenericClientConstructor(definition, 'Hang'))(`127.0.0.1:${port}`, credentials.createInsecure());
});
afterAll(() => {
  client?.close();
  server?.forceShutdown();
});

describe('unary', () => {
  it('resolves with the response while the signal is not aborted', async () => {
    await expect(unary(client.hang.bind(client), { echo: 'hi' }, new AbortController().signal)).resolves.toEqual({ echo: 'hi' });
  });

  it('rejects at once with a CancelledError, without calling, when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort('run stopped');
    let called = false;
    const method = (() => {
      called = true;
    }) as never;
    const error = await unary(method, {}, controller.signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).code).toBe(status.CANCELLED);
    expect(called).toBe(false);
  });

  it('cancels an in-flight call when the signal aborts: CancelledError here, cancellation on the server', async () => {
    const controller = new AbortController();
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const result = unary(client.hang.bind(client), {}, controller.signal, LONG_DEADLINE_MS).catch((e: unknown) => e);
    await inFlight;
    controller.abort('run stopped');
    const error = await result;
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as Error).message).toMatch(/run stopped/);
    expect(((error as Error).cause as { code?: number }).code).toBe(status.CANCELLED);
    await serverSawCancel;
  });
});
