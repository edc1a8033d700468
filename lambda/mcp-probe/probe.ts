/**
 * The synthetic MCP check: speaks real MCP over Streamable HTTP (the official 2.x client) to the
 * service's public endpoint, within one time budget:
 *   0. `token`: when OAuth is configured, a client-credentials access token (reused while fresh);
 *   1. `connect`: negotiates the newest revision the server offers (mcp-connection.ts): `server/discover`
 *      at 2026-07-28, falling back to `initialize` at 2025-11-25 (or an older revision the server answers);
 *   2. `tools/list` (following pagination);
 *   3. optionally `tools/call` of one configured read-only tool; a result with `isError` fails.
 * Whatever happens, a session the server issued is terminated with an HTTP DELETE before the probe returns.
 * It never throws for a failing service: it returns what failed, where and why.
 */
import type { ProbeConfig } from './config';
import type { ProbeTokenSource } from './credentials';
import {
  BudgetExceeded,
  classifyMcpError,
  McpConnection,
  type McpFailure,
  type McpFailureReason,
  type SessionEnd,
} from './mcp-connection';
import { ClientSecretError, TokenRequestError } from './oauth';

/** The step the probe was in when it finished (`done` when every step passed). */
export type ProbeStage = 'token' | 'connect' | 'tools/list' | 'tools/call' | 'done';

/**
 * Why a probe failed: the MCP reasons of mcp-connection.ts (`connection`, `timeout`, `auth_rejected`,
 * `http`, `unsupported_version`, `protocol`), and
 * - `secret_error`: the client secret could not be read from Secrets Manager, or is not usable;
 * - `token_error`: the token endpoint refused the client credentials (e.g. `invalid_client`), failed or
 *   did not answer;
 * - `tool_missing`: the configured tool is not in `tools/list`;
 * - `tool_error`: the tool call returned `isError: true`.
 */
export type ProbeErrorType = McpFailureReason | 'secret_error' | 'token_error' | 'tool_missing' | 'tool_error';

/** Every failure reason, in the order the runbook lists them (the `reason` metric dimension's values). */
export const PROBE_ERROR_TYPES: readonly ProbeErrorType[] = [
  'connection',
  'timeout',
  'http',
  'auth_rejected',
  'token_error',
  'secret_error',
  'unsupported_version',
  'protocol',
  'tool_missing',
  'tool_error',
];

/** The User-Agent of the probe's requests (find them in the load balancer's access logs). */
export const PROBE_USER_AGENT = 'mcp-ops-probe/2.0';

/** The outcome of one probe. */
export interface ProbeResult {
  readonly success: boolean;
  /** Wall time from the start to the end of the last step (or the failure), in ms; excludes the session DELETE. */
  readonly latencyMs: number;
  readonly stage: ProbeStage;
  readonly errorType?: ProbeErrorType;
  /** Error message (never request bodies or secrets). */
  readonly error?: string;
  /** HTTP status when errorType is `http` or `auth_rejected` (or `token_error`, when known); JSON-RPC code when `protocol`. */
  readonly errorCode?: number;
  /** The OAuth error code of a `token_error` (e.g. `invalid_client`). */
  readonly oauthError?: string;
  /** Protocol revision the server negotiated (e.g. `2026-07-28`, `2025-11-25`). */
  readonly protocolVersion?: string;
  readonly serverName?: string;
  readonly toolCount?: number;
  /** Whether the access token came from the warm cache (only with OAuth). */
  readonly tokenCached?: boolean;
  /** The session the server issued and how its DELETE went (2025-era servers that keep sessions). */
  readonly session?: SessionEnd;
  /** Duration of each completed step, in ms. */
  readonly steps: Readonly<Record<string, number>>;
}

/** What the probe needs from outside, injectable for tests. */
export interface ProbeDeps {
  /** Monotonic clock in ms. @default performance.now */
  readonly clock?: () => number;
  /** Access tokens; required when `config.auth` is set (the handler passes its ProbeCredentials). */
  readonly tokens?: ProbeTokenSource;
}

type Failure = { errorType: ProbeErrorType; errorCode?: number; oauthError?: string; message: string };

function authFailure(err: unknown): Failure | undefined {
  if (err instanceof ClientSecretError) return { errorType: 'secret_error', message: err.message };
  if (err instanceof TokenRequestError)
    return { errorType: 'token_error', errorCode: err.status, oauthError: err.oauthError, message: err.message };
  // A failure inside the SDK's auth seam (our onUnauthorized) arrives as thrown.
  const cause = (err as { cause?: unknown })?.cause;
  if (cause && cause !== err) return authFailure(cause);
  return undefined;
}

