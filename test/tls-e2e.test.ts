// TLS end to end through the orchestrator: the inference service started from its flags with TLS,
// mTLS and a callers file; the orchestrator reaches it with --tls-ca, a client certificate and
// LOCSCOPE_TOKEN, runs the baseline experiment, and the service's audit log names the caller by its
// token and its certificate. A client that does not trust the service's CA gets nothing.
import { datasetForConfig, orderStages, parseConfig, registerStudyExperiments, runEmbedded, ServiceConnections } from '@locscope/orchestrator';
import { createLogger, readClientSecurity, tokenSha256 } from '@locscope/server-kit';
import { makeTestPki } from '@locscope/server-kit/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startService } from '../services/orchestrator/src/services/launchers.ts';

const root = mkdtempSync(join(tmpdir(), 'locscope-tls-e2e-'));
const pki = makeTestPki(root);
const token = 'orchestrator-secret';
const callers = join(root, 'callers.yaml');
writeFileSync(callers, `callers:\n  - name: orchestrator\n    tokenSha256: ${tokenSha256(token)}\n    models: [demo-llava, demo-internvl]\n`);
const silent = createLogger({ level: 'silent' });
const lines: Record<string, unknown>[] = [];
const connections: ServiceConnections[] = [];

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await server?.shutdown();
  rmSync(root, { recursive: true, force: true });
});

let server: Awaited<ReturnType<typeof startService>> | undefined;

async function runBaseline(clients: ServiceConnections, runId: string) {
  registerStudyExperiments();
  const config = parseConfig('experiment: baseline\nversion: 1\ndescription: d\nsamples: 1\n', 'baseline.yaml', 'paper');
  return runEmbedded({
    runId,
    outDir: root,
    profile: 'paper',
    stages: orderStages(['baseline'], new Map([['baseline', config]])),
    clients,
    loadDataset: (c) => datasetForConfig(c),
    logger: silent,
  });
}

describe('TLS through the orchestrator', () => {
  it('runs an experiment against an mTLS + token inference service, and the audit log names the caller', async () => {
    server = await startService(
      'inference',
      { port: '0', 'tls-cert': pki.serverCert, 'tls-key': pki.serverKey, 'tls-client-ca': pki.caCert, 'auth-tokens': callers },
      createLogger({ level: 'info', write: (line) => lines.push(JSON.parse(line)) }),
    );
    const address = server.address.replace('127.0.0.1', 'localhost');
    const security = readClientSecurity({ 'tls-ca': pki.caCert, 'tls-client-cert': pki.clientCert, 'tls-client-key': pki.clientKey }, { LOCSCOPE_TOKEN: token });
    const clients = new ServiceConnections({ addresses: { inference: address }, logger: silent, security });
    connections.push(clients);
    const outcome = await runBaseline(clients, 'tls-ok');
    expect(outcome.state.status, JSON.stringify(outcome.state)).toBe('done');
    const audit = lines.filter((l) => l.message === 'audit' && l.method === '/locscope.v1.Inference/Generate');
    expect(audit.length).toBeGreaterThan(0);
    for (const line of audit) expect(line).toMatchObject({ caller: 'orchestrator', certificate: 'team-a', status: 'OK' });
    expect(audit.map((l) => l.model)).toContain('demo-llava');

    const untrusting = new ServiceConnections({ addresses: { inference: address }, logger: silent, security: { ...security, tls: { caFile: pki.foreignCaCert } } });
    connections.push(untrusting);
    const refused = await runBaseline(untrusting, 'tls-foreign-ca');
    expect(refused.state.status).not.toBe('done');
  });
});
