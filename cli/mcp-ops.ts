#!/usr/bin/env node
/** Entry point of the `mcp-ops` command (package.json "bin"; `npm run mcp-ops -- <command>` in this repository). */
import { main } from './main';

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`mcp-ops: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
