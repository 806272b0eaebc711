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
    const config = readServiceConfig(['--port', '9001', '--host=0.0.0.0'], { LOCSCOPE_PORT: '9000', LOCSCOPE_HOST: '10.0.0.1' });
    expect(config).toMatchObject({ port: 9001, host: '0.0.0.0' });
    expect(readServiceConfig([], { LOCSCOPE_PORT: '9000' }).port).toBe(9000);
  });

  it('rejects malformed values naming the option', () => {
    expect(() => readServiceConfig(['--port', 'http'], {})).toThrowError(InvalidArgumentError);
    expect(() => readServiceConfig(['--port', '70000'], {})).toThrowError(/^port: /);
    expect(() => readServiceConfig([], { LOCSCOPE_MAX_MESSAGE_BYTES: '12' })).toThrowError(/^max-message-bytes: /);
  });
});
