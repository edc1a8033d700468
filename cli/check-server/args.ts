/**
 * Flags of `mcp-ops check-server`, parsed and validated. Pure: no network.
 */
import { parseArgs } from 'util';
import { parse as parseShellWords } from 'shell-quote';
import { isLoopbackHost } from '../../lambda/mcp-probe/config';
import { UsageError } from '../command';

export const USAGE = `usage: mcp-ops check-server <mcp-url> [options]

Checks a running MCP server against docs/operational-contract.md: /health/live and /health/ready,
MCP over Streamable HTTP on each revision it claims (server/discover for 2026-07-28, initialize for
2025-11-25), header validation, Origin rejection, the 401 challenge when auth is on, 405s and the body
limit; with --command it starts the server itself and checks the SIGTERM drain.
Prints one line per check (PASS, FAIL or SKIP with the reason); exits 1 when any check fails.

  <mcp-url>                  the MCP endpoint, e.g. http://127.0.0.1:8080/mcp (health paths are on its origin)
  --json                     print the report as JSON
  --timeout-ms <n>           per-request timeout, 100-60000 (default 5000: the health checks' timeout)
  --origin <origin>          an Origin the server must refuse (default https://check-server.invalid)
  --max-body-bytes <n>       the server's body limit; a body one byte larger must get 413 (default 1048576)
  --expect-auth              fail when the server answers unauthenticated MCP requests
  --token <jwt>              bearer token for the MCP requests (or MCP_OPS_TOKEN)
  --token-url <url>          OAuth token endpoint: get a token with client credentials
  --client-id <id>           client id for --token-url; the secret is read from MCP_OPS_CLIENT_SECRET
  --scope <scopes>           space-separated scopes to request
  --resource <uri>           RFC 8707 resource indicator (the token's audience)
  --command "<cmd>"          start the server with this shell command (PORT is set from <mcp-url>), then
                             check that SIGTERM drains it: an open stream ends cleanly and the process
                             exits 0 within --grace-ms
  --startup-timeout-ms <n>   how long the command may take to answer /health/live (default 30000)
  --grace-ms <n>             the process must exit this soon after SIGTERM (default 30000: the ECS stopTimeout)
  --stream-tool <name>       for a server without 2026-07-28: a tool whose call stays open for the drain check
  --stream-args <json>       its arguments (default {})
`;

export interface ClientCredentialsFlags {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly resource?: string;
}

export interface CheckServerOptions {
  readonly url: string;
  readonly json: boolean;
  readonly timeoutMs: number;
  readonly origin: string;
  readonly maxBodyBytes: number;
  readonly expectAuth: boolean;
  readonly token?: string;
  readonly clientCredentials?: ClientCredentialsFlags;
  readonly command?: string;
  readonly startupTimeoutMs: number;
  readonly graceMs: number;
  readonly streamTool?: { readonly name: string; readonly arguments: Record<string, unknown> };
}

function integer(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max)
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function httpUrl(flag: string, raw: string, requireSecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${flag} must be an absolute http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag} must be an absolute http:// or https:// URL, got ${JSON.stringify(raw)}`);
  if (requireSecure && url.protocol !== 'https:' && !isLoopbackHost(url.hostname))
    throw new UsageError(`${flag} must use https:// (http:// only for a loopback host), got ${JSON.stringify(raw)}`);
  if (url.username || url.password) throw new UsageError(`${flag} must not carry credentials`);
  return url;
}

