// NATS with TLS, mutual TLS and a user/password, against a real nats-server configured for all
// three, with certificates made here by openssl: a client without credentials, with a wrong
// password or without the CA is refused; a worker process configured from env only (nothing
// secret on its command line, its client certificate required by the server) runs a whole run.
// (A client without a certificate is refused too, but only after the 20 s handshake timeout.)
import { connectNats, natsClientConfig, NatsConnectionWatch, orderStages, parseConfig, registerExperiment, runWithNats, ServiceConnections, type NatsClientConfig, type NatsConnection, type SampleEvent } from '@locscope/orchestrator';
import { arithExperiment } from '@locscope/orchestrator/testing';
import { createLogger } from '@locscope/server-kit';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';
import { ARITH_PLUGIN, finished, spawnLocscope } from './support/orchestrator.ts';

registerExperiment(arithExperiment);
const logger = createLogger({ level: 'silent' });
const USER = 'locscope';
const PASSWORD = 'correct horse battery staple';

let dir: string;
let server: NatsServer;
const file = (name: string) => join(dir, name);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A key and a certificate for `cn` signed by the test CA, with the given extensions. */
async function issue(name: string, cn: string, extensions: string): Promise<void> {
  await writeFile(file(`${name}.ext`), extensions);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locscope-nats-tls-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=locscope test CA');
  await issue('server', 'nats', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await issue('client', 'locscope-worker', 'extendedKeyUsage=clientAuth\n');
  await writeFile(
    file('server.conf'),
    [
      `tls { cert_file: "${file('server.pem')}", key_file: "${file('server.key')}", ca_file: "${file('ca.pem')}", verify: true }`,
      `authorization { user: "${USER}", password: "${PASSWORD}" }`,
    ].join('\n'),
  );
  server = await startNatsServer({ scheme: 'tls', args: ['-c', file('server.conf'), '-js', '-sd', file('jetstream')] });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('NATS with TLS, client certificates and a password', () => {
  const tls = () => ({ caFile: file('ca.pem'), certFile: file('client.pem'), keyFile: file('client.key') });
  const auth = { kind: 'user' as const, user: USER, password: PASSWORD };

  it('refuses a client without credentials', async () => {
    await expect(connectNats({ url: server.url, tls: tls() }, 'no-creds')).rejects.toThrow(/cannot connect to NATS at tls:.*Authorization Violation/i);
  });

  it('refuses a wrong password', async () => {
    await expect(connectNats({ url: server.url, tls: tls(), auth: { ...auth, password: 'guess' } }, 'bad-creds')).rejects.toThrow(/Authorization Violation/i);
  });

  it('refuses a server it cannot verify (no CA given: the system roots do not know the test CA)', async () => {
    await expect(connectNats({ url: server.url, tls: { certFile: file('client.pem'), keyFile: file('client.key') }, auth }, 'no-ca')).rejects.toThrow(/cannot connect to NATS/);
  });

  it('runs a whole run with a worker configured from env only', async () => {
    const env = {
      LOCSCOPE_NATS_URL: server.url,
      LOCSCOPE_NATS_TLS_CA: file('ca.pem'),
      LOCSCOPE_NATS_TLS_CERT: file('client.pem'),
      LOCSCOPE_NATS_TLS_KEY: file('client.key'),
      LOCSCOPE_NATS_USER: USER,
      LOCSCOPE_NATS_PASSWORD: PASSWORD,
    };
    const config: NatsClientConfig = natsClientConfig({}, env)!;
    expect(config).toEqual({ url: server.url, auth, tls: tls() });
    const nc: NatsConnection = await connectNats(config, 'tls-test');
    const worker = spawnLocscope(['worker', '--plugin', ARITH_PLUGIN], { env });
    const exit = finished(worker);
    const events: SampleEvent[] = [];
    const sub = nc.subscribe('locscope.run.tls1.sample', { callback: (_error, msg) => void events.push(msg.json<SampleEvent>()) });
    const clients = new ServiceConnections({ addresses: {}, logger });
    try {
      const yaml = `experiment: arith\nversion: 1\ndescription: test\nparams: ${JSON.stringify({ count: 4, seeds: [0] })}\n`;
      const outcome = await runWithNats({
        nc, watch: new NatsConnectionWatch(nc, logger), runId: 'tls1', outDir: join(dir, 'runs'), profile: 'paper',
        stages: orderStages(['arith'], new Map([['arith', parseConfig(yaml, 'arith.yaml', 'paper')]])), clients,
        loadDataset: async () => { throw new Error('arith needs no dataset'); }, logger, localWorkers: 0, ackWaitMs: 3000, maxDeliver: 2,
      });
      expect(outcome.state).toMatchObject({ status: 'done', experiments: { arith: { done: 4, failed: 0 } } });
      expect(events.filter((e) => e.ok && e.worker?.endsWith(`:${worker.pid}`))).toHaveLength(4);
    } finally {
      sub.unsubscribe();
      worker.kill('SIGTERM');
      await clients.close();
      await nc.close();
    }
    const result = await exit;
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);
});
