/**
 * MCP servers on 127.0.0.1 for the probe tests: a real SDK `McpServer` over Streamable HTTP
 * (stateless or stateful), a server that never answers in time, and one that answers every
 * request with a JSON-RPC error. Each returns its URL and a `close()` that frees everything.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface TestServer {
  readonly url: string;
  /** Requests received, by JSON-RPC method (or HTTP method when there was no body). */
  readonly seen: string[];
  close(): Promise<void>;
}

function buildMcpServer(): McpServer {
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

async function listen(server: http.Server, path = '/mcp'): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}${path}`;
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function methodsOf(body: unknown): string[] {
  const list = Array.isArray(body) ? body : [body];
  return list.map((m) =>
    m && typeof m === 'object' && 'method' in m ? String((m as { method: unknown }).method) : 'response',
  );
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A real MCP server. Stateless: a fresh server and transport per request. Stateful: one per session. */
export async function startMcpServer(mode: 'stateless' | 'stateful' = 'stateless'): Promise<TestServer> {
  const seen: string[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const server = http.createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      seen.push(...(body === undefined ? [req.method ?? '?'] : methodsOf(body)));
      if (mode === 'stateless') {
        const mcp = buildMcpServer();
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
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            sessions.set(id, created);
          },
        });
        created.onclose = () => {
          if (created.sessionId) sessions.delete(created.sessionId);
        };
        await buildMcpServer().connect(created);
        transport = created;
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
    async close() {
      await Promise.all([...sessions.values()].map((t) => t.close()));
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

/**
 * A real (stateless) MCP server, except that requests for `failOn` get a fault: a JSON-RPC error
 * (HTTP 200), or no answer until `close()` (`hang`). Shows that a failure after `initialize` is reported
 * at the step where it happened.
 */
export async function startFaultyMcpServer(
  failOn: string,
  fault: { jsonRpcError: { code: number; message: string } } | 'hang',
): Promise<TestServer> {
  const seen: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer(async (req, res) => {
    try {
      const body = req.method === 'POST' ? ((await readBody(req)) as { id?: unknown; method?: string }) : undefined;
      seen.push(...(body === undefined ? [req.method ?? '?'] : methodsOf(body)));
      if (body?.method === failOn) {
        if (fault === 'hang') {
          hanging.add(res);
          return;
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: body.id, error: fault.jsonRpcError }));
        return;
      }
      const mcp = buildMcpServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void mcp.close();
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  });
  const url = await listen(server);
  return {
    url,
    seen,
    async close() {
      for (const res of hanging) res.destroy();
      await closeServer(server);
    },
  };
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
