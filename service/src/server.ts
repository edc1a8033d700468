/**
 * The HTTP side of the reference MCP server: MCP over Streamable HTTP for the 2026-07-28 revision
 * and the 2025 revisions on one endpoint, statelessly (a fresh MCP server per request, so any task
 * can answer any request), health endpoints, Origin allow-list, body limit, OAuth 2.1 resource
 * server (bearer JWTs, scopes per tool, RFC 9728 metadata), a per-client rate limit, request and
 * audit logs, EMF metrics, SSE keep-alive and graceful shutdown, as `docs/operational-contract.md`
 * describes. The MCP protocol itself is the SDK's (`createMcpHandler`).
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import type { AuthInfo, CacheHint, McpHttpHandler, RequestId } from '@modelcontextprotocol/server';
import { createMcpHandler } from '@modelcontextprotocol/server';
import express, { NextFunction, Request, Response } from 'express';
import {
  TokenError,
  TokenVerifier,
  TokenVerifierOptions,
  VerifiedToken,
  authInfo,
  missingScopes,
  protectedResourceMetadata,
  wwwAuthenticate,
} from './auth';
import { BodyError, readJsonBody, webRequest, writeWebResponse } from './bridge';
import { ServerConfig, resourceIdentifier, resourceMetadataUrl } from './config';
import { Cache, CacheOptions, CheckResult, Database, DatabaseOptions, Dependency } from './dependencies';
import { ErrorType, LogSink, Logger, errorMessage, stdoutSink } from './logger';
import { requestMetricDocument, taskMetricDocuments } from './metrics';
import {
  PROTOCOL_VERSIONS,
  describeRequest,
  methodLabel,
  nameLabel,
  protocolVersionLabel,
  requestProtocolVersion,
} from './protocol';
import { ActivePrincipals, RateLimiter } from './quota';
import {
  ADMIN_TOOLS,
  CACHE_TTL_MS,
  RESOURCE_NAMES,
  ResourceRead,
  TOOL_NAMES,
  ToolOutcome,
  createMcpServer,
} from './tools';

/** Options of {@link createServer} that are not environment configuration. */
export interface ServerOptions {
  /** Receives every log line (JSON, no newline). @default stdout */
  readonly log?: LogSink;
  /** Timeout of each readiness check. @default 1000 */
  readonly readinessTimeoutMs?: number;
  /** Interval of the task samples (`mcp_active_connections`, `user_sessions_active`, `api_quota_remaining`); 0 disables them. @default 10000 */
  readonly metricsIntervalMs?: number;
  /**
   * How long an idle keep-alive connection stays open. Longer than the load balancer's idle
   * timeout (120 s), so the load balancer, not the server, closes idle connections and never
   * sends a request on a connection the server is closing (a 502).
   * @default 125000
   */
  readonly httpKeepAliveTimeoutMs?: number;
  /** PostgreSQL pool tuning. @default the pool size of the configuration, 2 s connect timeout, 5 s statement_timeout, 6 s client-side query timeout, 2 s close timeout */
  readonly database?: DatabaseOptions;
  /** Valkey/Redis client tuning. @default 2 s connect and command timeouts */
  readonly cache?: CacheOptions;
  /** JWKS cache tuning. @default 2 s fetch timeout, keys cached 10 minutes, 5 s clock tolerance */
  readonly tokenVerifier?: TokenVerifierOptions;
  /** Clock for log timestamps. @default () => new Date() */
  readonly now?: () => Date;
}

/** Where the server listens. */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** e.g. `http://127.0.0.1:41234/mcp` */
  readonly mcpUrl: string;
}

/** Readiness result, the body of `/health/ready`. */
export interface ReadinessReport {
  readonly status: 'ok' | 'fail';
  readonly checks: Record<string, CheckResult>;
}

/** What {@link McpHttpServer.shutdown} did. */
export interface ShutdownReport {
  /** MCP requests and streams open when shutdown began. */
  readonly inFlightAtStart: number;
  /** True when every in-flight request finished within the grace period. */
  readonly drained: boolean;
  /** Requests and streams closed by force when the grace period ended. */
  readonly forcedClosed: number;
  readonly durationMs: number;
}