/** Parses the arguments after `check-server`; throws UsageError naming the flag, the value and what is allowed. */
export function parseCheckServerArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): CheckServerOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'timeout-ms': { type: 'string' },
        origin: { type: 'string' },
        'max-body-bytes': { type: 'string' },
        'expect-auth': { type: 'boolean' },
        token: { type: 'string' },
        'token-url': { type: 'string' },
        'client-id': { type: 'string' },
        scope: { type: 'string' },
        resource: { type: 'string' },
        command: { type: 'string' },
        'startup-timeout-ms': { type: 'string' },
        'grace-ms': { type: 'string' },
        'stream-tool': { type: 'string' },
        'stream-args': { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length !== 1)
    throw new UsageError(
      `expected exactly one MCP endpoint URL, got ${parsed.positionals.length ? JSON.stringify(parsed.positionals) : 'none'}\n\n${USAGE}`,
    );
  const url = httpUrl('<mcp-url>', parsed.positionals[0], false);

  const origin = v.origin ?? 'https://check-server.invalid';
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    throw new UsageError(`--origin must be an origin such as https://evil.example, got ${JSON.stringify(origin)}`);
  }
  if (originUrl.origin !== origin.replace(/\/$/, ''))
    throw new UsageError(
      `--origin must be an origin (scheme://host[:port]) without a path, got ${JSON.stringify(origin)}`,
    );
  if (originUrl.origin === url.origin)
    throw new UsageError(`--origin must differ from the server's own origin ${url.origin}`);

  const token = v.token ?? (env.MCP_OPS_TOKEN?.trim() || undefined);
  let clientCredentials: ClientCredentialsFlags | undefined;
  const ccGiven = [v['token-url'], v['client-id'], v.scope, v.resource].some((x) => x !== undefined);
  if (ccGiven) {
    if (token) throw new UsageError('--token (or MCP_OPS_TOKEN) and --token-url/--client-id are mutually exclusive');
    if (!v['token-url'] || !v['client-id'])
      throw new UsageError(
        '--token-url and --client-id must be given together (the secret comes from MCP_OPS_CLIENT_SECRET)',
      );
    const clientSecret = env.MCP_OPS_CLIENT_SECRET;
    if (!clientSecret)
      throw new UsageError('--token-url needs the client secret in the MCP_OPS_CLIENT_SECRET environment variable');
    httpUrl('--token-url', v['token-url'], true);
    if (v.resource !== undefined) {
      const r = httpUrl('--resource', v.resource, false);
      if (r.hash) throw new UsageError(`--resource must not have a #fragment, got ${JSON.stringify(v.resource)}`);
    }
    clientCredentials = {
      tokenUrl: v['token-url'],
      clientId: v['client-id'],
      clientSecret,
      scopes: v.scope ? v.scope.trim().split(/\s+/) : [],
      ...(v.resource ? { resource: v.resource } : {}),
    };
  }

  let streamTool: CheckServerOptions['streamTool'];
  if (v['stream-args'] !== undefined && !v['stream-tool']) throw new UsageError('--stream-args needs --stream-tool');
  if (v['stream-tool']) {
    let toolArgs: unknown = {};
    if (v['stream-args'] !== undefined) {
      try {
        toolArgs = JSON.parse(v['stream-args']);
      } catch {
        toolArgs = undefined;
      }
      if (!toolArgs || typeof toolArgs !== 'object' || Array.isArray(toolArgs))
        throw new UsageError(`--stream-args must be a JSON object, got ${JSON.stringify(v['stream-args'])}`);
    }
    streamTool = { name: v['stream-tool'], arguments: toolArgs as Record<string, unknown> };
  }
  if (!v.command && (v['startup-timeout-ms'] !== undefined || v['grace-ms'] !== undefined || streamTool))
    throw new UsageError('--startup-timeout-ms, --grace-ms and --stream-tool only apply with --command');
  if (v.command !== undefined) commandWords(v.command);

  return {
    url: url.toString(),
    json: v.json ?? false,
    timeoutMs: integer('timeout-ms', v['timeout-ms'], 5000, 100, 60_000),
    origin: originUrl.origin,
    maxBodyBytes: integer('max-body-bytes', v['max-body-bytes'], 1_048_576, 1, 64 * 1_048_576),
    expectAuth: v['expect-auth'] ?? false,
    ...(token ? { token } : {}),
    ...(clientCredentials ? { clientCredentials } : {}),
    ...(v.command ? { command: v.command } : {}),
    startupTimeoutMs: integer('startup-timeout-ms', v['startup-timeout-ms'], 30_000, 100, 600_000),
    graceMs: integer('grace-ms', v['grace-ms'], 30_000, 100, 600_000),
    ...(streamTool ? { streamTool } : {}),
  };
}

/** Splits `--command` into leading `NAME=value` assignments and argv; refuses shell operators. */
export function commandWords(command: string): { assignments: Record<string, string>; argv: string[] } {
  const words = parseShellWords(command, (name) => `$${name}`);
  const assignments: Record<string, string> = {};
  const argv: string[] = [];
  for (const w of words) {
    if (typeof w !== 'string') {
      const op = 'op' in w ? w.op : 'comment' in w ? '#' : 'pattern';
      throw new UsageError(
        `--command is run without a shell, so ${JSON.stringify(op)} is not supported; use --command "sh -c '… && exec <server>'"`,
      );
    }
    const m = argv.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w) : null;
    if (m) assignments[m[1]] = m[2];
    else argv.push(w);
  }
  if (!argv.length) throw new UsageError(`--command names no program to run, got ${JSON.stringify(command)}`);
  return { assignments, argv };
}
