/**
 * The synthetic MCP check: speaks real MCP over Streamable HTTP (the SDK's client) to the
 * service's public endpoint, within one time budget:
 *   1. `initialize` (+ `notifications/initialized`), which negotiates the protocol version;
 *   2. `tools/list` (following pagination);
 *   3. optionally `tools/call` of one configured read-only tool; a result with `isError` fails.
 * It never throws for a failing service: it returns what failed, where and why.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ProbeConfig } from './config';

/** The step the probe was in when it finished (`done` when every step passed). */
export type ProbeStage = 'initialize' | 'tools/list' | 'tools/call' | 'done';

/**
 * Why a probe failed:
 * - `connection`: nothing answered (refused, reset, DNS, TLS);
 * - `timeout`: the budget ran out;
 * - `http`: the endpoint answered with an HTTP error status;
 * - `protocol`: a JSON-RPC error, or a response that is not valid MCP;
 * - `tool_missing`: the configured tool is not in `tools/list`;
 * - `tool_error`: the tool call returned `isError: true`.
 */
export type ProbeErrorType = 'connection' | 'timeout' | 'http' | 'protocol' | 'tool_missing' | 'tool_error';

/** The outcome of one probe. */
export interface ProbeResult {
  readonly success: boolean;
  /** Wall time from the first request to the end of the last step (or the failure), in ms. */
  readonly latencyMs: number;
  readonly stage: ProbeStage;
  readonly errorType?: ProbeErrorType;
  /** Error message (never request bodies or secrets). */
  readonly error?: string;
  /** HTTP status when errorType is `http`; JSON-RPC error code when `protocol`. */
  readonly errorCode?: number;
  /** Protocol version the server negotiated. */
  readonly protocolVersion?: string;
  readonly serverName?: string;
  readonly toolCount?: number;
  /** Duration of each completed step, in ms. */
  readonly steps: Readonly<Record<string, number>>;
}

/** What the probe needs from outside, injectable for tests. */
export interface ProbeDeps {
  /** Monotonic clock in ms. @default performance.now */
  readonly clock?: () => number;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

class BudgetExceeded extends Error {
  constructor(ms: number) {
    super(`probe timed out after ${ms} ms`);
    this.name = 'BudgetExceeded';
  }
}

/** Maps an error from the SDK, fetch or our budget to a failure type. Exported for tests. */
export function classifyError(
  err: unknown,
  timedOut: boolean,
): { errorType: ProbeErrorType; errorCode?: number; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (timedOut || err instanceof BudgetExceeded) return { errorType: 'timeout', message };
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout)
    return { errorType: 'timeout', errorCode: err.code, message };
  if (err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code >= 100) {
    return { errorType: 'http', errorCode: err.code, message };
  }
  // fetch failures carry the socket error as `cause` (possibly nested).
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code))
      return { errorType: 'connection', message: `${message} (${code})` };
    if ((e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError')
      return { errorType: 'timeout', message };
  }
  if (err instanceof TypeError && /fetch failed/i.test(message)) return { errorType: 'connection', message };
  if (err instanceof McpError) return { errorType: 'protocol', errorCode: err.code, message };
  // Anything else (invalid JSON, a response that fails the SDK's schema, an unexpected content type) is a protocol failure.
  return { errorType: 'protocol', message };
}

/** Runs one probe against `config.endpointUrl`. */
export async function runProbe(config: ProbeConfig, deps: ProbeDeps = {}): Promise<ProbeResult> {
  const clock = deps.clock ?? (() => performance.now());
  const start = clock();
  const steps: Record<string, number> = {};
  let stage: ProbeStage = 'initialize';
  let timedOut = false;
  const abort = new AbortController();
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new BudgetExceeded(config.timeoutMs));
  }, config.timeoutMs);
  const remaining = (): number => Math.max(1, Math.round(config.timeoutMs - (clock() - start)));
  const options = () => ({ timeout: remaining(), signal: abort.signal });

  const client = new Client({ name: 'mcp-ops-probe', version: '1.0.0' }, { capabilities: {} });
  const transport = new StreamableHTTPClientTransport(new URL(config.endpointUrl), {
    requestInit: { headers: { 'User-Agent': 'mcp-ops-probe/1.0' } },
    // No reconnection attempts: one probe is one attempt, the schedule retries.
    reconnectionOptions: {
      maxReconnectionDelay: 1000,
      initialReconnectionDelay: 1000,
      reconnectionDelayGrowFactor: 1,
      maxRetries: 0,
    },
  });
  const step = async <T>(name: ProbeStage, fn: () => Promise<T>): Promise<T> => {
    stage = name;
    const t0 = clock();
    const value = await fn();
    steps[name] = Math.round((clock() - t0) * 100) / 100;
    return value;
  };

  let toolCount: number | undefined;
  try {
    await step('initialize', () => client.connect(transport, options()));
    const tools = await step('tools/list', async () => {
      const all: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await client.listTools(cursor ? { cursor } : undefined, options());
        all.push(...res.tools.map((t) => t.name));
        cursor = res.nextCursor;
        if (!cursor) break;
      }
      return all;
    });
    toolCount = tools.length;
    if (config.tool) {
      const tool = config.tool;
      if (!tools.includes(tool.name)) {
        stage = 'tools/call';
        return finish({
          errorType: 'tool_missing',
          message: `tool "${tool.name}" is not listed by tools/list (${tools.length} tools)`,
        });
      }
      const result = await step('tools/call', () =>
        client.callTool({ name: tool.name, arguments: tool.arguments }, undefined, options()),
      );
      if (result.isError) {
        return finish({
          errorType: 'tool_error',
          message: `tool "${tool.name}" returned isError: ${summariseContent(result.content)}`,
        });
      }
    }
    stage = 'done';
    const ok = finish(undefined);
    // Polite end of a stateful session; bounded, and its outcome does not change the result.
    if (transport.sessionId) {
      await Promise.race([
        transport.terminateSession().catch(() => undefined),
        new Promise((r) => setTimeout(r, 1000).unref()),
      ]);
    }
    return ok;
  } catch (err) {
    return finish(classifyError(err, timedOut));
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
  }

  function finish(
    failure: { errorType: ProbeErrorType; errorCode?: number; message: string } | undefined,
  ): ProbeResult {
    const latencyMs = Math.round((clock() - start) * 100) / 100;
    const common = {
      latencyMs,
      stage,
      protocolVersion: transport.protocolVersion,
      serverName: client.getServerVersion()?.name,
      toolCount,
      steps,
    };
    if (!failure) return { success: true, ...common };
    return {
      success: false,
      ...common,
      errorType: failure.errorType,
      errorCode: failure.errorCode,
      error: failure.message,
    };
  }
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