/** A running (or ready to run) reference MCP server. */
export interface McpHttpServer {
  readonly config: ServerConfig;
  /** The Express application (for tests that want to add routes or use supertest-style calls). */
  readonly app: express.Express;
  /** The underlying Node.js HTTP server. */
  readonly httpServer: http.Server;
  /** Open MCP requests and streams. */
  readonly activeConnections: number;
  /** Starts listening. @default port config.port, host 0.0.0.0 */
  listen(port?: number, host?: string): Promise<ListeningAddress>;
  /** Runs the readiness checks. */
  readiness(): Promise<ReadinessReport>;
  /**
   * Graceful shutdown, what SIGTERM triggers: stops accepting connections, lets in-flight requests
   * finish for up to `SHUTDOWN_GRACE_MS`, then closes what is still open, then the dependency
   * clients. Idempotent: later calls return the same promise.
   */
  shutdown(reason?: string): Promise<ShutdownReport>;
  /** Same as `shutdown('close')`. */
  close(): Promise<ShutdownReport>;
}

/** JSON-RPC error codes (JSON-RPC 2.0 §5.1, MCP 2026-07-28 §error codes) mapped to the contract's error classes. */
function jsonRpcErrorType(code: number): ErrorType {
  if (code === -32700 || code === -32600 || code === -32601) return 'protocol_error';
  // -32020 header mismatch, -32021 missing client capability, -32022 unsupported protocol version.
  if (code === -32020 || code === -32021 || code === -32022) return 'protocol_error';
  if (code === -32602) return 'validation_error';
  return 'internal_error';
}

