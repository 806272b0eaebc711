// `locscope` help, version and refusals (issue 15 item 4, issue 14 item 5): every subcommand documents
// each flag it parses, unknown names list the valid ones with a non-zero exit, and a mistyped flag
// never starts a server.
import { commandHelp, usageLine } from '@locscope/server-kit';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../services/orchestrator/src/cli/commands.ts';
import { finished, spawnLocscope } from './support/orchestrator.ts';

const names = Object.keys(commands);

describe('locscope help', () => {
  it('documents every flag of every subcommand with its description', async () => {
    for (const name of names) {
      const command = await commands[name].load();
      const help = commandHelp(command);
      expect(help, name).toContain(`Usage: locscope ${name} `);
      for (const [flag, spec] of Object.entries(command.flags)) {
        expect(help, `${name} --${flag}`).toMatch(new RegExp(`--${flag}\\b`));
        expect(spec.description.length, `${name} --${flag}`).toBeGreaterThan(0);
        expect(usageLine(command), `${name} --${flag}`).toContain(`--${flag}`);
      }
    }
  });

  it('prints the version and each subcommand help on --help (exit 0)', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../services/orchestrator/package.json', import.meta.url), 'utf8')) as { version: string };
    const shown = await finished(spawnLocscope(['--version']));
    expect(shown).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await finished(spawnLocscope(['serve', 'inference', '--help']));
    expect(help.code).toBe(0);
    for (const flag of ['--execution-provider <cpu|cuda>', '--precision <auto|float32|float16>', '--threads', '--cache-dir', '--max-variants', '--max-queue', '--max-sequence', '--max-ig-steps', '--max-message-bytes']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('lists the valid names for an unknown help topic or command, exit 2', async () => {
    for (const argv of [['help', 'nope'], ['nope']]) {
      const result = await finished(spawnLocscope(argv));
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain(`"nope"; valid: ${names.join(', ')}`);
    }
  });

  it('refuses a mistyped server flag, naming it, before anything listens', async () => {
    const result = await finished(spawnLocscope(['serve', 'masks', '--port', '0', '--tls-cret', 'cert.pem']));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^locscope serve: unknown option '--tls-cret'/);
    expect(result.stdout).toBe('');
    // A flag of another service is not one of masks'.
    const foreign = await finished(spawnLocscope(['serve', 'masks', '--port', '0', '--models', 'models.yaml']));
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/^locscope serve: unknown option '--models'/);
  });
});
