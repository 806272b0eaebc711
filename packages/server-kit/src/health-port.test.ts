import { status, type ServiceDefinition } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { parseFlags } from './command.ts';
import { readServiceConfig as readValues, SERVICE_FLAGS } from './config.ts';
import { InvalidArgumentError } from './errors.ts';
import { createLogger } from './logger.ts';
import { service, startServer } from './server.ts';
import { checkHealth, freePort, listServicesByReflection } from './testing.ts';

const ping = {
  path: '/test.Ping/Ping',
  requestStream: false,
  responseStream: false,
  requestSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  requestDeserialize: (b: Buffer) => JSON.parse(b.toString()),
  responseSerialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  responseDeserialize: (b: Buffer) => JSON.parse(b.toString()),
};
const PingDefinition = { ping } satisfies ServiceDefinition;
const readServiceConfig = (argv: string[], env: NodeJS.ProcessEnv) => readValues(parseFlags({ name: 'serve', summary: '', flags: SERVICE_FLAGS }, argv).values, env);

describe('health port', () => {
  it('is read from --health-port or LOCSCOPE_HEALTH_PORT, absent by default, and validated', () => {
    expect(readServiceConfig([], {}).healthPort).toBeUndefined();
    expect(readServiceConfig(['--health-port', '8081'], { LOCSCOPE_HEALTH_PORT: '9' }).healthPort).toBe(8081);
    expect(readServiceConfig([], { LOCSCOPE_HEALTH_PORT: '8082' }).healthPort).toBe(8082);
    expect(() => readServiceConfig(['--health-port', 'x'], {})).toThrowError(InvalidArgumentError);
    expect(() => readServiceConfig([], { LOCSCOPE_HEALTH_PORT: '70000' })).toThrowError(/^health-port: /);
  });

  it('serves the service port statuses in plaintext, only health, and closes after the drain', async () => {
    const server = await startServer(
      { host: '127.0.0.1', port: 0, maxMessageBytes: 4096, shutdownGraceMs: 2000, healthPort: 0 },
      [service({ name: 'test.Ping', definition: PingDefinition, descriptorSet: new Uint8Array(), servingAtStart: false, implementation: { ping: async () => ({}) } as any })],
      createLogger({ level: 'silent' }),
    );
    const health = `127.0.0.1:${server.healthPort}`;
    expect(server.healthPort).toBeGreaterThan(0);
    expect(server.healthPort).not.toBe(server.port);
    expect(await checkHealth(health, 'test.Ping')).toBe('NOT_SERVING');
    expect(await checkHealth(health, '')).toBe('SERVING');
    server.setServing('test.Ping', true);
    expect(await checkHealth(health, 'test.Ping')).toBe('SERVING');
    expect(await checkHealth(server.address, 'test.Ping')).toBe('SERVING');
    // Nothing but health: no reflection (it would list the services) and no service methods.
    await expect(listServicesByReflection(health)).rejects.toMatchObject({ code: status.UNIMPLEMENTED });
    await server.shutdown();
    await expect(checkHealth(health, '')).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  it('releases the service port when the health port cannot be bound', async () => {
    const silent = createLogger({ level: 'silent' });
    const taken = await startServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 4096, shutdownGraceMs: 100 }, [], silent);
    const free = await freePort();
    try {
      const config = { host: '127.0.0.1', port: free, maxMessageBytes: 4096, shutdownGraceMs: 100 };
      await expect(startServer({ ...config, healthPort: taken.port }, [], silent)).rejects.toThrow(/No address added/);
      // The service port bound before the failure was let go: it can be bound again.
      const again = await startServer(config, [], silent);
      await again.shutdown();
    } finally {
      await taken.shutdown();
    }
  });
});
