// Security of every server, with real certificates made in the test: TLS (foreign-CA and expired
// server certificates refused, files re-read when they change), mTLS (the certificate subject names
// the caller in the audit log), bearer tokens (UNAUTHENTICATED), rights (PERMISSION_DENIED naming
// what is lacking) and quotas (RESOURCE_EXHAUSTED with a google.rpc.RetryInfo). Health stays open.
import { makeGenericClientConstructor, Metadata, status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CONCURRENCY_RETRY_MS, type RequestFacts } from './caller-limits.ts';
import { tokenSha256 } from './callers.ts';
import type { ServiceConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { decodeStatusDetails, STATUS_DETAILS_KEY } from './status-details.ts';
import { service, startServer, type RunningServer } from './server.ts';
import { setupTelemetry } from './telemetry/index.ts';
import { checkHealth } from './testing.ts';
import { makeTestPki } from './test-pki.ts';
import { clientCredentials, type ClientTls } from './tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'locscope-security-'));
const pki = makeTestPki(dir);
const telemetry = setupTelemetry({ serviceName: 'security-test', inMemory: true });
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await telemetry.shutdown();
});

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')),
};
const EchoDefinition = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
} satisfies ServiceDefinition;
const EchoClient = makeGenericClientConstructor(EchoDefinition, 'Echo');

interface EchoRequest {
  model?: string;
  variants?: number;
  waitMs?: number;
}

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.shutdown()));
});

async function start(config: Partial<ServiceConfig>, lines: Record<string, unknown>[] = []): Promise<RunningServer> {
  const server = await startServer(
    { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, shutdownGraceMs: 1000, ...config },
    [
      service({
        name: 'test.Echo',
        definition: EchoDefinition,
        descriptorSet: new Uint8Array(),
        describe: (_method, request): RequestFacts => {
          const { model, variants } = request as EchoRequest;
          return { ...(model !== undefined && { model }), ...(variants !== undefined && { variants }) };
        },
        implementation: {
          echo: async (request: EchoRequest, call) => {
            if (request.waitMs) await new Promise((resolve) => setTimeout(resolve, request.waitMs));
            return { caller: call.caller.name };
          },
        },
      }),
    ],
    createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) }),
  );
  servers.push(server);
  return server;
}

/** Calls Echo; resolves with the response or the ServiceError. */
function echo(address: string, tls: ClientTls | undefined, request: EchoRequest = {}, token?: string): Promise<{ caller: string } | ServiceError> {
  const client = new EchoClient(address.replace('127.0.0.1', 'localhost'), clientCredentials(tls));
  const metadata = new Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) =>
    client.echo(request, metadata, { deadline: Date.now() + 10_000 }, (error: ServiceError | null, response: { caller: string }) => {
      client.close();
      resolve(error ?? response);
    }),
  );
}

const codeOf = (result: unknown) => (result as ServiceError).code;

