/**
 * `mcp-ops <command> [options]`: the operator's command line of mcp-ops-cdk. Subcommands register here,
 * one line each; see `cli/command.ts` for their contract.
 */
import { checkServerCommand } from './check-server';
import { CliCommand, CliIo, UsageError } from './command';
import { dr } from './dr';
import { review } from './review';
import { verify } from './verify';

export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  // Subcommands register here: name → command (e.g. review, check-server, dr, verify).
  'check-server': checkServerCommand,
  dr,
  review,
  verify,
};

function usage(): string {
  const names = Object.keys(COMMANDS).sort();
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`);
  return [
    'usage: mcp-ops <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    'mcp-ops <command> --help for its options.',
  ]
    .join('\n')
    .concat('\n');
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves to the exit code. Tests may pass
 * `commands` to run a subcommand built with injected clients through the same error handling.
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  commands: Readonly<Record<string, CliCommand>> = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`mcp-ops: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mcp-ops ${name}: ${e.message}\n`);
      return 2;
    }
    io.err(`mcp-ops ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
