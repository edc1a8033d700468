/**
 * MCP servers on 127.0.0.1 for the probe and check-server tests, each on the official SDK over real HTTP:
 * - `startMcpServer`: the 1.x SDK (`@modelcontextprotocol/sdk`), 2025-11-25 only, stateless or keeping
 *   sessions (`Mcp-Session-Id`; it counts the sessions still open);
 * - `startModernServer`: the 2.x SDK (`@modelcontextprotocol/server`, `createMcpHandler`), 2026-07-28 only
 *   (`legacy: 'reject'`) or dual (2026-07-28 and stateless 2025-11-25);
 * and HTTP servers that misbehave (slow, JSON-RPC errors, HTTP errors, not MCP). Any MCP server can be given
 * a fault for one method and a bearer-token check against a JWKS. Each returns its URL and a `close()` that
 * frees everything.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer as ModernMcpServer } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';

export interface TestServer {
  readonly url: string;
  /** Requests received, by JSON-RPC method (or HTTP method when there was no body). */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A server that keeps sessions: how many are open now, and how many DELETEs it received. */
export interface SessionServer extends TestServer {
  openSessions(): number;
  /** Sessions ever created. */
  readonly created: () => number;
  readonly deletes: () => number;
}

/** A fault for requests of one JSON-RPC method: an error answer, an HTTP status, or no answer until close(). */
export type Fault =
  | { readonly method: string; readonly jsonRpcError: { code: number; message: string } }
  | { readonly method: string; readonly httpStatus: number }
  | { readonly method: string; readonly hang: true };

/** Bearer-token verification (RFC 6750) with a JWKS: what the MCP server accepts. */
export interface AuthCheck {
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Required `aud`, when set (tests may change it between requests). */
  audience?: string;
  /** Tokens that passed, by `client_id`. */
  readonly accepted?: string[];
}

export interface ServerOptions {
  readonly fault?: Fault;
  readonly auth?: AuthCheck;
}

function buildLegacyServer(): McpServer {
  const server = new McpServer({ name: 'probe-test-server', version: '1.2.3' });
  server.registerTool(
    'status',
    { description: 'read-only status', inputSchema: { verbose: z.boolean().optional() } },
    async ({ verbose }) => ({ content: [{ type: 'text', text: verbose ? 'all systems nominal (verbose)' : 'ok' }] }),
  );
  server.registerTool('broken', { description: 'always fails' }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'database unavailable' }],
  }));
  return server;
}

function buildModernServer(era: string): ModernMcpServer {
  const server = new ModernMcpServer({ name: 'probe-test-server-v2', version: '2.4.0' });
  server.registerTool(
    'status',
    { description: 'read-only status', inputSchema: z.object({ verbose: z.boolean().optional() }) },
    async ({ verbose }) => ({
      content: [{ type: 'text', text: verbose ? `all systems nominal (${era}, verbose)` : `ok (${era})` }],
    }),
  );
  server.registerTool('broken', { description: 'always fails', inputSchema: z.object({}) }, async () => ({
    isError: true,
    content: [{ type: 'text', text: 'database unavailable' }],
  }));
  return server;
}