describe('TLS', () => {
  it('serves clients that trust its CA, and clients refuse foreign-CA and expired server certificates', async () => {
    const good = await start({ tls: { certFile: pki.serverCert, keyFile: pki.serverKey } });
    expect(await echo(good.address, { caFile: pki.caCert })).toEqual({ caller: 'anonymous' });
    expect(codeOf(await echo(good.address, { caFile: pki.foreignCaCert }))).toBe(status.UNAVAILABLE);
    expect(codeOf(await echo(good.address, undefined))).toBe(status.UNAVAILABLE);

    const foreign = await start({ tls: { certFile: pki.foreignServerCert, keyFile: pki.foreignServerKey } });
    expect(codeOf(await echo(foreign.address, { caFile: pki.caCert }))).toBe(status.UNAVAILABLE);
    const expired = await start({ tls: { certFile: pki.expiredServerCert, keyFile: pki.expiredServerKey } });
    expect(codeOf(await echo(expired.address, { caFile: pki.caCert }))).toBe(status.UNAVAILABLE);
  });

  it('re-reads its certificate files when they change', async () => {
    const cert = join(dir, 'rotating.pem');
    const key = join(dir, 'rotating.key');
    copyFileSync(pki.expiredServerCert, cert);
    copyFileSync(pki.expiredServerKey, key);
    const server = await start({ tls: { certFile: cert, keyFile: key, reloadMs: 100 } });
    expect(codeOf(await echo(server.address, { caFile: pki.caCert }))).toBe(status.UNAVAILABLE);
    copyFileSync(pki.serverCert, cert);
    copyFileSync(pki.serverKey, key);
    let result: unknown;
    for (let attempt = 0; attempt < 50; attempt++) {
      result = await echo(server.address, { caFile: pki.caCert });
      if (codeOf(result) === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(result).toEqual({ caller: 'anonymous' });
  });

  it('with a client CA requires a client certificate from it, and the subject names the caller in the audit log', async () => {
    const lines: Record<string, unknown>[] = [];
    const server = await start({ tls: { certFile: pki.serverCert, keyFile: pki.serverKey, clientCaFile: pki.caCert } }, lines);
    expect(await echo(server.address, { caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }, { model: 'm', variants: 2 })).toEqual({ caller: 'team-a' });
    expect(codeOf(await echo(server.address, { caFile: pki.caCert }))).toBe(status.UNAVAILABLE);
    expect(codeOf(await echo(server.address, { caFile: pki.caCert, certFile: pki.foreignClientCert, keyFile: pki.foreignClientKey }))).toBe(status.UNAVAILABLE);
    const audit = lines.filter((l) => l.message === 'audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ caller: 'team-a', certificate: 'team-a', method: '/test.Echo/Echo', model: 'm', variants: 2, status: 'OK' });
    expect(typeof audit[0].durationMs).toBe('number');
    const quiet: Record<string, unknown>[] = [];
    const unaudited = await start({ audit: false }, quiet);
    expect(await echo(unaudited.address, undefined)).toEqual({ caller: 'anonymous' });
    expect(quiet.filter((l) => l.message === 'audit')).toEqual([]);
  });
});

describe('callers', () => {
  const token = { a: 'token-of-team-a', b: 'token-of-team-b', c: 'token-of-team-c' };
  const callersFile = join(dir, 'callers.json');
  writeFileSync(
    callersFile,
    JSON.stringify({
      callers: [
        { name: 'team-a', tokenSha256: tokenSha256(token.a), models: ['demo-llava'], maxVariants: 2 },
        { name: 'team-b', tokenSha256: tokenSha256(token.b), requestsPerMinute: 2 },
        { name: 'team-c', tokenSha256: tokenSha256(token.c), maxConcurrent: 1 },
      ],
    }),
  );
  const tls = { certFile: pki.serverCert, keyFile: pki.serverKey };
  const client = { caFile: pki.caCert };

  it('refuses calls without a valid bearer token (UNAUTHENTICATED) and audits them; health stays open', async () => {
    const lines: Record<string, unknown>[] = [];
    const server = await start({ tls, authTokensFile: callersFile }, lines);
    const missing = (await echo(server.address, client)) as ServiceError;
    expect(missing.code).toBe(status.UNAUTHENTICATED);
    expect(missing.details).toBe('missing "authorization: Bearer <token>" metadata');
    const invalid = (await echo(server.address, client, {}, 'token-of-team-z')) as ServiceError;
    expect([invalid.code, invalid.details]).toEqual([status.UNAUTHENTICATED, 'invalid bearer token']);
    expect(await echo(server.address, client, {}, token.a)).toEqual({ caller: 'team-a' });
    const audit = lines.filter((l) => l.message === 'audit');
    expect(audit.map((l) => [l.caller, l.status])).toEqual([
      ['unauthenticated', 'UNAUTHENTICATED'],
      ['unauthenticated', 'UNAUTHENTICATED'],
      ['team-a', 'OK'],
    ]);
    // Refused calls are traced too, and each audit line names its call's span.
    const spans = telemetry.memory!.getFinishedSpans();
    expect(
      audit.map((l) => spans.find((s) => s.spanContext().spanId === l.span_id && s.spanContext().traceId === l.trace_id)?.attributes['rpc.grpc.status_code']),
    ).toEqual([status.UNAUTHENTICATED, status.UNAUTHENTICATED, status.OK]);
    const insecureHealth = await start({ authTokensFile: callersFile });
    expect(await checkHealth(insecureHealth.address, 'test.Echo')).toBe('SERVING');
  });

  it('refuses a model or a request size outside the caller\'s rights (PERMISSION_DENIED naming it)', async () => {
    const server = await start({ tls, authTokensFile: callersFile });
    const model = (await echo(server.address, client, { model: 'demo-internvl' }, token.a)) as ServiceError;
    expect([model.code, model.details]).toEqual([status.PERMISSION_DENIED, 'model: caller "team-a" may not use model "demo-internvl" (allowed: demo-llava)']);
    const variants = (await echo(server.address, client, { model: 'demo-llava', variants: 3 }, token.a)) as ServiceError;
    expect([variants.code, variants.details]).toEqual([status.PERMISSION_DENIED, 'variants: caller "team-a" may send at most 2 variants per request (maxVariants), got 3']);
    expect(await echo(server.address, client, { model: 'demo-internvl', variants: 64 }, token.b)).toEqual({ caller: 'team-b' });
  });

  it('answers past a quota RESOURCE_EXHAUSTED with a RetryInfo, per caller', async () => {
    const server = await start({ tls, authTokensFile: callersFile });
    expect(await echo(server.address, client, {}, token.b)).toEqual({ caller: 'team-b' });
    expect(await echo(server.address, client, {}, token.b)).toEqual({ caller: 'team-b' });
    const rate = (await echo(server.address, client, {}, token.b)) as ServiceError;
    expect([rate.code, rate.details]).toEqual([status.RESOURCE_EXHAUSTED, 'caller "team-b" is past its requestsPerMinute of 2']);
    const rateDetails = decodeStatusDetails(rate.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer);
    expect(rateDetails).toMatchObject({ code: status.RESOURCE_EXHAUSTED, message: rate.details });
    // Two requests a minute: the next one is possible within 30 s.
    expect(rateDetails.retryDelayMs).toBeGreaterThan(0);
    expect(rateDetails.retryDelayMs).toBeLessThanOrEqual(30_000);
    // Another caller is not affected.
    expect(await echo(server.address, client, {}, token.c)).toEqual({ caller: 'team-c' });

    const slow = echo(server.address, client, { waitMs: 1000 }, token.c);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const concurrent = (await echo(server.address, client, {}, token.c)) as ServiceError;
    expect([concurrent.code, concurrent.details]).toEqual([status.RESOURCE_EXHAUSTED, 'caller "team-c" has 1 requests running, its maxConcurrent']);
    expect(decodeStatusDetails(concurrent.metadata.get(STATUS_DETAILS_KEY)[0] as Buffer).retryDelayMs).toBe(CONCURRENCY_RETRY_MS);
    expect(await slow).toEqual({ caller: 'team-c' });
  });

  it('refuses a callers file naming the entry and field', async () => {
    const bad = join(dir, 'bad-callers.yaml');
    writeFileSync(bad, 'callers:\n  - name: x\n    tokenSha256: not-hex\n');
    await expect(start({ authTokensFile: bad })).rejects.toThrowError(`${bad}: callers[0].tokenSha256: must be the 64 hex digits of the token's SHA-256`);
  });
});