/** HTTP error statuses mapped to the contract's error classes. */
function httpErrorType(status: number): ErrorType {
  if (status === 401 || status === 403) return 'auth_error';
  if (status === 413 || status === 422) return 'validation_error';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'dependency_error';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'internal_error';
  return 'protocol_error';
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** How long a principal counts as active in `user_sessions_active` after its last request. */
export const USER_SESSION_WINDOW_MS = 300_000;
/** Headers a browser client may send (CORS preflight), both eras. */
const CORS_ALLOW_HEADERS = [
  'Content-Type',
  'Accept',
  'Authorization',
  'MCP-Protocol-Version',
  'Mcp-Method',
  'Mcp-Name',
  'Mcp-Session-Id',
  'Last-Event-ID',
  'X-Request-Id',
].join(', ');
/** Response headers a browser client may read. */
const CORS_EXPOSE_HEADERS = 'MCP-Protocol-Version, WWW-Authenticate, Retry-After, X-Request-Id';

/** The client's address: the last `X-Forwarded-For` entry (the one the load balancer added), else the socket peer. */
export function clientIp(req: http.IncomingMessage): string {
  const xff = req.headers['x-forwarded-for'];
  const value = Array.isArray(xff) ? xff.join(',') : xff;
  if (value) {
    const hops = value
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    if (hops.length > 0) return hops[hops.length - 1];
  }
  return req.socket.remoteAddress ?? 'unknown';
}

function serverVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Metric label of an OAuth client id: printable ASCII, at most 128 characters. */
function clientLabel(clientId: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(clientId) ? clientId : 'invalid';
}

/** One tools/call of a request. */
interface ToolCall {
  readonly tool: string;
  outcome?: ToolOutcome;
  /** The JSON-RPC response, when one was sent. */
  response?: { isError: boolean; errorType?: ErrorType; error?: string };
}

/** State of one MCP HTTP request, from arrival to the close of its response. */
interface RequestState {
  readonly requestId: string;
  readonly start: number;
  readonly res: http.ServerResponse;
  readonly httpMethod: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  /** `sub` of the token, else `anonymous`. */
  principal: string;
  /** OAuth client of the token, else the MCP client's `clientInfo.name`. */
  clientId: string | null;
  /** Granted scopes of the token (authenticated requests only). */
  scopes?: readonly string[];
  auth?: AuthInfo;
  method?: string;
  toolLabel?: string;
  /** Protocol revision the request claims (header, `_meta`), replaced by the one `initialize` negotiated. */
  protocolVersion?: string;
  readonly toolCalls: Map<RequestId, ToolCall>;
  readonly resourceReads: ResourceRead[];
  /** First JSON-RPC error response sent (not counting tool results). */
  rpcError?: { errorType: ErrorType; error: string };
  /** Set by the handler when it rejects the request itself. */
  rejection?: { errorType: ErrorType; error: string };
  /** Set when the SDK refused a tool for a missing scope (403 insufficient_scope). */
  scopeDenied?: string;
  /** Aborts the SDK's handling of the request (client gone, shutdown). */
  abort?: AbortController;
  bytes: number;
  forced: boolean;
}

/**
 * Creates the reference MCP server from a validated configuration (see `loadConfig`).
 * Dependency clients are created here and connect in the background; nothing listens until
 * `listen` is called.
 */
export function createServer(config: ServerConfig, options: ServerOptions = {}): McpHttpServer {
  const now = options.now ?? (() => new Date());
  const logger = new Logger(config.serviceName, config.logLevel, options.log ?? stdoutSink, options.now);
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 1_000;
  const database = config.database
    ? new Database(config.database, logger, { applicationName: config.serviceName, ...options.database })
    : undefined;
  const cache = config.cache ? new Cache(config.cache, logger, options.cache) : undefined;
  const dependencies: Dependency[] = [database, cache].filter((d): d is Database | Cache => d !== undefined);
  const verifier = config.auth ? new TokenVerifier(config.auth, options.tokenVerifier) : undefined;
  const metadataUrl = resourceMetadataUrl(config);
  const resource = resourceIdentifier(config);
  const serverInfo = { name: config.serviceName, version: serverVersion() };
  const allowedOrigins = new Set(config.allowedOrigins);
  const limiter = config.rateLimitPerMinute > 0 ? new RateLimiter(config.rateLimitPerMinute) : undefined;
  const principals = new ActivePrincipals(USER_SESSION_WINDOW_MS);
  const cacheHint: CacheHint = { ttlMs: CACHE_TTL_MS, cacheScope: verifier ? 'private' : 'public' };

  const active = new Set<RequestState>();
  let shuttingDown = false;
  let shutdownPromise: Promise<ShutdownReport> | undefined;
  let lastReadiness: 'ok' | 'fail' | undefined;

  // ---- MCP (the SDK) -------------------------------------------------------------------------
  // One handler for both eras: a 2026-07-28 request (per-request `_meta`) is served statelessly by
  // the SDK's modern path, which also answers `server/discover` and validates MCP-Protocol-Version,
  // Mcp-Method and Mcp-Name against the body (-32020, -32022); a 2025-era request (`initialize`, no
  // envelope) by its stateless legacy path. Either way the factory builds a fresh McpServer.
  const states = new WeakMap<globalThis.Request, RequestState>();
  const mcpHandler: McpHttpHandler = createMcpHandler(
    (ctx) => {
      const state = ctx.requestInfo ? states.get(ctx.requestInfo) : undefined;
      return createMcpServer({
        serverInfo,
        database,
        cache,
        adminScope: config.auth?.adminScope,
        cacheHint,
        onToolFinished: (outcome) => {
          const call = state?.toolCalls.get(outcome.requestId);
          if (call) call.outcome = outcome;
        },
        onResourceRead: (read) => state?.resourceReads.push(read),
      });
    },
    {
      legacy: 'stateless',
      responseMode: 'auto',
      keepAliveMs: config.keepAliveIntervalMs,
      maxRequestBodySize: config.maxBodyBytes,
      onerror: (err) => logger.debug('mcp_sdk_report', errorMessage(err)),
    },
  );

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');

  // ---- health ----------------------------------------------------------------------------
  app.get('/health/live', (_req, res) => {
    res.set('Cache-Control', 'no-store').status(200).json({ status: 'ok' });
  });

  async function readiness(): Promise<ReadinessReport> {
    const results = await Promise.all(
      dependencies.map(async (d) => [d.name, await d.check(readinessTimeoutMs)] as const),
    );
    const checks = Object.fromEntries(results);
    const status = results.every(([, r]) => r.status === 'ok') ? 'ok' : 'fail';
    return { status, checks };
  }

  app.get('/health/ready', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (shuttingDown) {
      res.status(503).json({ status: 'fail', checks: {}, error: 'shutting down' });
      return;
    }
    const report = await readiness();
    if (report.status !== lastReadiness) {
      const failing = Object.entries(report.checks)
        .filter(([, c]) => c.status === 'fail')
        .map(([n, c]) => `${n}: ${c.error}`);
      if (report.status === 'fail')
        logger.warn('readiness_failed', `not ready: ${failing.join('; ')}`, {
          checks: report.checks,
          error_type: 'dependency_error',
        });
      else if (lastReadiness !== undefined)
        logger.info('readiness_recovered', 'ready again', { checks: report.checks });
      lastReadiness = report.status;
    }
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });

  // ---- RFC 9728 protected-resource metadata ------------------------------------------------
  if (config.auth && resource) {
    const metadata = protectedResourceMetadata(resource, config.auth);
    const serve = (_req: Request, res: Response): void => {
      res.set('Cache-Control', 'public, max-age=3600').json(metadata);
    };
    app.get(`/.well-known/oauth-protected-resource${config.mcpPath}`, serve);
    app.get('/.well-known/oauth-protected-resource', serve);
  }

  // ---- MCP over HTTP -----------------------------------------------------------------------
  function sendJsonRpcError(
    state: RequestState,
    status: number,
    code: number,
    message: string,
    errorType: ErrorType,
    headers: Record<string, string> = {},
  ): void {
    state.rejection = { errorType, error: message };
    const { res } = state;
    if (res.headersSent) {
      res.end();
      return;
    }
    const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
    res.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      ...headers,
    });
    res.end(body);
  }

  function audit(
    state: RequestState,
    eventType: string,
    action: string,
    resourceName: string,
    result: 'success' | 'failure' | 'denied',
    extra: Record<string, unknown> = {},
  ): void {
    logger.audit({
      event_type: eventType,
      principal: state.principal,
      client_id: state.clientId,
      scopes: state.scopes,
      action,
      resource: resourceName,
      result,
      source_ip: state.sourceIp,
      user_agent: state.userAgent,
      request_id: state.requestId,
      protocol_version: state.protocolVersion,
      ...extra,
    });
  }

  /** Watches what the SDK answers, to classify the request's outcome. */
  function observe(state: RequestState, message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as Record<string, unknown>;
    // The SDK's per-tool scope challenge answers with an OAuth error body, not JSON-RPC.
    if (m.error === 'insufficient_scope') {
      state.scopeDenied = typeof m.error_description === 'string' ? m.error_description : 'insufficient scope';
      return;
    }
    if (!('id' in m) || !('result' in m || 'error' in m)) return;
    const call = state.toolCalls.get(m.id as RequestId);
    if ('error' in m && typeof m.error === 'object' && m.error !== null) {
      const err = m.error as { code?: number; message?: string };
      const errorType = jsonRpcErrorType(err.code ?? -32603);
      const error = `JSON-RPC error ${err.code}: ${String(err.message ?? '').slice(0, 300)}`;
      if (call) call.response = { isError: true, errorType, error };
      else state.rpcError ??= { errorType, error };
      return;
    }
    const result = m.result as
      { isError?: boolean; protocolVersion?: unknown; content?: Array<{ type?: string; text?: string }> } | undefined;
    if (state.method === 'initialize' && typeof result?.protocolVersion === 'string')
      state.protocolVersion = result.protocolVersion.slice(0, 32);
    if (call) {
      const isError = result?.isError === true;
      const text = result?.content?.find((c) => c.type === 'text')?.text;
      call.response = {
        isError,
        errorType: isError && /validation error/i.test(String(text)) ? 'validation_error' : undefined,
        error: isError ? String(text ?? 'tool error').slice(0, 300) : undefined,
      };
    }
  }

  /** Logs, audits and counts a finished request. */
  function finish(state: RequestState): void {
    active.delete(state);
    // The client went away before the answer was complete: stop the SDK's work on it (the 2026-07-28
    // cancellation rule: closing the stream cancels the request). A completed answer needs nothing.
    if (state.abort && !state.abort.signal.aborted && !state.res.writableFinished) state.abort.abort();
    const durationMs = performance.now() - state.start;
    const status = state.res.statusCode;
    const base = {
      request_id: state.requestId,
      session_id: null,
      client_id: state.clientId,
      method: state.method,
      tool: state.toolLabel,
      protocol_version: state.protocolVersion,
    };

    // Tool calls: one line, one audit entry each.
    const executed: string[] = [];
    let toolFailure: { errorType: ErrorType; error: string } | undefined;
    for (const [, call] of state.toolCalls) {
      let errorType: ErrorType | undefined;
      let error: string | undefined;
      if (call.outcome) {
        executed.push(nameLabel(call.tool, TOOL_NAMES));
        if (call.outcome.result !== 'success') {
          errorType = call.outcome.result;
          error = call.outcome.error;
        }
      } else if (state.scopeDenied !== undefined) {
        errorType = 'auth_error';
        error = state.scopeDenied;
      } else if (call.response?.isError) {
        errorType = call.response.errorType ?? 'tool_error';
        error = call.response.error;
      } else if (!call.response) {
        errorType = state.forced
          ? 'timeout'
          : (state.rejection?.errorType ?? state.rpcError?.errorType ?? 'protocol_error');
        error = state.forced
          ? 'closed at shutdown before the tool finished'
          : (state.rejection?.error ?? state.rpcError?.error ?? `no result sent (HTTP ${status})`);
      }
      const fields = {
        ...base,
        tool: call.tool,
        duration_ms: round(call.outcome?.durationMs ?? durationMs),
      };
      const needed = config.auth && ADMIN_TOOLS.has(call.tool) ? { scope_required: config.auth.adminScope } : {};
      if (errorType === undefined) {
        logger.info('tool_call_completed', `tool ${call.tool} completed`, {
          ...fields,
          result_size: call.outcome?.resultSize ?? 0,
          status_code: status,
        });
        audit(state, 'tool_call', 'tools/call', `tool:${call.tool}`, 'success', needed);
      } else {
        toolFailure ??= { errorType, error: error ?? errorType };
        logger.app(
          errorType === 'internal_error' ? 'ERROR' : 'WARN',
          'tool_call_failed',
          `tool ${call.tool} failed: ${errorType}`,
          { ...fields, status_code: status, error: error ?? errorType, error_type: errorType },
        );
        audit(
          state,
          'tool_call',
          'tools/call',
          `tool:${call.tool}`,
          state.scopeDenied !== undefined ? 'denied' : 'failure',
          { error_type: errorType, ...needed },
        );
      }
    }
    for (const read of state.resourceReads)
      audit(state, 'resource_read', 'resources/read', `resource:${read.uri}`, 'success');

    let failure: { errorType: ErrorType; error: string } | undefined = state.rejection;
    if (!failure && status >= 400)
      failure = state.rpcError ?? { errorType: httpErrorType(status), error: state.scopeDenied ?? `HTTP ${status}` };
    if (!failure && state.forced)
      failure = { errorType: 'timeout', error: 'closed at shutdown after the grace period' };
    if (!failure && !state.res.writableFinished)
      failure = { errorType: 'protocol_error', error: 'client closed the connection before the response completed' };
    failure ??= state.rpcError ?? toolFailure;

    const fields = { ...base, duration_ms: round(durationMs), result_size: state.bytes, status_code: status };
    if (failure) {
      logger.app(
        failure.errorType === 'internal_error' ? 'ERROR' : 'WARN',
        'request_failed',
        `${state.method ?? state.httpMethod} failed: ${failure.errorType}`,
        { ...fields, error: failure.error, error_type: failure.errorType },
      );
    } else {
      logger.info('request_completed', `${state.method ?? state.httpMethod} completed`, fields);
    }
    const method = state.toolCalls.size > 1 ? 'batch' : state.method;
    const tool =
      method === 'tools/call' && state.toolLabel !== undefined ? nameLabel(state.toolLabel, TOOL_NAMES) : undefined;
    const read = state.resourceReads[0];
    logger.metrics(
      requestMetricDocument(
        config.serviceName,
        {
          durationMs,
          method: methodLabel(method),
          protocolVersion: protocolVersionLabel(state.protocolVersion),
          tool,
          errorType: failure?.errorType,
          toolsExecuted: executed,
          resourceAccessed: read ? nameLabel(read.resource, RESOURCE_NAMES) : undefined,
        },
        now().getTime(),
      ),
    );
  }

  /** Bearer-token check; false when the request was answered (401, 403, 503). */
  async function authenticate(state: RequestState, req: http.IncomingMessage): Promise<boolean> {
    if (!verifier || !config.auth) return true;
    let token: VerifiedToken;
    try {
      token = await verifier.verify(header(req, 'authorization'));
    } catch (err) {
      const e = err instanceof TokenError ? err : new TokenError('unavailable', errorMessage(err));
      if (e.kind === 'unavailable') {
        logger.error('dependency_error', 'token verification unavailable', {
          request_id: state.requestId,
          dependency: 'jwks',
          error: e.message,
          error_type: 'dependency_error',
        });
        sendJsonRpcError(state, 503, -32000, 'Token verification temporarily unavailable', 'dependency_error', {
          'Retry-After': '5',
        });
        return false;
      }
      audit(state, 'auth_denied', `http:${req.method}`, `endpoint:${config.mcpPath}`, 'denied', { reason: e.message });
      const challenge = wwwAuthenticate(
        metadataUrl!,
        e.kind === 'missing' ? undefined : { code: 'invalid_token', description: e.message },
      );
      sendJsonRpcError(
        state,
        401,
        -32001,
        e.kind === 'missing' ? 'Unauthorized: bearer token required' : `Unauthorized: ${e.message}`,
        'auth_error',
        { 'WWW-Authenticate': challenge },
      );
      return false;
    }
    state.principal = token.principal;
    state.clientId = token.clientId;
    state.scopes = token.scopes;
    const missing = missingScopes(token.scopes, config.auth.requiredScopes);
    if (missing.length > 0) {
      const needed = config.auth.requiredScopes.join(' ');
      audit(state, 'auth_denied', `http:${req.method}`, `endpoint:${config.mcpPath}`, 'denied', {
        reason: `insufficient scope: missing ${missing.join(' ')}`,
        scope_required: needed,
      });
      sendJsonRpcError(state, 403, -32001, `Forbidden: the token lacks the scope ${missing.join(' ')}`, 'auth_error', {
        'WWW-Authenticate': wwwAuthenticate(metadataUrl!, {
          code: 'insufficient_scope',
          description: `requires ${needed}`,
          scope: needed,
        }),
      });
      return false;
    }
    state.auth = authInfo(token, resource!, metadataUrl!);
    return true;
  }

  async function handleMcp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const headerId = header(req, 'x-request-id');
    const state: RequestState = {
      requestId: headerId && REQUEST_ID.test(headerId) ? headerId : randomUUID(),
      start: performance.now(),
      res,
      httpMethod: req.method ?? 'POST',
      sourceIp: clientIp(req),
      userAgent: (header(req, 'user-agent') ?? '').slice(0, 512),
      principal: 'anonymous',
      clientId: null,
      toolCalls: new Map(),
      resourceReads: [],
      bytes: 0,
      forced: false,
    };
    const protocolHeader = header(req, 'mcp-protocol-version');
    if (protocolHeader !== undefined) state.protocolVersion = requestProtocolVersion(protocolHeader, undefined);
    active.add(state);
    res.setHeader('X-Request-Id', state.requestId);
    if (shuttingDown) res.setHeader('Connection', 'close');
    countBytes(res, (n) => {
      state.bytes += n;
    });
    res.once('close', () => finish(state));

    // DNS-rebinding defence: a browser always sends Origin on cross-origin requests.
    const origin = header(req, 'origin');
    if (origin !== undefined) {
      if (!allowedOrigins.has(origin)) {
        audit(state, 'origin_denied', `http:${req.method}`, `endpoint:${config.mcpPath}`, 'denied', {
          origin: origin.slice(0, 256),
        });
        sendJsonRpcError(state, 403, -32000, 'Origin not allowed', 'auth_error');
        return;
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSE_HEADERS);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'Access-Control-Allow-Methods': 'POST, OPTIONS',
          'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
          'Access-Control-Max-Age': '600',
        });
        res.end();
        state.method = 'OPTIONS';
        return;
      }
    }

    // Stateless on both eras: no server-initiated stream (GET) and no session to delete (DELETE).
    if (req.method !== 'POST') {
      sendJsonRpcError(state, 405, -32000, 'Method not allowed: this server is stateless, use POST', 'protocol_error', {
        Allow: 'POST',
      });
      return;
    }

    if (!(await authenticate(state, req))) return;
    principals.seen(state.auth ? `sub:${state.principal}` : `ip:${state.sourceIp}`);

    if (limiter) {
      const quota = limiter.take(state.auth ? `client:${state.clientId}` : `ip:${state.sourceIp}`);
      if (!quota.allowed) {
        sendJsonRpcError(
          state,
          429,
          -32000,
          `Too many requests: at most ${limiter.limitPerMinute} per minute per client; retry after ${quota.retryAfterSeconds} s`,
          'rate_limited',
          { 'Retry-After': String(quota.retryAfterSeconds) },
        );
        return;
      }
    }

    // Body: read here (with the size limit) so the request can be logged by method and tool.
    let raw: Buffer;
    let body: unknown;
    try {
      ({ raw, body } = await readJsonBody(req, config.maxBodyBytes));
    } catch (err) {
      if (!(err instanceof BodyError)) throw err;
      if (err.status === 413) {
        // Stop reading and drop the connection once answered: the rest of the body is not wanted.
        sendJsonRpcError(
          state,
          413,
          -32000,
          `Request body larger than ${config.maxBodyBytes} bytes`,
          'validation_error',
          {
            Connection: 'close',
          },
        );
      } else {
        sendJsonRpcError(state, err.status, err.status === 400 ? -32700 : -32000, err.message, 'protocol_error');
      }
      return;
    }
    const described = describeRequest(body, protocolHeader);
    state.method = described.method;
    state.protocolVersion = described.protocolVersion;
    if (!state.auth && described.clientName !== undefined) state.clientId = described.clientName;
    if (described.method === 'batch') {
      for (const m of Array.isArray(body) ? body : []) {
        const d = describeRequest(m);
        if (d.tool !== undefined && d.id !== undefined) state.toolCalls.set(d.id, { tool: d.tool });
      }
      state.toolLabel = described.tool;
    } else if (described.tool !== undefined) {
      state.toolLabel = described.tool;
      if (described.id !== undefined) state.toolCalls.set(described.id, { tool: described.tool });
    }
    logger.info('request_started', `${state.method ?? 'POST'} started`, {
      request_id: state.requestId,
      session_id: null,
      client_id: state.clientId,
      method: state.method,
      tool: state.toolLabel,
      protocol_version: state.protocolVersion,
    });

    const abort = new AbortController();
    state.abort = abort;
    try {
      const request = webRequest(req, raw, abort.signal);
      states.set(request, state);
      const response = await mcpHandler.fetch(request, { parsedBody: body, authInfo: state.auth });
      // Results matter for tool calls (isError), resource reads and initialize (the negotiated revision).
      const results = state.toolCalls.size > 0 || state.method === 'initialize' || state.method === 'resources/read';
      await writeWebResponse(response, res, abort.signal, (m) => observe(state, m), results);
    } catch (err) {
      if (abort.signal.aborted) return;
      logger.error('internal_error', 'MCP request handling failed', {
        request_id: state.requestId,
        error: errorMessage(err),
        error_type: 'internal_error',
      });
      sendJsonRpcError(state, 500, -32603, 'Internal error', 'internal_error');
    }
  }

  app.use((_req: Request, res: Response) => {
    res.status(404).set('Cache-Control', 'no-store').json({ error: 'not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error('internal_error', 'unhandled error', { error: errorMessage(err), error_type: 'internal_error' });
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(500).json({ error: 'internal error' });
  });

  // ---- HTTP server -------------------------------------------------------------------------
  // The MCP endpoint is served without Express (its routing and body parsing cost a tenth of a
  // request); health, metadata and 404s go through the Express app.
  const mcpPaths = new Set([config.mcpPath, `${config.mcpPath}/`]);
  const httpServer = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if (!mcpPaths.has(q === -1 ? url : url.slice(0, q))) {
      app(req, res);
      return;
    }
    handleMcp(req, res).catch((err) => {
      logger.error('internal_error', 'unhandled error', { error: errorMessage(err), error_type: 'internal_error' });
      if (res.headersSent) res.end();
      else res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"internal error"}');
    });
  });
  httpServer.keepAliveTimeout = options.httpKeepAliveTimeoutMs ?? 125_000;
  // Must exceed keepAliveTimeout, or Node may time out a connection while a request arrives on it.
  httpServer.headersTimeout = httpServer.keepAliveTimeout + 1_000;

  const metricsIntervalMs = options.metricsIntervalMs ?? 10_000;
  let metricsTimer: NodeJS.Timeout | undefined;

  /** The periodic task metrics: open connections, active principals, the lowest quotas. */
  function sampleTask(): void {
    let quotas: Array<{ client: string; remaining: number }> | undefined;
    if (limiter) {
      // Anonymous clients are keyed by address for the limit but share one metric label.
      const lowest = new Map<string, number>();
      for (const { client, remaining } of limiter.snapshot()) {
        const label = client.startsWith('client:') ? clientLabel(client.slice(7)) : 'anonymous';
        lowest.set(label, Math.min(remaining, lowest.get(label) ?? Infinity));
      }
      quotas = [...lowest].map(([client, remaining]) => ({ client, remaining }));
    }
    for (const doc of taskMetricDocuments(
      config.serviceName,
      { activeConnections: active.size, activePrincipals: principals.count(), quotas },
      now().getTime(),
    ))
      logger.metrics(doc);
  }

  async function listen(port = config.port, host = '0.0.0.0'): Promise<ListeningAddress> {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
    const addr = httpServer.address() as AddressInfo;
    const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    const url = `http://${shownHost}:${addr.port}`;
    if (metricsIntervalMs > 0) {
      metricsTimer = setInterval(sampleTask, metricsIntervalMs);
      metricsTimer.unref();
    }
    logger.info('server_listening', `listening on ${url}${config.mcpPath}`, {
      port: addr.port,
      host: addr.address,
      mcp_path: config.mcpPath,
      auth: verifier !== undefined,
      database: database !== undefined,
      cache: cache !== undefined,
      rate_limit_per_minute: config.rateLimitPerMinute,
      protocol_versions: PROTOCOL_VERSIONS,
      version: serverInfo.version,
    });
    return { host: addr.address, port: addr.port, url, mcpUrl: `${url}${config.mcpPath}` };
  }

  async function doShutdown(reason: string): Promise<ShutdownReport> {
    const start = performance.now();
    shuttingDown = true;
    const inFlightAtStart = active.size;
    logger.info('shutdown_started', `shutting down (${reason}): ${inFlightAtStart} request(s) in flight`, {
      reason,
      in_flight: inFlightAtStart,
      grace_ms: config.shutdownGraceMs,
    });
    if (metricsTimer) clearInterval(metricsTimer);

    // Stop accepting: the listening socket closes now; `closed` settles when every connection has ended.
    const closed = httpServer.listening
      ? new Promise<void>((resolve) => httpServer.close(() => resolve()))
      : Promise.resolve();
    for (const s of active) if (!s.res.headersSent) s.res.setHeader('Connection', 'close');

    // Let in-flight requests finish; keep closing connections that have become idle.
    const deadline = start + config.shutdownGraceMs;
    while (active.size > 0 && performance.now() < deadline) {
      httpServer.closeIdleConnections();
      await sleep(Math.min(25, Math.max(1, deadline - performance.now())));
    }
    const drained = active.size === 0;
    let forcedClosed = 0;
    for (const s of [...active]) {
      forcedClosed++;
      s.forced = true;
      s.abort?.abort();
      s.res.destroy();
    }
    httpServer.closeAllConnections();
    await mcpHandler.close().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
    clearTimeout(timer);
    await Promise.all(
      dependencies.map((d) =>
        d.close().catch((err) =>
          logger.warn('dependency_error', `closing ${d.name} failed`, {
            error: errorMessage(err),
            error_type: 'dependency_error',
          }),
        ),
      ),
    );
    const report: ShutdownReport = {
      inFlightAtStart,
      drained,
      forcedClosed,
      durationMs: round(performance.now() - start),
    };
    logger.info(
      'shutdown_completed',
      drained
        ? 'shutdown complete: all requests finished'
        : `shutdown complete: ${forcedClosed} request(s) closed at the end of the grace period`,
      {
        reason,
        drained,
        forced_closed: forcedClosed,
        duration_ms: report.durationMs,
      },
    );
    return report;
  }

  function shutdown(reason = 'shutdown'): Promise<ShutdownReport> {
    shutdownPromise ??= doShutdown(reason);
    return shutdownPromise;
  }

  return {
    config,
    app,
    httpServer,
    get activeConnections() {
      return active.size;
    },
    listen,
    readiness,
    shutdown,
    close: () => shutdown('close'),
  };
}

/** A request header's value (the first, if repeated). */
function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts the body bytes written to a response. */
function countBytes(res: http.ServerResponse, add: (n: number) => void): void {
  const size = (chunk: unknown, encoding?: unknown): number => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
    if (typeof chunk === 'string')
      return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    if (chunk instanceof Uint8Array) return chunk.byteLength;
    return 0;
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  (res as { write: unknown }).write = (...args: unknown[]) => {
    add(size(args[0], args[1]));
    return write(...args);
  };
  (res as { end: unknown }).end = (...args: unknown[]) => {
    add(size(args[0], args[1]));
    return end(...args);
  };
}
