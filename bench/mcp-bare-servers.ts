/**
 * The baselines of bench/mcp-server.bench.ts, each run as its own process:
 *
 *   node --import tsx bench/mcp-bare-servers.ts <kind> <port> [body-file content-type]
 *
 * - `sdk2`: the 2.x SDK as its README wires it, nothing else: `node:http` +
 *   `toNodeHandler(createMcpHandler(factory))`, both eras, with the reference server's own tool
 *   factory (same tools, same schemas, same bytes) and no logs, auth, limits or metrics.
 * - `sdk1`: the 1.x SDK the same way (a fresh McpServer and stateless StreamableHTTPServerTransport
 *   per request) with the same three tools: 2025 revisions only.
 * - `bytes`: a bare `node:http` server that reads the body and answers with fixed bytes.
 */
import * as fs from 'fs';
import * as http from 'http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { McpServer as McpServer1 } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { CACHE_TTL_MS, MAX_WAIT_MS, createMcpServer } from '../service/src/tools';

const [kind, portArg, bodyFile, contentType] = process.argv.slice(2);
const port = Number(portArg);

function sdk2(): http.RequestListener {
  const handler = createMcpHandler(() =>
    createMcpServer({
      serverInfo: { name: 'bench', version: '0.1.0' },
      cacheHint: { ttlMs: CACHE_TTL_MS, cacheScope: 'public' },
      onToolFinished: () => undefined,
      onResourceRead: () => undefined,
    }),
  );
  const node = toNodeHandler(handler);
  return (req, res) => void node(req, res);
}

function sdk1(): http.RequestListener {
  const echo = { text: z.string().max(10_000).describe('Text to return') };
  const wait = { duration_ms: z.number().int().min(0).max(MAX_WAIT_MS).describe('How long to wait, in milliseconds') };
  return (req, res) => {
    const server = new McpServer1({ name: 'bench', version: '0.1.0' }, { capabilities: { tools: {} } });
    server.registerTool(
      'echo',
      { title: 'Echo', description: 'Returns the text it is given.', inputSchema: echo },
      async ({ text }) => ({
        content: [{ type: 'text', text }],
      }),
    );
    server.registerTool(
      'server_time',
      { title: 'Server time', description: 'Returns the server clock.' },
      async () => ({
        content: [{ type: 'text', text: new Date().toISOString() }],
      }),
    );
    server.registerTool('wait', { title: 'Wait', description: 'Waits.', inputSchema: wait }, async () => ({
      content: [{ type: 'text', text: 'done' }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  };
}

function bytes(): http.RequestListener {
  const body = fs.readFileSync(bodyFile);
  return (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': contentType, 'content-length': body.byteLength });
      res.end(body);
    });
  };
}

const listener = kind === 'sdk2' ? sdk2() : kind === 'sdk1' ? sdk1() : kind === 'bytes' ? bytes() : undefined;
if (!listener) throw new Error(`unknown kind ${kind}: sdk2, sdk1 or bytes`);
http
  .createServer((req, res) => {
    if (req.url === '/health/live') res.writeHead(200).end('{"status":"ok"}');
    else listener(req, res);
  })
  .listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
