// `locscope <command> [flags]`: dispatch, help, version, and concise error reporting.
import { commandHelp, HelpRequested, LocscopeError, UsageError, usageLine } from '@locscope/server-kit';
import { createRequire } from 'node:module';
import { commands } from './commands.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    'usage: locscope <command> [flags]',
    '',
    'commands:',
    ...lines,
    '',
    'locscope help <command> (or locscope <command> --help) shows its flags; locscope --version prints the version.',
  ].join('\n');
}

function unknown(kind: string, name: string): string {
  return `locscope: unknown ${kind} "${name}"; valid: ${Object.keys(commands).join(', ')}\n\n${help()}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0];
    if (topic === undefined) {
      process.stdout.write(help() + '\n');
      return name ? 0 : 2;
    }
    const entry = commands[topic];
    if (!entry) {
      process.stderr.write(unknown('help topic', topic));
      return 2;
    }
    process.stdout.write(commandHelp(await entry.load()));
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(unknown('command', name));
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(error.text);
      return 0;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`locscope ${name}: ${error.message}\nusage: locscope ${name} ${usageLine(command)}\n`);
      return 2;
    }
    if (error instanceof LocscopeError) {
      process.stderr.write(`locscope ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
