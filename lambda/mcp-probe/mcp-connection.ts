/**
 * One MCP connection over Streamable HTTP with the official 2.x client, as the synthetic probe and
 * `mcp-ops check-server` both open it, and the one mapping of what can go wrong to a failure reason.
 *
 * Revisions (the specification's basic/versioning.mdx, "Backward Compatibility with Initialization-Based
 * Versions"): in `auto` mode the client first sends `server/discover` with revision 2026-07-28; a modern
 * server answers it (or answers -32022 with the revisions it supports), and anything else makes the client
 * fall back to the 2025 `initialize` handshake, offering 2025-11-25. A legacy server may answer `initialize`
 * with an older revision the SDK also speaks (2025-06-18, 2025-03-26, 2024-11-05, 2024-10-07): it is used and
 * reported as negotiated; a revision the SDK does not speak fails as `unsupported_version`. `modern` pins
 * 2026-07-28 (no fallback), `legacy` runs only the `initialize` handshake.
 *
 * Sessions (2025-era servers may issue `Mcp-Session-Id`): {@link McpConnection.end} terminates the session
 * with an HTTP DELETE on every path — success, a failed step, a timeout, and a failed handshake. The SDK's own
 * `terminateSession()` cannot do the last one: the client closes its transport when the handshake fails,
 * which aborts the transport's requests, so `end()` sends the DELETE itself (the session id survives close).
 */
import {
  Client,
  InsufficientScopeError,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  UnsupportedProtocolVersionError,
  type AuthProvider,
} from '@modelcontextprotocol/client';

/** The current revision (no `initialize`, no sessions, `server/discover`). */
export const MODERN_REVISION = '2026-07-28';
/** The newest revision with the `initialize` handshake. */
export const LEGACY_REVISION = '2025-11-25';

/** How the connection picks its revision (see the module comment). */
export type Negotiation = 'auto' | 'modern' | 'legacy';

/**
 * Why an MCP exchange failed:
 * - `connection`: nothing answered (refused, reset, DNS, TLS);
 * - `timeout`: the budget ran out;
 * - `auth_rejected`: the MCP endpoint answered 401 or 403 (no token, a rejected token, missing scope);
 * - `http`: the endpoint answered with another HTTP error status;
 * - `unsupported_version`: the server offers no revision the client speaks;
 * - `protocol`: a JSON-RPC error, or a response that is not valid MCP.
 */
export type McpFailureReason = 'connection' | 'timeout' | 'auth_rejected' | 'http' | 'unsupported_version' | 'protocol';

/** A classified failure: the reason, the HTTP status or JSON-RPC code when there is one, and a message. */
export interface McpFailure {
  readonly reason: McpFailureReason;
  readonly code?: number;
  readonly message: string;
}

export interface McpConnectionOptions {
  readonly negotiation: Negotiation;
  /** `User-Agent` of every request (load balancer access logs show it). */
  readonly userAgent: string;
  /** The bearer token to send, read before every request; undefined = no `Authorization` header. */
  readonly bearerToken?: () => string | undefined;
  /** Called once on a 401 to get a fresh token (the SDK retries the request once after it). */
  readonly onUnauthorized?: () => Promise<void>;
  /** Client name and version sent in `clientInfo`. */
  readonly clientInfo?: { readonly name: string; readonly version: string };
}

/** The outcome of ending a connection's session. */
export interface SessionEnd {
  /** The session id the server issued, if any. */
  readonly sessionId?: string;
  /** HTTP status of the DELETE (200/204, or 405/404 when the server had no use for it). */
  readonly deleteStatus?: number;
  /** Why the DELETE did not get an answer (timeout, connection error). */
  readonly deleteError?: string;
}

/** How long `end()` waits for the session's DELETE, on top of any request budget. */
export const SESSION_DELETE_TIMEOUT_MS = 2_000;

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
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The budget ran out (raised as the abort reason of the probe's signal). */
export class BudgetExceeded extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'BudgetExceeded';
  }
}

/** A client and its Streamable HTTP transport for one URL; `end()` always cleans up, whatever happened. */
export class McpConnection {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
  private ended = false;

