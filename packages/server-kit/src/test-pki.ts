// Real X.509 certificates for tests, made with Debian's `openssl` (node:crypto cannot sign
// certificates): a CA, server and client certificates it signs, an expired server certificate, and
// a foreign CA with its own server and client certificates. EC P-256 keys keep generation fast.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Subject CN `team-a`. */
  clientCert: string;
  clientKey: string;
  /** Signed by the CA, valid until yesterday. */
  expiredServerCert: string;
  expiredServerKey: string;
  foreignCaCert: string;
  foreignServerCert: string;
  foreignServerKey: string;
  /** Subject CN `intruder`, signed by the foreign CA. */
  foreignClientCert: string;
  foreignClientKey: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function makeCa(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(['req', '-x509', ...newKey, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`]);
  return { cert, key };
}

/** A leaf certificate signed by `ca`; `days` -1 makes it expired. */
function makeLeaf(dir: string, name: string, ca: { cert: string; key: string }, usage: 'serverAuth' | 'clientAuth', days = 2): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `extendedKeyUsage=${usage}\n${usage === 'serverAuth' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' : ''}`);
  openssl(['req', ...newKey, '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', String(days), '-extfile', ext]);
  return { cert, key };
}

export function makeTestPki(dir: string): TestPki {
  const ca = makeCa(dir, 'locscope-test-ca');
  const foreignCa = makeCa(dir, 'foreign-ca');
  const server = makeLeaf(dir, 'localhost', ca, 'serverAuth');
  const client = makeLeaf(dir, 'team-a', ca, 'clientAuth');
  const expired = makeLeaf(dir, 'expired-server', ca, 'serverAuth', -1);
  const foreignServer = makeLeaf(dir, 'foreign-server', foreignCa, 'serverAuth');
  const foreignClient = makeLeaf(dir, 'intruder', foreignCa, 'clientAuth');
  return {
    dir,
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    expiredServerCert: expired.cert,
    expiredServerKey: expired.key,
    foreignCaCert: foreignCa.cert,
    foreignServerCert: foreignServer.cert,
    foreignServerKey: foreignServer.key,
    foreignClientCert: foreignClient.cert,
    foreignClientKey: foreignClient.key,
  };
}
