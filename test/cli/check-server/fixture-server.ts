/**
 * A small MCP server on the 2.x SDK (`createMcpHandler`, 2026-07-28 and 2025-11-25 on one endpoint) that
 * follows docs/operational-contract.md, with knobs that break one rule at a time, for the check-server tests.
 * `fixture-main.ts` runs it as a process (for the SIGTERM drain check).
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';

export interface FixtureOptions {
  /** `missing`: no /health/ready (404); `inconsistent`: 200 while a dependency check fails; `not-ready`: 503. */
  readonly ready?: 'ok' | 'missing' | 'inconsistent' | 'not-ready';
  /** false: requests with any Origin are served (no DNS-rebinding defence). */
  readonly originCheck?: boolean;
  /** false: the Mcp-Method header is never compared with the body. */
  readonly headerValidation?: boolean;
  /** false: GET and DELETE on /mcp get 400 instead of 405. */
  readonly methods405?: boolean;
  /** Body limit in bytes (413 above it); 0 = no limit. */
  readonly maxBodyBytes?: number;
  /** Bearer-token auth with this JWKS; `challenge: false` answers 401 without WWW-Authenticate. */
  readonly auth?: { readonly issuer: string; readonly jwksUrl: string; readonly challenge?: boolean };
  /** Which eras are served. */
  readonly legacy?: 'stateless' | 'reject';
}

export interface Fixture {
  readonly url: string;
  readonly server: http.Server;
  /** Graceful shutdown: stop accepting, end open streams, close. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export function fixtureOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): FixtureOptions {
  return env.FIXTURE_OPTIONS ? (JSON.parse(env.FIXTURE_OPTIONS) as FixtureOptions) : {};
}

export async function startFixture(options: FixtureOptions = {}, port = 0): Promise<Fixture> {
  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const handler = createMcpHandler(
    () => {
      const s = new McpServer({ name: 'fixture', version: '1.0.0' });
      s.registerTool('status', { description: 'status', inputSchema: z.object({}) }, async () => ({
        content: [{ type: 'text', text: 'ok' }],
      }));
      return s;
    },
    { legacy: options.legacy ?? 'stateless', ...(maxBody ? { maxRequestBodySize: maxBody } : {}) },
  );
  const node = toNodeHandler(handler, maxBody ? { maxRequestBodySize: maxBody } : {});
  const jwks = options.auth ? createRemoteJWKSet(new URL(options.auth.jwksUrl)) : undefined;
  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (req.method === 'GET' && path === '/health/live') return json(200, { status: 'ok' });
    if (req.method === 'GET' && path === '/health/ready') {
      const ready = options.ready ?? 'ok';
      if (ready === 'missing') return json(404, { error: 'not found' });
      if (ready === 'ok') return json(200, { status: 'ok', checks: { database: { status: 'ok', latency_ms: 2 } } });
      const body = {
        status: 'fail',
        checks: { cache: { status: 'fail', latency_ms: 500, error: 'timeout after 500 ms' } },
      };
      return ready === 'not-ready' ? json(503, body) : json(200, body);
    }
    if (path === '/.well-known/oauth-protected-resource/mcp' && options.auth)
      return json(200, { resource: `http://${req.headers.host}/mcp`, authorization_servers: [options.auth.issuer] });
    if (path !== '/mcp') return json(404, { error: 'not found' });
    if ((options.originCheck ?? true) && req.headers.origin)
      return json(403, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Origin not allowed' } });
    if (options.auth) {
      const header = req.headers.authorization ?? '';
      let ok = false;
      if (header.startsWith('Bearer ')) {
        try {
          await jwtVerify(header.slice(7), jwks!, { issuer: options.auth.issuer });
          ok = true;
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        const challenge: Record<string, string> =
          options.auth.challenge === false
            ? {}
            : {
                'www-authenticate': `Bearer resource_metadata="http://${req.headers.host}/.well-known/oauth-protected-resource/mcp"`,
              };
        return json(401, { error: 'unauthorized' }, challenge);
      }
    }
    if ((req.method === 'GET' || req.method === 'DELETE') && options.methods405 === false)
      return json(400, { error: 'bad request' });
    if (options.headerValidation === false && req.method === 'POST') {
      // Reads the body to rewrite the header after it: the header is never compared with the body.
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (maxBody && Buffer.byteLength(text) > maxBody) return json(413, { error: 'payload too large' });
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const method = (body as { method?: unknown } | undefined)?.method;
      if (typeof method === 'string' && req.headers['mcp-method']) req.headers['mcp-method'] = method;
      return node(req, res, body);
    }
    return node(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    server,
    async drain() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
      server.closeIdleConnections();
      await closed;
    },
    async close() {
      server.closeAllConnections();
      await handler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
