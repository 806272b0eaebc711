import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceDefinition } from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientInterceptors } from './client.ts';
import type { CallContext } from './handlers.ts';
import protobuf from 'protobufjs';
import { InvalidArgumentError, NotFoundError, ResourceExhaustedError } from './errors.ts';
import { createLogger } from './logger.ts';
import { service, startServer, type RunningServer } from './server.ts';
import { setupTelemetry, type Telemetry } from './telemetry/index.ts';
import { checkHealth, listServicesByReflection } from './testing.ts';

// A JSON-coded test service: JSON.parse failing on garbage bytes stands in for protobuf decode errors.
const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')),
};
const method = (name: string, responseStream = false) => ({
  path: `/test.Echo/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const EchoDefinition = {
  echo: method('Echo'),
  count: method('Count', true),
  slow: method('Slow'),
} satisfies ServiceDefinition;

interface EchoRequest {
  text?: string;
  fail?: 'invalid' | 'missing' | 'busy' | 'bug';
  n?: number;
}

let server: RunningServer;
let telemetry: Telemetry;
let client: any;
let slowAborted: Promise<boolean>;
let resolveSlowAborted: (aborted: boolean) => void;

beforeAll(async () => {
  telemetry = setupTelemetry({ serviceName: 'server-kit-test', inMemory: true });
  slowAborted = new Promise((resolve) => (resolveSlowAborted = resolve));
  server = await startServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 4096, shutdownGraceMs: 2000 },
    [
      service({
        name: 'test.Echo',
        definition: EchoDefinition,
        // No descriptors: this test service is not reflected.
        descriptorSet: new Uint8Array(),
        implementation: {
          echo: async (request: EchoRequest) => {
            if (request.fail === 'invalid') throw new InvalidArgumentError('must be short', { field: 'text' });
            if (request.fail === 'missing') throw new NotFoundError('no such model "x"', { field: 'model', resource: { type: 'model', name: 'x' } });
            if (request.fail === 'busy') throw new ResourceExhaustedError('server busy', { retryAfterMs: 1500 });
            if (request.fail === 'bug') throw new TypeError('boom');
            return { text: request.text, traceId: trace.getActiveSpan()?.spanContext().traceId };
          },
          count: async function* (request: EchoRequest) {
            for (let i = 0; i < (request.n ?? 0); i++) yield { i };
            if (request.fail === 'invalid') throw new InvalidArgumentError('must be positive', { field: 'n' });
          },
          slow: async (_request: EchoRequest, call: CallContext) => {
            const aborted = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), 5000);
              call.signal.addEventListener('abort', () => {
                clearTimeout(timer);
                resolve(true);
              });
            });
            resolveSlowAborted(aborted);
            return {};
          },
        } as any,
      }),
    ],
    createLogger({ level: 'silent' }),
  );
  const Client = makeGenericClientConstructor(EchoDefinition, 'Echo');
  client = new Client(server.address, credentials.createInsecure(), { interceptors: clientInterceptors });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
  await telemetry?.shutdown();
});

const unary = (name: string, request: unknown, deadlineMs?: number) =>
  new Promise<any>((resolve, reject) => {
    const options = deadlineMs ? { deadline: Date.now() + deadlineMs } : {};
    client[name](request, new Metadata(), options, (error: any, response: any) => (error ? reject(error) : resolve(response)));
  });

describe('startServer', () => {
  it('answers a unary call', async () => {
    expect((await unary('echo', { text: 'hi' })).text).toBe('hi');
  });

  it('maps typed errors to their status code with the field named', async () => {
    await expect(unary('echo', { fail: 'invalid' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: 'text: must be short',
    });
    await expect(unary('echo', { fail: 'missing' })).rejects.toMatchObject({ code: status.NOT_FOUND });
  });

  it('attaches google.rpc.Status details: BadRequest, ResourceInfo, RetryInfo', async () => {
    // Decoded with protobufjs from the public google.rpc definitions, independently of the encoder.
    const root = protobuf.parse(`syntax = "proto3";
      package google.rpc;
      message Any { string type_url = 1; bytes value = 2; }
      message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
      message BadRequest { message FieldViolation { string field = 1; string description = 2; } repeated FieldViolation field_violations = 1; }
      message ResourceInfo { string resource_type = 1; string resource_name = 2; string owner = 3; string description = 4; }
      message Duration { int64 seconds = 1; int32 nanos = 2; }
      message RetryInfo { Duration retry_delay = 1; }`, { keepCase: true }).root;
    const details = async (request: EchoRequest, stream = false) => {
      const error = await (stream
        ? new Promise<any>((resolve) => client.count(request).on('error', resolve).on('data', () => {}))
        : unary('echo', request).catch((e: unknown) => e));
      const [bytes] = error.metadata.get('grpc-status-details-bin') as Buffer[];
      const decoded = root.lookupType('google.rpc.Status').toObject(root.lookupType('google.rpc.Status').decode(bytes), { longs: Number }) as any;
      expect(decoded).toMatchObject({ code: error.code, message: error.details });
      return decoded.details.map((d: { type_url: string; value: Uint8Array }) => {
        const type = d.type_url.replace('type.googleapis.com/', '');
        return { type, value: root.lookupType(type).toObject(root.lookupType(type).decode(d.value), { longs: Number }) };
      });
    };
    expect(await details({ fail: 'invalid' })).toEqual([
      { type: 'google.rpc.BadRequest', value: { field_violations: [{ field: 'text', description: 'must be short' }] } },
    ]);
    expect(await details({ fail: 'invalid', n: 1 }, true)).toEqual([
      { type: 'google.rpc.BadRequest', value: { field_violations: [{ field: 'n', description: 'must be positive' }] } },
    ]);
    expect(await details({ fail: 'missing' })).toEqual([
      { type: 'google.rpc.ResourceInfo', value: { resource_type: 'model', resource_name: 'x', description: 'no such model "x"' } },
    ]);
    expect(await details({ fail: 'busy' })).toEqual([{ type: 'google.rpc.RetryInfo', value: { retry_delay: { seconds: 1, nanos: 500_000_000 } } }]);
  });

  it('reports unexpected errors as INTERNAL', async () => {
    await expect(unary('echo', { fail: 'bug' })).rejects.toMatchObject({ code: status.INTERNAL });
  });

  it('answers undecodable request bytes with INVALID_ARGUMENT, not INTERNAL', async () => {
    const raw = new (makeGenericClientConstructor(
      { echo: { ...EchoDefinition.echo, requestSerialize: (b: Buffer) => b } },
      'Raw',
    ))(server.address, credentials.createInsecure()) as any;
    try {
      const error = await new Promise<any>((resolve) => raw.echo(Buffer.from([0xff, 0x00, 0x13]), (e: any) => resolve(e)));
      expect(error.code).toBe(status.INVALID_ARGUMENT);
      expect(error.details).toMatch(/^request: /);
    } finally {
      raw.close();
    }
  });

  it('enforces the message-size limit with RESOURCE_EXHAUSTED', async () => {
    await expect(unary('echo', { text: 'x'.repeat(10_000) })).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED });
  });

  it('streams server-side messages', async () => {
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.count({ n: 5 });
      stream.on('data', (m: { i: number }) => received.push(m.i));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    expect(received).toEqual([0, 1, 2, 3, 4]);
  });

  it('ends a failing stream with its status instead of leaving the client waiting', async () => {
    for (const n of [0, 2]) {
      const received: number[] = [];
      const error = await new Promise<any>((resolve) => {
        // A 5 s deadline: before the fix the client only ever saw DEADLINE_EXCEEDED.
        const stream = client.count({ n, fail: 'invalid' }, new Metadata(), { deadline: Date.now() + 5000 });
        stream.on('data', (m: { i: number }) => received.push(m.i));
        stream.on('error', resolve);
      });
      expect({ code: error.code, details: error.details, received }).toEqual({ code: status.INVALID_ARGUMENT, details: 'n: must be positive', received: Array.from({ length: n }, (_, i) => i) });
    }
  });

  it('aborts the handler when the deadline passes', async () => {
    await expect(unary('slow', {}, 200)).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    expect(await slowAborted).toBe(true);
  });

  it('serves grpc.health.v1 and reflection', async () => {
    expect(await checkHealth(server.address)).toBe('SERVING');
    expect(await checkHealth(server.address, 'test.Echo')).toBe('SERVING');
    expect(await listServicesByReflection(server.address)).toContain('grpc.health.v1.Health');
  });

  it('continues the caller trace in the server span', async () => {
    const span = telemetry.tracer.startSpan('caller');
    const response = await context.with(trace.setSpan(context.active(), span), () => unary('echo', { text: 't' }));
    span.end();
    expect(response.traceId).toBe(span.spanContext().traceId);
    const names = telemetry.memory!.getFinishedSpans().map((s) => s.name);
    expect(names).toContain('test.Echo/Echo');
  });

  it('drains in-flight calls on shutdown while reporting NOT_SERVING', async () => {
    const other = await startServer(
      { host: '127.0.0.1', port: 0, maxMessageBytes: 4096, shutdownGraceMs: 3000 },
      [
        service({
          name: 'test.Echo',
          definition: EchoDefinition,
          // No descriptors: this test service is not reflected.
          descriptorSet: new Uint8Array(),
          implementation: {
            echo: async (request: EchoRequest) => {
              await new Promise((resolve) => setTimeout(resolve, 300));
              return { text: request.text };
            },
            count: async function* () {},
            slow: async () => ({}),
          } as any,
        }),
      ],
      createLogger({ level: 'silent' }),
    );
    const Client = makeGenericClientConstructor(EchoDefinition, 'Echo');
    const otherClient = new Client(other.address, credentials.createInsecure()) as any;
    const inFlight = new Promise<any>((resolve, reject) =>
      otherClient.echo({ text: 'late' }, (error: any, response: any) => (error ? reject(error) : resolve(response))),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = other.shutdown();
    expect(await checkHealth(other.address, 'test.Echo').catch(() => 'unreachable')).not.toBe('SERVING');
    expect((await inFlight).text).toBe('late');
    await stopping;
    otherClient.close();
  });

  it('answers calls still running when the grace period ends UNAVAILABLE, aborts their work, and stops (issue 13)', async () => {
    let handlerSignal: AbortSignal | undefined;
    const stuck = await startServer(
      { host: '127.0.0.1', port: 0, maxMessageBytes: 4096, shutdownGraceMs: 200 },
      [
        service({
          name: 'test.Echo',
          definition: EchoDefinition,
          descriptorSet: new Uint8Array(),
          implementation: {
            // Work that ignores cancellation and would never finish: only the server can end the call.
            echo: (_request: EchoRequest, call: CallContext) => {
              handlerSignal = call.signal;
              return new Promise(() => undefined);
            },
            count: async function* () {},
            slow: async () => ({}),
          } as any,
        }),
      ],
      createLogger({ level: 'silent' }),
    );
    const Client = makeGenericClientConstructor(EchoDefinition, 'Echo');
    const stuckClient = new Client(stuck.address, credentials.createInsecure()) as any;
    try {
      const answer = new Promise<any>((resolve) => stuckClient.echo({ text: 'forever' }, (error: any) => resolve(error)));
      while (!handlerSignal) await new Promise((resolve) => setTimeout(resolve, 10));
      await stuck.shutdown();
      const error = await answer;
      expect(error.code).toBe(status.UNAVAILABLE);
      expect(error.details).toMatch(/grace period of 200 ms is over; the call was abandoned/);
      expect(handlerSignal.aborted).toBe(true);
    } finally {
      stuckClient.close();
    }
  });
});
