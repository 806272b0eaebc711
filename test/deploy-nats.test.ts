// The NATS configuration deploy/k8s ships, run by a real nats-server: clients get in only over TLS
// with the user and password the server read from its environment (the Secret's keys in the pod),
// JetStream is on, and the readiness probe's path answers on the monitoring port.
import { ensureResources, natsNames } from '@locscope/orchestrator';
import { freePort } from '@locscope/server-kit/testing';
import { connect } from '@nats-io/transport-node';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustomize } from './support/k8s-schema.ts';
import { startNatsServer, type NatsServer } from './support/nats-server.ts';
import { REPO_ROOT } from './support/orchestrator.ts';

const USER = 'locscope';
const PASSWORD = 'a-password-from-the-secret';

let dir: string;
let server: NatsServer;
let monitorPort: number;
let readinessPath: string;

/** A CA and a server certificate for this host (the client dials "localhost"), made with openssl. */
function makeCertificates(at: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: at, stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=test-ca', '-days', '1');
  run('req', ...key, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=nats');
  execFileSync('sh', ['-c', 'printf "subjectAltName=DNS:localhost,IP:127.0.0.1\\n" > san.ext'], { cwd: at });
  run('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '1', '-extfile', 'san.ext');
}

beforeAll(async () => {
  const objects = kustomize(join(REPO_ROOT, 'deploy/k8s'));
  const conf = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'nats-config')!.data!['nats.conf'];
  const statefulSet = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'nats')!;
  const container = statefulSet.spec!.template.spec.containers[0];
  readinessPath = container.readinessProbe.httpGet.path;
  const tlsMount = container.volumeMounts.find((m: { name: string }) => m.name === 'tls').mountPath as string;
  const dataMount = container.volumeMounts.find((m: { name: string }) => m.name === 'data').mountPath as string;

  dir = await mkdtemp(join(tmpdir(), 'locscope-nats-conf-'));
  makeCertificates(dir);
  // The pod's mount points, moved to this test's folder; everything else exactly as shipped.
  const local = conf.replaceAll(`${tlsMount}/`, `${dir}/`).replace(`store_dir: ${dataMount}`, `store_dir: ${join(dir, 'data')}`);
  expect(local).not.toBe(conf);
  await writeFile(join(dir, 'nats.conf'), local);
  monitorPort = await freePort();
  server = await startNatsServer({
    args: ['-c', join(dir, 'nats.conf'), '-m', String(monitorPort)],
    env: { LOCSCOPE_NATS_USER: USER, LOCSCOPE_NATS_PASSWORD: PASSWORD },
  });
});

afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('shipped NATS configuration', () => {
  it('admits a client with the CA and the credentials, and holds the work queue and the records KV', async () => {
    const nc = await connect({ servers: server.url, tls: { caFile: join(dir, 'ca.crt') }, user: USER, pass: PASSWORD });
    try {
      const resources = await ensureResources(nc);
      expect((await (await resources.js.consumers.get(natsNames.JOB_STREAM, natsNames.WORKER_CONSUMER)).info()).name).toBe(natsNames.WORKER_CONSUMER);
      await resources.records.put('probe', 'stored');
      expect((await resources.records.get('probe'))?.string()).toBe('stored');
    } finally {
      await nc.close();
    }
  });

  it('refuses a wrong password and a client that cannot verify the server', async () => {
    await expect(connect({ servers: server.url, tls: { caFile: join(dir, 'ca.crt') }, user: USER, pass: 'wrong', reconnect: false })).rejects.toThrow(
      /authorization/i,
    );
    await expect(connect({ servers: server.url, user: USER, pass: PASSWORD, reconnect: false })).rejects.toThrow(/certificate/i);
  });

  it('answers the readiness probe path on the monitoring port', async () => {
    const response = await fetch(`http://127.0.0.1:${monitorPort}${readinessPath}`);
    expect(response.status).toBe(200);
  });
});
