import { UsageError } from '@locscope/server-kit';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsClientConfig } from './client-config.ts';

let dir: string;
let creds: string;
let seed: string;
let ca: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'locscope-nats-config-'));
  [creds, seed, ca] = ['user.creds', 'seed.nk', 'ca.pem'].map((name) => join(dir, name));
  for (const file of [creds, seed, ca]) await writeFile(file, 'x');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('natsClientConfig', () => {
  it('is undefined without a URL (embedded mode), whatever the env holds', () => {
    expect(natsClientConfig({}, { LOCSCOPE_NATS_USER: 'u', LOCSCOPE_NATS_PASSWORD: 'p' })).toBeUndefined();
  });

  it('refuses a NATS flag without a URL', () => {
    expect(() => natsClientConfig({ 'nats-token': 't' }, {})).toThrow(new UsageError('--nats-token needs --nats URL (or LOCSCOPE_NATS_URL)'));
  });

  it('reads every setting from env, and a flag wins over its variable', () => {
    const env = { LOCSCOPE_NATS_URL: 'tls://nats:4222', LOCSCOPE_NATS_USER: 'env-user', LOCSCOPE_NATS_PASSWORD: 'env-pass', LOCSCOPE_NATS_TLS_CA: ca };
    expect(natsClientConfig({}, env)).toEqual({ url: 'tls://nats:4222', auth: { kind: 'user', user: 'env-user', password: 'env-pass' }, tls: { caFile: ca } });
    expect(natsClientConfig({ nats: 'nats://other:4222', 'nats-user': 'flag-user' }, env)).toMatchObject({ url: 'nats://other:4222', auth: { user: 'flag-user', password: 'env-pass' } });
  });

  it('requires TLS for a tls:// URL even without TLS files', () => {
    expect(natsClientConfig({ nats: 'tls://n:4222' }, {})).toEqual({ url: 'tls://n:4222', tls: {} });
    expect(natsClientConfig({ nats: 'nats://n:4222' }, {})).toEqual({ url: 'nats://n:4222' });
  });

  it.each([
    [{ 'nats-creds': 'CREDS' }, { kind: 'creds', file: 'CREDS' }],
    [{ 'nats-token': 's3cret' }, { kind: 'token', token: 's3cret' }],
    [{ 'nats-nkey-seed-file': 'SEED' }, { kind: 'nkey', seedFile: 'SEED' }],
  ])('takes one credential: %j', (flags, auth) => {
    const resolve = (value: string) => (value === 'CREDS' ? creds : value === 'SEED' ? seed : value);
    const given = Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, resolve(v)]));
    const expected = Object.fromEntries(Object.entries(auth).map(([k, v]) => [k, resolve(v)]));
    expect(natsClientConfig({ nats: 'nats://n:4222', ...given }, {})?.auth).toEqual(expected);
  });

  it('refuses two credentials, naming both', () => {
    expect(() => natsClientConfig({ nats: 'nats://n:4222', 'nats-token': 't' }, { LOCSCOPE_NATS_CREDS: creds })).toThrow(/give one NATS credential, got creds \+ token/);
  });

  it('refuses a user without a password and a certificate without its key', () => {
    expect(() => natsClientConfig({ nats: 'nats://n:4222', 'nats-user': 'u' }, {})).toThrow(/--nats-user and --nats-password .* go together; got only the user/);
    expect(() => natsClientConfig({ nats: 'nats://n:4222', 'nats-tls-cert': ca }, {})).toThrow(/--nats-tls-cert and --nats-tls-key/);
  });

  it('refuses a file it cannot read, naming the flag, its variable and the file', () => {
    const missing = join(dir, 'missing.creds');
    expect(() => natsClientConfig({ nats: 'nats://n:4222' }, { LOCSCOPE_NATS_CREDS: missing })).toThrow(`--nats-creds (LOCSCOPE_NATS_CREDS): cannot read ${missing}`);
  });
});
