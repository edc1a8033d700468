/**
 * `mcp-ops check-server <mcp-url>`: checks a running MCP server against docs/operational-contract.md, so a
 * team bringing its own image to McpService learns before a deploy whether it meets the health checks,
 * the MCP transport, the Origin and auth rules, the limits and the SIGTERM drain. See args.ts for the flags,
 * checks.ts for what each check verifies.
 */
import type { CliCommand, CliIo } from '../command';
import { parseCheckServerArgs, USAGE, type CheckServerOptions } from './args';
import { CHECKS, ServerChecker, type CheckResult } from './checks';
import { checkDrain, ServerProcess, waitForStart } from './process';

export interface CheckServerReport {
  readonly url: string;
  readonly ok: boolean;
  readonly counts: { readonly pass: number; readonly fail: number; readonly skip: number };
  readonly checks: readonly CheckResult[];
}

/** Runs every check against `options.url` (starting `options.command` first, when given). */
export async function checkServer(
  options: CheckServerOptions,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CheckServerReport> {
  const checker = new ServerChecker(options);
  const results: CheckResult[] = [];
  const proc = options.command ? ServerProcess.start(options.command, options.url, env) : undefined;
  try {
    if (proc) {
      const started = await waitForStart(proc, checker, options.startupTimeoutMs);
      results.push(started);
      if (started.status === 'FAIL') {
        for (const c of CHECKS.filter((c) => c.id !== 'start' && c.id !== 'auth-token' && c.id !== 'drain'))
          results.push({ id: c.id, status: 'SKIP', reason: 'the server did not start' });
        return report(options.url, results);
      }
    }
    results.push(...(await checker.runHttpChecks()));
    if (proc) results.push(await checkDrain(proc, checker, options));
    else
      results.push({
        id: 'drain',
        status: 'SKIP',
        reason: 'give --command to start the server and check its SIGTERM drain',
      });
    return report(options.url, results);
  } finally {
    await proc?.stop();
  }
}

function report(url: string, checks: CheckResult[]): CheckServerReport {
  const counts = {
    pass: checks.filter((c) => c.status === 'PASS').length,
    fail: checks.filter((c) => c.status === 'FAIL').length,
    skip: checks.filter((c) => c.status === 'SKIP').length,
  };
  return { url, ok: counts.fail === 0, counts, checks };
}

/** The readable report: one line per check, then the counts. */
export function formatReport(r: CheckServerReport): string {
  const width = Math.max(...r.checks.map((c) => c.id.length));
  const lines = r.checks.map((c) => `${c.status}  ${c.id.padEnd(width)}  ${c.reason}`);
  const verdict = r.ok ? 'conforms' : 'does not conform';
  return [
    `check-server ${r.url}`,
    ...lines,
    `${r.counts.pass} PASS, ${r.counts.fail} FAIL, ${r.counts.skip} SKIP: the server ${verdict} to the operational contract`,
    '',
  ].join('\n');
}

export const checkServerCommand: CliCommand = {
  summary:
    'check a running MCP server against the operational contract (health, MCP revisions, Origin, auth, limits, drain)',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const options = parseCheckServerArgs(args, io.env);
    if (options === 'help') {
      io.out(USAGE);
      return 0;
    }
    const r = await checkServer(options, io.env);
    io.out(options.json ? `${JSON.stringify(r, null, 2)}\n` : formatReport(r));
    return r.ok ? 0 : 1;
  },
};
