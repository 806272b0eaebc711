// `locscope <command> [flags]`: dispatch, help, and concise error reporting.
import { LocscopeError, UsageError } from '@locscope/server-kit';
import { commands } from './commands.ts';

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return ['usage: locscope <command> [flags]', '', 'commands:', ...lines, '', 'locscope help <command> shows its flags.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] && commands[rest[0]];
    if (topic) {
      const command = await topic.load();
      process.stdout.write(`usage: locscope ${command.name} ${command.usage}\n\n${command.summary}\n`);
    } else {
      process.stdout.write(help() + '\n');
    }
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`locscope: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  const command = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`locscope ${name}: ${error.message}\nusage: locscope ${name} ${command.usage}\n`);
      return 2;
    }
    if (error instanceof LocscopeError) {
      process.stderr.write(`locscope ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
