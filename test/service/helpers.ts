/**
 * Starts the reference MCP server in-process on 127.0.0.1 (any free port) with its log lines
 * captured, and connects the official SDK clients of both generations to it: the 2.x client
 * pinned to 2026-07-28 (a client that speaks only the current revision) and the 1.x client (which
 * speaks at most 2025-11-25).
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListeningAddress, McpHttpServer, ServerOptions, createServer, loadConfig } from '../../service/src';

/** The 2026-07-28 revision. */
export const MODERN = '2026-07-28';
/** The newest 2025 revision (the 1.x SDK's). */
export const LEGACY = '2025-11-25';

/** The `_meta` envelope a 2026-07-28 request carries. */
export function envelope(version = MODERN): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': version,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
}

/**
 * A 2026-07-28 JSON-RPC request and its headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name), as
 * the 2.x client sends them; `overrides` replace or (with undefined) drop headers.
 */
export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  overrides: Record<string, string | undefined> = {},
  id: number | string = 1,
): { body: Record<string, unknown>; headers: Record<string, string> } {
  const name = typeof params.name === 'string' ? params.name : typeof params.uri === 'string' ? params.uri : undefined;
  const headers: Record<string, string | undefined> = {
    'mcp-protocol-version': MODERN,
    'mcp-method': method,
    ...(name === undefined ? {} : { 'mcp-name': name }),
    ...overrides,
  };
  return {
    body: { jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope() } },
    headers: Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined)),
  };
}

/** One parsed log line. */
export type LogLine = Record<string, unknown>;

/** A server under test and what it logged. */
export interface TestServer {
  readonly server: McpHttpServer;
  readonly address: ListeningAddress;
  /** Every line logged so far, parsed. */
  readonly lines: LogLine[];
  /** Raw lines, as the sink received them. */
  readonly raw: string[];
  /** A connected 2.x client pinned to 2026-07-28 (closed by `stop`). */
  client(headers?: Record<string, string>): Promise<Client>;
  /** A connected 1.x client, 2025-11-25 (closed by `stop`). */
  legacyClient(headers?: Record<string, string>): Promise<LegacyClient>;
  /** Lines with `event` (app) or `event_type` (audit) equal to `name`, optionally for one request. */
  events(name: string, requestId?: string): LogLine[];
  /** Waits until a line matching `pred` has been logged (lines are written when a response closes). */
  waitForLine(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Closes clients and shuts the server down. */
  stop(): Promise<void>;
}

/** Starts a server from `env` (passed through `loadConfig`) on 127.0.0.1:0. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const server = createServer(loadConfig({ SERVICE_NAME: 'test-mcp', LOG_LEVEL: 'DEBUG', ...env }), {
    metricsIntervalMs: 0,
    ...options,
    log: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line));
    },
  });
  const address = await server.listen(0, '127.0.0.1');
  const clients: Array<{ close(): Promise<void> }> = [];
  const events = (name: string, requestId?: string): LogLine[] =>
    lines.filter(
      (l) => (l.event === name || l.event_type === name) && (requestId === undefined || l.request_id === requestId),
    );
  return {
    server,
    address,
    lines,
    raw,
    events,
    async client(headers = {}) {
      const client = new Client(
        { name: 'jest-client', version: '2.0.0' },
        { versionNegotiation: { mode: { pin: MODERN } } },
      );
      await client.connect(new StreamableHTTPClientTransport(new URL(address.mcpUrl), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async legacyClient(headers = {}) {
      const client = new LegacyClient({ name: 'jest-legacy-client', version: '1.0.0' });
      await client.connect(new LegacyTransport(new URL(address.mcpUrl), { requestInit: { headers } }));
      clients.push(client);
      return client;
    },
    async waitForLine(pred, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(pred);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching log line after ${timeoutMs} ms; lines:\n${raw.join('\n')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await server.close();
    },
  };
}

/** A JSON-RPC POST to the MCP endpoint with the headers the Streamable HTTP transport expects (add the MCP ones). */
export function postMcp(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<globalThis.Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON-RPC messages of an SSE (or JSON) response body. */
export function rpcMessages(contentType: string | null, text: string): Array<Record<string, unknown>> {
  if (contentType?.includes('application/json')) return [JSON.parse(text)];
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
}

/** A server running as its own process (service/src/main.ts, the container's entry point). */
export interface ServerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything it wrote to stdout so far (JSON lines). */
  output(): string;
  /** Everything it wrote to stderr so far (node's own warnings). */
  errors(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts service/src/main.ts with `env` (on top of this process's environment, PORT=0) and
 * resolves once it logs `server_listening`. Use it where only a new process will do, e.g. for
 * NODE_EXTRA_CA_CERTS, which node reads at start.
 */
export async function spawnServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const entry = path.join(__dirname, '..', '..', 'service', 'src', 'main.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b) => {
    err += b;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      out += b;
      const m = /"event":"server_listening"[^\n]*"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`server exited early:\n${out}\n${err}`)));
  });
  return {
    port,
    child,
    output: () => out,
    errors: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}
