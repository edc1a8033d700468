/**
 * Flag parsing for `mcp-ops` subcommands: Node's `util.parseArgs` in strict mode (unknown flags, missing
 * values and positionals are usage errors), and an empty string is never a value.
 */
import { parseArgs } from 'util';
import { UsageError } from './command';

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/** The parsed flags: strings for string flags, true for boolean flags given, undefined for flags absent. */
export type Flags<S extends FlagSpec> = { readonly [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean };

/** Parses `args` against `spec`; a usage error (exit 2) carries the message and the command's help. */
export function parseFlags<S extends FlagSpec>(args: readonly string[], spec: S, help: string): Flags<S> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], strict: true, allowPositionals: false, options: { ...spec } }));
  } catch (e) {
    throw new UsageError(`${e instanceof Error ? e.message : String(e)}\n\n${help}`);
  }
  for (const [name, value] of Object.entries(values)) {
    if (value === '') throw new UsageError(`--${name} needs a value`);
  }
  return values as Flags<S>;
}