export async function listen(server: http.Server, path = '/mcp'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}${path}`;
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function methodsOf(body: unknown): string[] {
  const list = Array.isArray(body) ? body : [body];
  return list.map((m) =>
    m && typeof m === 'object' && 'method' in m ? String((m as { method: unknown }).method) : 'response',
  );
}

export function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Verifies the bearer token; on failure answers 401 (RFC 6750 §3) and returns false. */
async function authorize(check: AuthCheck | undefined, req: http.IncomingMessage, res: http.ServerResponse) {
  if (!check) return true;
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
  const metadata = `http://${req.headers.host}/.well-known/oauth-protected-resource/mcp`;
  const deny = (error?: string) => {
    res
      .writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer resource_metadata="${metadata}"${error ? `, error="${error}"` : ''}`,
      })
      .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Unauthorized' } }));
    return false;
  };
  if (!token) return deny();
  try {
    jwks.set(check.jwksUrl, jwks.get(check.jwksUrl) ?? createRemoteJWKSet(new URL(check.jwksUrl)));
    const { payload } = await jwtVerify(token, jwks.get(check.jwksUrl)!, {
      issuer: check.issuer,
      ...(check.audience ? { audience: check.audience } : {}),
      algorithms: ['RS256'],
    });
    check.accepted?.push(String(payload.client_id));
    return true;
  } catch {
    return deny('invalid_token');
  }
}
const jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/**
 * Applies `fault` when the request is for its method; returns true when the request was answered (or is
 * left hanging) by the fault.
 */
function applyFault(
  fault: Fault | undefined,
  body: unknown,
  res: http.ServerResponse,
  hanging: Set<http.ServerResponse>,
): boolean {
  if (!fault || !body || typeof body !== 'object' || (body as { method?: unknown }).method !== fault.method)
    return false;
  if ('hang' in fault) {
    hanging.add(res);
    return true;
  }
  if ('httpStatus' in fault) {
    res.writeHead(fault.httpStatus, { 'content-type': 'text/plain' }).end('fault injected');
    return true;
  }
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', id: (body as { id?: unknown }).id, error: fault.jsonRpcError }));
  return true;
}

/**
 * A 1.x SDK server (2025-11-25 and earlier). Stateless: a fresh server and transport per request.
 * Stateful: one per session, `Mcp-Session-Id` issued by `initialize` and ended by DELETE.
 */
export async function startMcpServer(mode: 'stateful', options?: ServerOptions): Promise<SessionServer>;
export async function startMcpServer(mode?: 'stateless' | 'stateful', options?: ServerOptions): Promise<TestServer>;
export async function startMcpServer(
  mode: 'stateless' | 'stateful' = 'stateless',
  options: ServerOptions = {},
): Promise<SessionServer> {
  const seen: string[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const hanging = new Set<http.ServerResponse>();
  let created = 0;
  let deletes = 0;
  const server = http.createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      seen.push(...(body === undefined ? [req.method ?? '?'] : methodsOf(body)));
      if (req.method === 'DELETE') deletes++;
      if (!(await authorize(options.auth, req, res))) return;
      if (applyFault(options.fault, body, res, hanging)) return;
      if (mode === 'stateless') {
        const mcp = buildLegacyServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
        res.on('close', () => {
          void transport.close();
          void mcp.close();
        });
        await mcp.connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      const sid = req.headers['mcp-session-id'];
      let transport = typeof sid === 'string' ? sessions.get(sid) : undefined;
      if (!transport) {
        const fresh = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            created++;
            sessions.set(id, fresh);
          },
        });
        fresh.onclose = () => {
          if (fresh.sessionId) sessions.delete(fresh.sessionId);
        };
        await buildLegacyServer().connect(fresh);
        transport = fresh;
      }
      await transport.handleRequest(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  const url = await listen(server);
  return {
    url,
    seen,
    openSessions: () => sessions.size,
    created: () => created,
    deletes: () => deletes,
    async close() {
      for (const r of hanging) r.destroy();
      await Promise.all([...sessions.values()].map((t) => t.close()));
      await closeServer(server);
    },
  };
}

/**
 * A 2.x SDK server through `createMcpHandler`: `legacy: 'reject'` serves 2026-07-28 only; `'stateless'`
 * (the SDK's default) also serves 2025-era clients, statelessly, on the same endpoint.
 */
export async function startModernServer(
  legacy: 'reject' | 'stateless',
  options: ServerOptions = {},
): Promise<TestServer & { readonly eras: string[] }> {
  const seen: string[] = [];
  const eras: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const handler = createMcpHandler(
    ({ era }) => {
      eras.push(era);
      return buildModernServer(era);
    },
    { legacy },
  );
  const node = toNodeHandler(handler);
  const server = http.createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      seen.push(...(body === undefined ? [req.method ?? '?'] : methodsOf(body)));
      if (!(await authorize(options.auth, req, res))) return;
      if (applyFault(options.fault, body, res, hanging)) return;
      await node(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  const url = await listen(server);
  return {
    url,
    seen,
    eras,
    async close() {
      for (const r of hanging) r.destroy();
      await handler.close();
      await closeServer(server);
    },
  };
}

/** A port with nothing listening: bind, note the port, close. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

/** Accepts connections and reads requests but answers only after `delayMs` (past any probe timeout). */
export async function startSlowServer(delayMs = 30_000): Promise<TestServer> {
  const seen: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer(async (req, res) => {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    seen.push(...methodsOf(body));
    const t = setTimeout(() => {
      timers.delete(t);
      res.writeHead(503).end();
    }, delayMs);
    timers.add(t);
  });
  const url = await listen(server);
  return {
    url,
    seen,
    async close() {
      for (const t of timers) clearTimeout(t);
      await closeServer(server);
    },
  };
}

/** Answers every JSON-RPC request with the given JSON-RPC error (HTTP 200, application/json). */
export async function startJsonRpcErrorServer(
  code = -32603,
  message = 'internal error: backend exploded',
): Promise<TestServer> {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const body = req.method === 'POST' ? ((await readBody(req)) as { id?: unknown; method?: string }) : undefined;
    seen.push(...methodsOf(body));
    if (!body || body.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code, message } }));
  });
  const url = await listen(server);
  return { url, seen, close: () => closeServer(server) };
}

/** Answers every request with an HTTP status and a plain-text body (e.g. the ALB's 502/503). */
export async function startHttpErrorServer(status = 503): Promise<TestServer> {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const body = req.method === 'POST' ? await readBody(req).catch(() => undefined) : undefined;
    seen.push(...methodsOf(body));
    res.writeHead(status, { 'content-type': 'text/plain' }).end('Service Temporarily Unavailable');
  });
  const url = await listen(server);
  return { url, seen, close: () => closeServer(server) };
}

/** Answers every request with HTTP 200 and an HTML page (a captive portal or a proxy's error page): not MCP. */
export async function startNonMcpServer(): Promise<TestServer> {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const body = req.method === 'POST' ? await readBody(req).catch(() => undefined) : undefined;
    seen.push(...methodsOf(body));
    res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>');
  });
  const url = await listen(server);
  return { url, seen, close: () => closeServer(server) };
}

/**
 * A 2025-era server that answers `initialize` with an older revision (`2025-03-26` by default), hand-written
 * JSON-RPC (the 1.x SDK always answers the newest revision it knows). Shows what the probe does with a server
 * older than 2025-11-25.
 */
export async function startOldRevisionServer(revision = '2025-03-26'): Promise<TestServer> {
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const body = req.method === 'POST' ? ((await readBody(req)) as { id?: unknown; method?: string }) : undefined;
    seen.push(...(body === undefined ? [req.method ?? '?'] : methodsOf(body)));
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (!body || body.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    const reply = (result: unknown) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result }));
    if (body.method === 'initialize') {
      reply({
        protocolVersion: revision,
        capabilities: { tools: {} },
        serverInfo: { name: 'old-server', version: '0.9' },
      });
    } else if (body.method === 'tools/list') {
      reply({ tools: [{ name: 'status', inputSchema: { type: 'object' } }] });
    } else {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: { code: -32601, message: 'Method not found' } }));
    }
  });
  const url = await listen(server);
  return { url, seen, close: () => closeServer(server) };
}
