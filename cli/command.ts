/**
 * The shape of one `mcp-ops` subcommand. Each lives in `cli/<name>/` and is registered in `cli/main.ts`.
 * Commands write through `io` (never to the process directly), so tests capture what they print, and
 * return an exit code: 0 success, 1 a check or operation failed, 2 a usage error (bad flag or value).
 */
export interface CliIo {
  /** Writes to standard output (a report, JSON). */
  readonly out: (text: string) => void;
  /** Writes to standard error (usage errors, progress). */
  readonly err: (text: string) => void;
  /** The environment the command sees (AWS_REGION, …); tests pass their own. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CliCommand {
  /** One line for `mcp-ops --help`. */
  readonly summary: string;
  /** Runs the command with the arguments after its name; resolves to the exit code. */
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

/** A usage error: the CLI prints its message and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
