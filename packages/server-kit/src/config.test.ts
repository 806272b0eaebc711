import { describe, expect, it } from 'vitest';
import { parseFlags } from './command.ts';
import { DEFAULT_HOST, DEFAULT_MAX_MESSAGE_BYTES, readServiceConfig as readValues, SERVICE_FLAGS } from './config.ts';
import { InvalidArgumentError } from './errors.ts';

const readServiceConfig = (argv: string[], env: NodeJS.ProcessEnv, defaultPort?: number) =>
  readValues(parseFlags({ name: 'serve', summary: '', flags: SERVICE_FLAGS }, argv).values, env, defaultPort);

describe('readServiceConfig', () => {
  it('uses named defaults when nothing is given', () => {
    expect(readServiceConfig([], {}, 7000)).toMatchObject({ host: DEFAULT_HOST, port: 7000, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });
  });

  it('prefers flags over environment', () => {
    const config = readServiceConfig(['--port', '9001', '--host=0.0.0.0', '--insecure'], { LOCSCOPE_PORT: '9000', LOCSCOPE_HOST: '10.0.0.1' });
    expect(config).toMatchObject({ port: 9001, host: '0.0.0.0' });
    expect(readServiceConfig([], { LOCSCOPE_PORT: '9000' }).port).toBe(9000);
  });

  it('rejects malformed values naming the option', () => {
    expect(() => readServiceConfig(['--port', 'http'], {})).toThrowError(InvalidArgumentError);
    expect(() => readServiceConfig(['--port', '70000'], {})).toThrowError(/^port: /);
    expect(() => readServiceConfig([], { LOCSCOPE_MAX_MESSAGE_BYTES: '12' })).toThrowError(/^max-message-bytes: /);
  });

  it('refuses a non-loopback address without TLS and callers unless --insecure, saying what to configure', () => {
    expect(() => readServiceConfig(['--host', '0.0.0.0'], {})).toThrowError(
      'host: listening on 0.0.0.0 (beyond loopback) needs --tls-cert/--tls-key and --auth-tokens; give --insecure to serve plaintext, unauthenticated calls there anyway',
    );
    expect(() => readServiceConfig(['--host', '10.1.2.3', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'], {})).toThrowError(/needs --auth-tokens;/);
    expect(() => readServiceConfig(['--host', '::', '--auth-tokens', 'callers.yaml'], {})).toThrowError(/needs --tls-cert\/--tls-key;/);
    for (const host of ['127.0.0.1', '127.8.0.1', 'localhost', '::1', '[::1]']) expect(readServiceConfig(['--host', host], {}).host).toBe(host);
    expect(readServiceConfig(['--host', '0.0.0.0', '--insecure'], {}).insecure).toBe(true);
    const secured = readServiceConfig(['--host', '0.0.0.0'], {
      LOCSCOPE_TLS_CERT: 'c.pem',
      LOCSCOPE_TLS_KEY: 'k.pem',
      LOCSCOPE_TLS_CLIENT_CA: 'ca.pem',
      LOCSCOPE_AUTH_TOKENS: 'callers.yaml',
    });
    expect(secured).toMatchObject({ tls: { certFile: 'c.pem', keyFile: 'k.pem', clientCaFile: 'ca.pem' }, authTokensFile: 'callers.yaml', insecure: false });
  });

  it('refuses half a TLS configuration naming the missing flag', () => {
    expect(() => readServiceConfig(['--tls-cert', 'c.pem'], {})).toThrowError(/^tls-key: --tls-cert and --tls-key go together/);
    expect(() => readServiceConfig(['--tls-key', 'k.pem'], {})).toThrowError(/^tls-cert: /);
    expect(() => readServiceConfig(['--tls-client-ca', 'ca.pem'], {})).toThrowError(/^tls-client-ca: mTLS needs --tls-cert and --tls-key/);
  });
});
