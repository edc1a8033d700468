/**
 * The demonstration tools and resource of the reference server and the MCP server factory. Every
 * tool runs inside {@link instrument}, which times it and reports its outcome to the request's
 * observer (for the `tool_call_*` log lines, the audit entry and the `tools_executed_total` metric).
 * The same factory serves both protocol eras: the SDK's `createMcpHandler` calls it once per HTTP
 * request, for a 2026-07-28 request and for a 2025-era one alike.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CacheHint, CallToolResult, RequestId, ServerContext } from '@modelcontextprotocol/server';
import { McpServer, requireScopes } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { Cache, Database, TimeoutError, withTimeout } from './dependencies';
import { ErrorType, errorMessage } from './logger';

/** Outcome of one tool execution. */
export interface ToolOutcome {
  readonly requestId: RequestId;
  readonly tool: string;
  readonly durationMs: number;
  /** `success`, or the error class of the failure. */
  readonly result: 'success' | ErrorType;
  /** Failure detail for the log (never shown to the client for dependency errors). */
  readonly error?: string;
  /** Bytes of the serialized result. */
  readonly resultSize: number;
}

/** One resource read that returned contents. */
export interface ResourceRead {
  readonly requestId: RequestId;
  /** Registered resource name, e.g. `operational-contract`. */
  readonly resource: string;
  readonly uri: string;
}

/** What the tools can use. */
export interface ToolContext {
  /** Server name and version (the 2025 `serverInfo`, the 2026-07-28 `_meta` serverInfo). */
  readonly serverInfo: { readonly name: string; readonly version: string };
  readonly database?: Database;
  readonly cache?: Cache;
  /**
   * Scope `database_tables` and `cache_counter` need, when bearer-token auth is on. A token without
   * it gets `403` with `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` from the SDK.
   */
  readonly adminScope?: string;
  /**
   * Cache hint of the cacheable 2026-07-28 results (lists, `server/discover`, `resources/read`):
   * `public` without auth, `private` with it.
   */
  readonly cacheHint: CacheHint;
  /** Called once per executed tool. */
  readonly onToolFinished: (outcome: ToolOutcome) => void;
  /** Called once per resource read. */
  readonly onResourceRead: (read: ResourceRead) => void;
}

/** A failure a tool reports to the client as an `isError` result, classified for logs and metrics. */
export class ToolFailure extends Error {
  constructor(
    public readonly errorType: ErrorType,
    message: string,
    public readonly publicMessage = message,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

/** Upper bound of the `wait` tool. */
export const MAX_WAIT_MS = 60_000;

/** Every tool the server can register (the metric label of any other name is `other`). */
export const TOOL_NAMES: ReadonlySet<string> = new Set([
  'echo',
  'server_time',
  'wait',
  'database_tables',
  'cache_counter',
]);

/** Tools that need the admin scope when auth is on. */
export const ADMIN_TOOLS: ReadonlySet<string> = new Set(['database_tables', 'cache_counter']);

/** The operational contract, served as a resource so `resources/list` and `resources/read` have something real. */
export const CONTRACT_RESOURCE = {
  name: 'operational-contract',
  uri: 'mcp-ops://docs/operational-contract.md',
  mimeType: 'text/markdown',
  /** The copy inside service/ (the image's build context); test/service keeps it equal to docs/. */
  file: path.join(__dirname, '..', 'resources', 'operational-contract.md'),
} as const;

/** Every resource the server registers (the metric label of any other is `other`). */
export const RESOURCE_NAMES: ReadonlySet<string> = new Set([CONTRACT_RESOURCE.name]);

let contractText: string | undefined;
/** The contract's text, read once per process. */
export function contractResourceText(): string {
  contractText ??= fs.readFileSync(CONTRACT_RESOURCE.file, 'utf8');
  return contractText;
}

/** How long clients may cache the lists and the contract: it changes only with a new image. */
export const CACHE_TTL_MS = 300_000;

function text(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
    structuredContent: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined,
  };
}

/** Times a tool handler and reports its outcome; turns failures into `isError` results. */
function instrument<A>(
  ctx: ToolContext,
  tool: string,
  fn: (args: A, extra: ServerContext) => Promise<CallToolResult>,
): (args: A, extra: ServerContext) => Promise<CallToolResult> {
  return async (args, extra) => {
    const start = performance.now();
    let result: CallToolResult;
    let outcome: ToolOutcome['result'] = 'success';
    let error: string | undefined;
    try {
      result = await fn(args, extra);
    } catch (err) {
      if (err instanceof ToolFailure) {
        outcome = err.errorType;
        error = err.message;
        result = { content: [{ type: 'text', text: err.publicMessage }], isError: true };
      } else {
        outcome = 'internal_error';
        error = errorMessage(err);
        result = { content: [{ type: 'text', text: 'internal error' }], isError: true };
      }
    }
    if (result.isError && outcome === 'success') outcome = 'tool_error';
    ctx.onToolFinished({
      requestId: extra.mcpReq.id,
      tool,
      durationMs: performance.now() - start,
      result: outcome,
      error,
      resultSize: Buffer.byteLength(JSON.stringify(result)),
    });
    return result;
  };
}

function dependencyFailure(what: string, err: unknown): ToolFailure {
  const timeout = err instanceof TimeoutError || (err as { code?: string })?.code === '57014';
  return new ToolFailure(
    timeout ? 'timeout' : 'dependency_error',
    `${what}: ${errorMessage(err, 300)}`,
    timeout ? `${what} timed out` : `${what} unavailable`,
  );
}

/**
 * Input schemas, built once per process (a server is created per request). The SDK publishes them
 * as JSON Schema 2020-12 (`$schema: https://json-schema.org/draft/2020-12/schema`) on both eras.
 */
const SCHEMAS = {
  echo: z.object({ text: z.string().max(10_000).describe('Text to return') }),
  serverTime: z.object({}),
  wait: z.object({
    duration_ms: z.number().int().min(0).max(MAX_WAIT_MS).describe('How long to wait, in milliseconds'),
  }),
  databaseTables: z.object({
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/)
      .default('public')
      .describe('Schema name'),
  }),
  cacheCounter: z.object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .describe('Counter name'),
  }),
};