/** Maps an error of any step to a failure. Exported for tests. */
export function classifyError(err: unknown, timedOut: boolean): Failure {
  const auth = timedOut ? undefined : authFailure(err);
  if (auth) return auth;
  const f: McpFailure = classifyMcpError(err, timedOut);
  return { errorType: f.reason, errorCode: f.code, message: f.message };
}

/** Runs one probe against `config.endpointUrl`. */
export async function runProbe(config: ProbeConfig, deps: ProbeDeps = {}): Promise<ProbeResult> {
  const clock = deps.clock ?? (() => performance.now());
  const start = clock();
  const steps: Record<string, number> = {};
  let stage: ProbeStage = config.auth ? 'token' : 'connect';
  let timedOut = false;
  const abort = new AbortController();
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new BudgetExceeded(config.timeoutMs));
  }, config.timeoutMs);
  const remaining = (): number => Math.max(1, Math.round(config.timeoutMs - (clock() - start)));
  const options = () => ({ timeout: remaining(), signal: abort.signal });
  const step = async <T>(name: ProbeStage, fn: () => Promise<T>): Promise<T> => {
    stage = name;
    const t0 = clock();
    const value = await fn();
    steps[name] = Math.round((clock() - t0) * 100) / 100;
    return value;
  };

  const tokens = deps.tokens;
  if (config.auth && !tokens) throw new Error('runProbe: config.auth is set but no token source was given');
  let accessToken: string | undefined;
  let tokenCached: boolean | undefined;
  let refreshed = false;
  const connection = new McpConnection(config.endpointUrl, {
    negotiation: 'auto',
    userAgent: PROBE_USER_AGENT,
    clientInfo: { name: 'mcp-ops-probe', version: '2.0.0' },
    ...(config.auth
      ? {
          bearerToken: () => accessToken,
          // A cached token the server rejects may have been revoked (or its key rotated): get a fresh one
          // once, and let the SDK retry the request with it. A fresh token that is rejected is the failure.
          onUnauthorized: async () => {
            if (!tokenCached || refreshed) return;
            refreshed = true;
            tokens!.invalidate();
            const next = await tokens!.token(abort.signal);
            accessToken = next.token.accessToken;
            tokenCached = false;
          },
        }
      : {}),
  });

  let toolCount: number | undefined;
  let failure: Failure | undefined;
  try {
    if (config.auth) {
      const got = await step('token', () => tokens!.token(abort.signal));
      accessToken = got.token.accessToken;
      tokenCached = got.cached;
    }
    await step('connect', () => connection.connect(options()));
    const tools = await step('tools/list', async () => {
      const res = await connection.client.listTools(undefined, { ...options(), cacheMode: 'refresh' });
      return res.tools.map((t) => t.name);
    });
    toolCount = tools.length;
    if (config.tool) {
      const tool = config.tool;
      if (!tools.includes(tool.name)) {
        stage = 'tools/call';
        failure = {
          errorType: 'tool_missing',
          message: `tool "${tool.name}" is not listed by tools/list (${tools.length} tools)`,
        };
      } else {
        const result = await step('tools/call', () =>
          connection.client.callTool({ name: tool.name, arguments: tool.arguments }, options()),
        );
        if (result.isError) {
          failure = {
            errorType: 'tool_error',
            message: `tool "${tool.name}" returned isError: ${summariseContent(result.content)}`,
          };
        }
      }
    }
    if (!failure) stage = 'done';
  } catch (err) {
    failure = classifyError(err, timedOut);
    if (failure.errorType === 'auth_rejected') tokens?.invalidate();
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = Math.round((clock() - start) * 100) / 100;
  // Read before end(): closing the client clears what it negotiated.
  const protocolVersion = connection.revision;
  const serverName = connection.client.getServerVersion()?.name;
  // After the result is fixed: the DELETE's outcome is reported, never turned into a failure.
  const session = await connection.end();
  const common = {
    latencyMs,
    stage,
    protocolVersion,
    serverName,
    toolCount,
    ...(tokenCached !== undefined ? { tokenCached } : {}),
    ...(session.sessionId ? { session } : {}),
    steps,
  };
  if (!failure) return { success: true, ...common };
  return {
    success: false,
    ...common,
    errorType: failure.errorType,
    errorCode: failure.errorCode,
    ...(failure.oauthError ? { oauthError: failure.oauthError } : {}),
    error: failure.message,
  };
}

function summariseContent(content: unknown): string {
  if (!Array.isArray(content)) return 'no content';
  const text = content
    .map((c) =>
      c && typeof c === 'object' && 'text' in c
        ? String((c as { text: unknown }).text)
        : `[${(c as { type?: string })?.type ?? 'item'}]`,
    )
    .join(' ');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || 'no content';
}
