/**
 * The demonstration tools of the reference server and the MCP server factory. Every tool runs
 * inside {@link instrument}, which times it and reports its outcome to the request's observer
 * (for the `tool_call_*` log lines, the audit entry and the `tools_executed_total` metric).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { CallToolResult, RequestId, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
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

/** What the tools can use. */
export interface ToolContext {
  /** Server name and version announced in `initialize`. */
  readonly serverInfo: { readonly name: string; readonly version: string };
  readonly database?: Database;
  readonly cache?: Cache;
  /** Called once per executed tool. */
  readonly onToolFinished: (outcome: ToolOutcome) => void;
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

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function text(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
    structuredContent: typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined,
  };
}

/** Times a tool handler and reports its outcome; turns failures into `isError` results. */
function instrument<A>(ctx: ToolContext, tool: string, fn: (args: A, extra: Extra) => Promise<CallToolResult>) {
  return async (args: A, extra: Extra): Promise<CallToolResult> => {
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
      requestId: extra.requestId,
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

/** Input schemas, built once per process (a server is created per request). */
const SCHEMAS = {
  echo: { text: z.string().max(10_000).describe('Text to return') },
  serverTime: {},
  wait: { duration_ms: z.number().int().min(0).max(MAX_WAIT_MS).describe('How long to wait, in milliseconds') },
  databaseTables: {
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/)
      .default('public')
      .describe('Schema name'),
  },
  cacheCounter: {
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .describe('Counter name'),
  },
};

let validator: AjvJsonSchemaValidator | undefined;
function sharedValidator(): AjvJsonSchemaValidator {
  validator ??= new AjvJsonSchemaValidator();
  return validator;
}

/**
 * A new MCP server with the demonstration tools. The HTTP layer creates one per request
 * (stateless mode): nothing is shared between requests but the dependency clients.
 */
export function createMcpServer(ctx: ToolContext): McpServer {
  const server = new McpServer(ctx.serverInfo, {
    // One JSON-schema validator for the process: building an Ajv instance per request would cost
    // more than the request itself.
    jsonSchemaValidator: sharedValidator(),
    capabilities: { tools: {} },
    instructions: 'Reference MCP server of mcp-ops-cdk: demonstration tools only.',
  });

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
    instrument<Record<string, never>>(ctx, 'server_time', async () => {
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
      const token = extra._meta?.progressToken;
      const start = Date.now();
      const step = Math.min(1_000, Math.max(10, Math.ceil(duration_ms / 10)));
      while (Date.now() - start < duration_ms) {
        const left = duration_ms - (Date.now() - start);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(step, left));
          function done(): void {
            clearTimeout(timer);
            extra.signal.removeEventListener('abort', done);
            resolve();
          }
          extra.signal.addEventListener('abort', done, { once: true });
        });
        if (extra.signal.aborted) throw new ToolFailure('tool_error', 'wait cancelled');
        if (token !== undefined) {
          await extra
            .sendNotification({
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