  constructor(
    readonly url: string,
    private readonly options: McpConnectionOptions,
  ) {
    const versionNegotiation =
      options.negotiation === 'auto'
        ? { mode: 'auto' as const, probe: { maxRetries: 0 } }
        : options.negotiation === 'modern'
          ? { mode: { pin: MODERN_REVISION }, probe: { maxRetries: 0 } }
          : { mode: 'legacy' as const };
    this.client = new Client(options.clientInfo ?? { name: 'mcp-ops', version: '2.0.0' }, {
      capabilities: {},
      versionNegotiation,
      listMaxPages: 20,
    });
    const bearer = options.bearerToken;
    const authProvider: AuthProvider | undefined = bearer
      ? {
          token: async () => bearer(),
          ...(options.onUnauthorized ? { onUnauthorized: () => options.onUnauthorized!() } : {}),
        }
      : undefined;
    this.transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { 'User-Agent': options.userAgent } },
      authProvider,
      // A machine client cannot widen its scopes by re-authorizing: a 403 insufficient_scope is a failure.
      onInsufficientScope: 'throw',
      // One attempt: a scheduled probe retries on its next run, a check reports what it saw.
      reconnectionOptions: {
        maxReconnectionDelay: 1000,
        initialReconnectionDelay: 1000,
        reconnectionDelayGrowFactor: 1,
        maxRetries: 0,
      },
    });
  }

  /** Connects: `server/discover` and/or `initialize`, per the negotiation mode. */
  connect(requestOptions: { readonly timeout: number; readonly signal?: AbortSignal }): Promise<void> {
    return this.client.connect(this.transport, requestOptions);
  }

  /** The negotiated revision (e.g. `2026-07-28`, `2025-11-25`), once connected. */
  get revision(): string | undefined {
    return this.client.getNegotiatedProtocolVersion();
  }

  /** The session id a 2025-era server issued, if any. */
  get sessionId(): string | undefined {
    return this.transport.sessionId;
  }

  /**
   * Ends the connection: an HTTP DELETE of the session when the server issued one (bounded by
   * `timeoutMs`, independent of any request budget that may already have run out), then the client's
   * close (which aborts the open GET stream and any request still in flight). Never throws.
   */
  async end(timeoutMs: number = SESSION_DELETE_TIMEOUT_MS): Promise<SessionEnd> {
    if (this.ended) return {};
    this.ended = true;
    const sessionId = this.transport.sessionId;
    let result: SessionEnd = {};
    if (sessionId) {
      const headers: Record<string, string> = { 'User-Agent': this.options.userAgent, 'mcp-session-id': sessionId };
      const version = this.transport.protocolVersion ?? this.revision;
      if (version) headers['mcp-protocol-version'] = version;
      const token = this.options.bearerToken?.();
      if (token) headers.Authorization = `Bearer ${token}`;
      try {
        const res = await fetch(this.url, {
          method: 'DELETE',
          headers,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'manual',
        });
        await res.arrayBuffer().catch(() => undefined);
        result = { sessionId, deleteStatus: res.status };
      } catch (err) {
        result = { sessionId, deleteError: errorText(err) };
      }
    }
    await this.client.close().catch(() => undefined);
    return result;
  }
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = causeCode(err);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
  }
  return undefined;
}

/** Maps an error from the SDK, fetch or the budget to a failure reason. */
export function classifyMcpError(err: unknown, timedOut = false): McpFailure {
  const message = errorText(err);
  if (timedOut || err instanceof BudgetExceeded) return { reason: 'timeout', message };
  if (err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout) return { reason: 'timeout', message };
  if (err instanceof InsufficientScopeError) return { reason: 'auth_rejected', code: 403, message };
  if (err instanceof UnauthorizedError) return { reason: 'auth_rejected', code: 401, message };
  if (err instanceof SdkHttpError) {
    const status = err.status;
    if (status === 401 || status === 403) return { reason: 'auth_rejected', code: status, message };
    if (typeof status === 'number' && status >= 100) return { reason: 'http', code: status, message };
  }
  if (err instanceof UnsupportedProtocolVersionError) {
    return {
      reason: 'unsupported_version',
      code: err.code,
      message: `${message} (server supports ${JSON.stringify(err.supported)})`,
    };
  }
  if (err instanceof Error && /protocol version is not supported/i.test(err.message))
    return { reason: 'unsupported_version', message };
  if (causeCode(err)) return { reason: 'connection', message };
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as Error).name;
    if (name === 'AbortError' || name === 'TimeoutError' || e instanceof BudgetExceeded)
      return { reason: 'timeout', message };
  }
  if (err instanceof TypeError && /fetch failed/i.test(message)) return { reason: 'connection', message };
  if (err instanceof ProtocolError) return { reason: 'protocol', code: err.code, message };
  // Invalid JSON, a result that fails the SDK's schema, an unexpected content type: not MCP.
  return { reason: 'protocol', message };
}