/**
 * A new MCP server with the demonstration tools and the contract resource. The HTTP layer creates
 * one per request (stateless, both eras): nothing is shared between requests but the dependency
 * clients. It advertises only what it delivers: tools and resources, without `listChanged` or
 * `subscribe` (a stateless server has no stream to send those notifications on).
 */
export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer(ctx.serverInfo, {
    capabilities: { tools: { listChanged: false }, resources: { listChanged: false, subscribe: false } },
    instructions:
      'Reference MCP server of mcp-ops-cdk: demonstration tools, and its operational contract as a resource.',
    cacheHints: {
      'server/discover': ctx.cacheHint,
      'tools/list': ctx.cacheHint,
      'resources/list': ctx.cacheHint,
      'resources/templates/list': ctx.cacheHint,
      'resources/read': ctx.cacheHint,
    },
  });
  const admin = ctx.adminScope === undefined ? {} : { scopeChallenge: requireScopes(ctx.adminScope) };

  server.registerResource(
    CONTRACT_RESOURCE.name,
    CONTRACT_RESOURCE.uri,
    {
      title: 'Operational contract',
      description:
        'What the mcp-ops infrastructure expects from an MCP server: endpoints, environment, logs, metrics, shutdown.',
      mimeType: CONTRACT_RESOURCE.mimeType,
    },
    async (uri, extra) => {
      const contents = [{ uri: uri.href, mimeType: CONTRACT_RESOURCE.mimeType, text: contractResourceText() }];
      ctx.onResourceRead({ requestId: extra.mcpReq.id, resource: CONTRACT_RESOURCE.name, uri: uri.href });
      return { contents };
    },
  );

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Returns the text it is given.',
      inputSchema: SCHEMAS.echo,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    instrument<{ text: string }>(ctx, 'echo', async ({ text: t }) => ({ content: [{ type: 'text', text: t }] })),
  );

  server.registerTool(
    'server_time',
    {
      title: 'Server time',
      description: 'Returns the server clock as ISO 8601 UTC and as milliseconds since the epoch.',
      inputSchema: SCHEMAS.serverTime,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    instrument<unknown>(ctx, 'server_time', async () => {
      const now = new Date();
      return text({ iso: now.toISOString(), epoch_ms: now.getTime() });
    }),
  );

  server.registerTool(
    'wait',
    {
      title: 'Wait',
      description: `Waits the given time (at most ${MAX_WAIT_MS} ms), sending progress notifications once a second when the client asks for progress. Demonstrates a long-running call on a stream.`,
      inputSchema: SCHEMAS.wait,
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    instrument<{ duration_ms: number }>(ctx, 'wait', async ({ duration_ms }, extra) => {
      const token = extra.mcpReq._meta?.progressToken;
      const signal = extra.mcpReq.signal;
      const start = Date.now();
      const step = Math.min(1_000, Math.max(10, Math.ceil(duration_ms / 10)));
      while (Date.now() - start < duration_ms) {
        const left = duration_ms - (Date.now() - start);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(step, left));
          function done(): void {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          }
          signal.addEventListener('abort', done, { once: true });
        });
        if (signal.aborted) throw new ToolFailure('tool_error', 'wait cancelled');
        if (token !== undefined) {
          await extra.mcpReq
            .notify({
              method: 'notifications/progress',
              params: {
                progressToken: token,
                progress: Math.min(Date.now() - start, duration_ms),
                total: duration_ms,
                message: 'waiting',
              },
            })
            .catch(() => undefined);
        }
      }
      return text({ waited_ms: Date.now() - start });
    }),
  );

  if (ctx.database) {
    const db = ctx.database;
    server.registerTool(
      'database_tables',
      {
        title: 'Database tables',
        description: 'Lists the tables of a schema of the configured PostgreSQL database (read-only).',
        inputSchema: SCHEMAS.databaseTables,
        annotations: { readOnlyHint: true, openWorldHint: false },
        ...admin,
      },
      instrument<{ schema: string }>(ctx, 'database_tables', async ({ schema }) => {
        let rows: Array<{ table_name: string }>;
        try {
          ({ rows } = await db.pool.query<{ table_name: string }>(
            `SELECT table_name FROM information_schema.tables
            WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name LIMIT 1000`,
            [schema],
          ));
        } catch (err) {
          throw dependencyFailure('database', err);
        }
        return text({ schema, tables: rows.map((r) => r.table_name) });
      }),
    );
  }

  if (ctx.cache) {
    const cache = ctx.cache;
    server.registerTool(
      'cache_counter',
      {
        title: 'Cache counter',
        description: 'Increments a named counter in the configured Valkey/Redis cache and returns its new value.',
        inputSchema: SCHEMAS.cacheCounter,
        annotations: { readOnlyHint: false, idempotentHint: false, openWorldHint: false },
        ...admin,
      },
      instrument<{ name: string }>(ctx, 'cache_counter', async ({ name }) => {
        let value: number;
        try {
          value = await withTimeout(() => cache.client.incr(`mcp:counter:${name}`), 2_000);
        } catch (err) {
          throw dependencyFailure('cache', err);
        }
        return text({ name, value });
      }),
    );
  }

  return server;
}
