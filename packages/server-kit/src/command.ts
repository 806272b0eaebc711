// The contract between the `locscope` dispatcher and each service's subcommands.

/** Thrown for bad flags: the dispatcher prints the message and usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  /** One line for `locscope help`. */
  summary: string;
  /** Flags synopsis, printed on usage errors and by `locscope help NAME`. */
  usage: string;
  /** Runs with the arguments after the subcommand name; resolves to the exit status. */
  run(argv: string[]): Promise<number>;
}
