// The one flag parser: declared flags parse, anything else is a UsageError naming it, and help
// shows each flag's description, default and env variable.
import { describe, expect, it } from 'vitest';
import { commandHelp, defineFlags, HelpRequested, parseFlags, usageLine, UsageError, type CommandSpec } from './command.ts';

const flags = defineFlags({
  out: { type: 'string', value: 'DIR', description: 'where results go', default: 'runs' },
  json: { type: 'boolean', description: 'print JSON' },
  configs: { type: 'string', value: 'DIR', multiple: true, description: 'more config folders' },
  'tls-cert': { type: 'string', value: 'FILE', description: 'server certificate', env: 'LOCSCOPE_TLS_CERT' },
  padding: { type: 'string', value: 'P', description: 'paddings' },
});
const withArgs: CommandSpec<typeof flags> = { name: 'status', summary: 'show a run', arguments: 'RUN', flags };
const noArgs: CommandSpec<typeof flags> = { ...withArgs, arguments: undefined };

describe('parseFlags', () => {
  it('parses strings, switches, repeated flags, positionals and values that start with a dash', () => {
    const { values, positionals } = parseFlags(withArgs, ['r1', '--out', 'o', '--json', '--configs', 'a', '--configs=b', '--padding', '-1,0,1']);
    expect(values).toEqual({ out: 'o', json: true, configs: ['a', 'b'], padding: '-1,0,1' });
    expect(positionals).toEqual(['r1']);
    expect(parseFlags(withArgs, []).values).toEqual({});
  });

  it('refuses an unknown flag by name and suggests the near one', () => {
    expect(() => parseFlags(noArgs, ['--tls-cret', 'x'])).toThrowError(UsageError);
    expect(() => parseFlags(noArgs, ['--tls-cret', 'x'])).toThrowError("unknown option '--tls-cret' (Did you mean --tls-cert?)");
  });

  it('refuses a missing value and positionals a command does not take', () => {
    expect(() => parseFlags(noArgs, ['--out'])).toThrowError(/option '--out <DIR>' argument missing/);
    expect(() => parseFlags(noArgs, ['extra'])).toThrowError(/too many arguments/);
  });

  it('answers --help and -h with the help text', () => {
    for (const flag of ['--help', '-h']) {
      let thrown: unknown;
      try {
        parseFlags(withArgs, ['r1', flag]);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HelpRequested);
      expect((thrown as HelpRequested).text).toBe(commandHelp(withArgs));
    }
  });
});

describe('help and usage', () => {
  it('lists every flag with its description, default and env variable', () => {
    const help = commandHelp(withArgs);
    expect(help).toMatch(/^Usage: locscope status RUN \[flags\]\n\nshow a run\n/);
    expect(help).toMatch(/--out <DIR>\s+where results go \(default: runs\)/);
    expect(help).toMatch(/--tls-cert <FILE>\s+server certificate \(env: LOCSCOPE_TLS_CERT\)/);
    expect(help).toMatch(/--json\s+print JSON\n/);
  });

  it('writes the usage line from the same declaration', () => {
    expect(usageLine(withArgs)).toBe('RUN [--out DIR] [--json] [--configs DIR]... [--tls-cert FILE] [--padding P]');
  });
});
