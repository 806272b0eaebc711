// The contract between the `locscope` dispatcher and each subcommand, and the one flag parser
// (commander) that every subcommand and service entry point goes through: a flag is declared once,
// with its description and default, and the same declaration drives parsing, `--help` and the
// refusal of unknown flags (a mistyped `--tls-cert` must never start a server without TLS).
import { Command as Commander, CommanderError, Option } from 'commander';

/** Thrown for bad flags: the dispatcher prints the message and usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Thrown by `parseFlags` for `--help`/`-h`: the dispatcher prints `text` on stdout, exit status 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

export interface FlagSpec {
  /** `string` takes a value; `boolean` is a switch. */
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder for the value in help and usage (default `VALUE`). */
  value?: string;
  /**
   * The default as help shows it. Display only: the command applies it, because many defaults
   * depend on env or other flags, and an applied default would hide whether the flag was given.
   */
  default?: string;
  /** Environment variable read when the flag is absent (shown in help). */
  env?: string;
  /** May be repeated; values accumulate in order. */
  multiple?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

// Tuples keep the checks from distributing: a spec of unknown type may hold any kind of value.
type FlagValue<S extends FlagSpec> = [S['type']] extends ['boolean']
  ? boolean
  : [S['type']] extends ['string']
    ? S['multiple'] extends true
      ? string[]
      : string
    : string | boolean | string[];

/** Parsed flags, keyed by flag name as written (`run-id`); absent flags are undefined. */
export type FlagValues<F extends FlagSpecs> = { [K in keyof F]?: FlagValue<F[K]> };

/** Declares flags with their literal types kept (so `FlagValues` knows strings from switches). */
export function defineFlags<const F extends FlagSpecs>(flags: F): F {
  return flags;
}

export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  name: string;
  /** One line for `locscope help`. */
  summary: string;
  /** Positional arguments synopsis (e.g. `RUN`); absent = the command takes none. */
  arguments?: string;
  flags: F;
}

export interface Command<F extends FlagSpecs = FlagSpecs> extends CommandSpec<F> {
  /** Runs with the arguments after the subcommand name; resolves to the exit status. */
  run(argv: string[]): Promise<number>;
}

/** `ARGS [--flag VALUE] [--switch]…`, printed on usage errors. */
export function usageLine(spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([name, flag]) =>
    flag.type === 'boolean' ? `[--${name}]` : `[--${name} ${flag.value ?? 'VALUE'}]${flag.multiple ? '...' : ''}`,
  );
  return [spec.arguments, ...flags].filter(Boolean).join(' ');
}

function commanderFor(spec: CommandSpec, prefix: string): Commander {
  const program = new Commander(`${prefix}${spec.name}`)
    .description(spec.summary)
    .usage(spec.arguments ? `${spec.arguments} [flags]` : '[flags]')
    .allowExcessArguments(spec.arguments !== undefined)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true);
  for (const [name, flag] of Object.entries(spec.flags)) {
    const notes = [flag.default !== undefined ? `default: ${flag.default}` : '', flag.env ? `env: ${flag.env}` : ''].filter(Boolean);
    const description = notes.length > 0 ? `${flag.description} (${notes.join('; ')})` : flag.description;
    const option = new Option(flag.type === 'boolean' ? `--${name}` : `--${name} <${flag.value ?? 'VALUE'}>`, description);
    if (flag.multiple) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    program.addOption(option);
  }
  return program;
}

/** The `--help` text of a command. */
export function commandHelp(spec: CommandSpec, prefix = 'locscope '): string {
  return commanderFor(spec, prefix).helpInformation();
}

/**
 * Parses `argv` against the command's flags: unknown flags, missing values and unexpected
 * positionals are UsageErrors naming them; `--help` throws HelpRequested.
 */
export function parseFlags<F extends FlagSpecs>(spec: CommandSpec<F>, argv: string[]): { values: FlagValues<F>; positionals: string[] } {
  const program = commanderFor(spec, 'locscope ');
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed') throw new HelpRequested(program.helpInformation());
      throw new UsageError(error.message.replace(/^error: /, '').replace(/\n/g, ' '), { cause: error });
    }
    throw error;
  }
  const parsed = program.opts();
  const values: Record<string, unknown> = {};
  for (const option of program.options) {
    const value = parsed[option.attributeName()];
    if (value !== undefined) values[option.long!.slice(2)] = value;
  }
  return { values: values as FlagValues<F>, positionals: program.args };
}
