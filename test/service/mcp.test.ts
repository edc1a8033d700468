import * as http from 'http';
import { ListResourcesResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { LogLine, TestServer, postMcp, rpcMessages, startTestServer } from './helpers';

const CONTRACT_FIELDS = ['timestamp', 'level', 'service', 'log_type', 'message'];

describe('reference MCP server over Streamable HTTP (no dependencies, no auth)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      ALLOWED_ORIGINS: 'https://app.example.com',
      MAX_BODY_BYTES: '4096',
      KEEPALIVE_INTERVAL_MS: '40',
    });
  });
  afterAll(async () => {
    await t.stop();
  });

  test('the SDK client initializes, lists the demonstration tools and calls them', async () => {
    const client = await t.client();
    expect(client.getServerVersion()).toMatchObject({
      name: 'test-mcp',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name).sort()).toEqual(['echo', 'server_time', 'wait']);

    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'héllo' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'héllo' }]);
    expect(echoed.isError).toBeFalsy();

    const time = await client.callTool({ name: 'server_time', arguments: {} });
    const sc = time.structuredContent as { iso: string; epoch_ms: number };
    expect(new Date(sc.iso).getTime()).toBe(sc.epoch_ms);

    // Without auth, client_id is the MCP client's clientInfo.name where the request carries it.
    expect(await t.waitForLine((l) => l.event === 'request_completed' && l.method === 'initialize')).toMatchObject({
      client_id: 'jest-client',
      session_id: null,
    });
  });

  test('a long tool call streams progress notifications before its result', async () => {
    const client = await t.client();
    const progress: number[] = [];
    // 600 ms in steps of 60 ms: at least two notifications unless one timer runs 540 ms late.
    const result = await client.callTool({ name: 'wait', arguments: { duration_ms: 600 } }, undefined, {
      onprogress: (p) => {
        progress.push(p.progress);
      },
    });
    expect((result.structuredContent as { waited_ms: number }).waited_ms).toBeGreaterThanOrEqual(600);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[progress.length - 1]).toBe(600);
  });

  test('open streams carry SSE keep-alive comments at KEEPALIVE_INTERVAL_MS', async () => {
    const res = await postMcp(t.address.mcpUrl, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'wait', arguments: { duration_ms: 300 } },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toContain(': keepalive\n\n');
    expect(rpcMessages(res.headers.get('content-type'), text).pop()).toMatchObject({
      id: 7,
      result: { structuredContent: { waited_ms: expect.any(Number) } },
    });
  });

  test('every request logs started and completed lines with the contract fields, plus EMF metrics', async () => {
    const res = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } },
      { 'x-request-id': 'req-123.abc_Z', 'user-agent': 'probe/1.0', 'x-forwarded-for': '203.0.113.9, 198.51.100.7' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-123.abc_Z');
    await res.text();
    const completed = await t.waitForLine((l) => l.event === 'request_completed' && l.request_id === 'req-123.abc_Z');

    for (const line of t.lines) for (const f of CONTRACT_FIELDS) expect(line).toHaveProperty(f);
    for (const line of t.lines) expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    expect(t.events('request_started', 'req-123.abc_Z')).toEqual([
      expect.objectContaining({
        log_type: 'app',
        level: 'INFO',
        service: 'test-mcp',
        method: 'tools/call',
        tool: 'echo',
        session_id: null,
      }),
    ]);
    expect(completed).toMatchObject({
      method: 'tools/call',
      tool: 'echo',
      status_code: 200,
      duration_ms: expect.any(Number),
      result_size: expect.any(Number),
    });
    expect(completed.result_size).toBeGreaterThan(0);
    expect(t.events('tool_call_completed', 'req-123.abc_Z')).toEqual([
      expect.objectContaining({ tool: 'echo', duration_ms: expect.any(Number) }),
    ]);

    const audit = t.events('tool_call', 'req-123.abc_Z');
    expect(audit).toEqual([
      {
        timestamp: expect.any(String),
        level: 'INFO',
        service: 'test-mcp',
        log_type: 'audit',
        message: expect.any(String),
        event_type: 'tool_call',
        principal: 'anonymous',
        action: 'tools/call',
        resource: 'tool:echo',
        result: 'success',
        source_ip: '198.51.100.7',
        user_agent: 'probe/1.0',
        request_id: 'req-123.abc_Z',
      },
    ]);

    const emf = t.lines.filter((l) => l.event === 'metrics' && l._aws !== undefined);
    const names = emf.flatMap((l) =>
      (l._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics.flatMap((d) =>
        d.Metrics.map((m) => m.Name),
      ),
    );
    expect(names).toEqual(
      expect.arrayContaining(['mcp_requests_total', 'mcp_request_duration_seconds', 'tools_executed_total']),
    );
    expect(emf).toEqual(expect.arrayContaining([expect.objectContaining({ tool: 'echo', tools_executed_total: 1 })]));
  });

  test('a malformed X-Request-Id is replaced by a fresh UUID', async () => {
    const res = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'x-request-id': 'bad id with spaces' },
    );
    await res.text();
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('invalid JSON is a 400 parse error, logged as a protocol_error', async () => {
    const res = await postMcp(t.address.mcpUrl, '{"jsonrpc": "2.0", "id": 1, "method": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: expect.stringContaining('Parse error') },
      id: null,
    });
    const id = res.headers.get('x-request-id')!;
    const failed = await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === id);
    expect(failed).toMatchObject({ level: 'WARN', status_code: 400, error_type: 'protocol_error' });
    expect(t.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'metrics', error_type: 'protocol_error', mcp_errors_total: 1 }),
      ]),
    );
  });

  test('JSON that is not JSON-RPC is rejected by the transport with a 400', async () => {
    const res = await postMcp(t.address.mcpUrl, { hello: 'world' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number } };
    expect(body.error.code).toBe(-32700);
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ error_type: 'protocol_error', status_code: 400 });
  });

  test('an unknown method is a JSON-RPC error -32601, logged as a failed request', async () => {
    const res = await postMcp(t.address.mcpUrl, { jsonrpc: '2.0', id: 9, method: 'no/such/method' });
    expect(res.status).toBe(200);
    const [msg] = rpcMessages(res.headers.get('content-type'), await res.text());
    expect(msg).toMatchObject({ id: 9, error: { code: -32601 } });
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ method: 'no/such/method', error_type: 'protocol_error' });
  });

  test('bad tool arguments and unknown tools are tool results with isError, logged as validation errors and audited as failures', async () => {
    const client = await t.client();
    const bad = await client.callTool({ name: 'wait', arguments: { duration_ms: 10_000_000 } });
    expect(bad.isError).toBe(true);
    const unknown = await client.callTool({ name: 'nope', arguments: {} });
    expect(unknown.isError).toBe(true);
    const failedWait = await t.waitForLine((l) => l.event === 'tool_call_failed' && l.tool === 'wait');
    expect(failedWait).toMatchObject({ error_type: 'validation_error', error: expect.stringContaining('duration_ms') });
    await t.waitForLine(
      (l) => l.event === 'tool_call_failed' && l.tool === 'nope' && l.error_type === 'validation_error',
    );
    expect(t.events('tool_call')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'tool:nope', result: 'failure', error_type: 'validation_error' }),
      ]),
    );
    // Nothing ran, so nothing counts as executed.
    expect(t.lines.filter((l) => l.event === 'metrics' && l.tool === 'nope')).toEqual([]);
  });

  test('a body over MAX_BODY_BYTES is refused with 413 before it reaches MCP', async () => {
    const big = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 'x'.repeat(8192) } },
    };
    const res = await postMcp(t.address.mcpUrl, big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, message: expect.stringContaining('4096') },
      id: null,
    });
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ status_code: 413, error_type: 'validation_error' });
    expect(t.events('tool_call_completed').filter((l) => l.request_id === res.headers.get('x-request-id'))).toEqual([]);
  });

  test('a chunked body (no Content-Length) is cut off at MAX_BODY_BYTES with 413 too', async () => {
    const url = new URL(t.address.mcpUrl);
    const { status, requestId } = await new Promise<{ status: number; requestId: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, requestId: String(res.headers['x-request-id']) }));
        },
      );
      req.on('error', reject);
      req.write('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"');
      for (let i = 0; i < 8; i++) req.write('x'.repeat(1024));
      req.end('"}}}');
    });
    expect(status).toBe(413);
    expect(await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === requestId)).toMatchObject({
      status_code: 413,
      error_type: 'validation_error',
    });
  });

  test('a request with a foreign Origin is refused with 403 and audited; an allowed Origin gets CORS headers', async () => {
    const bad = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { origin: 'https://evil.example' },
    );
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ error: { message: 'Origin not allowed' } });
    const denied = await t.waitForLine(
      (l) => l.event_type === 'origin_denied' && l.request_id === bad.headers.get('x-request-id'),
    );
    expect(denied).toMatchObject({ log_type: 'audit', result: 'denied', origin: 'https://evil.example' });
    expect(
      await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === bad.headers.get('x-request-id')),
    ).toMatchObject({ error_type: 'auth_error', status_code: 403 });

    const good = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { origin: 'https://app.example.com' },
    );
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    await good.text();

    const preflight = await fetch(t.address.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Mcp-Protocol-Version');
  });

  test('GET and DELETE are 405: the server is stateless and keeps no server-initiated streams', async () => {
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(t.address.mcpUrl, { method, headers: { accept: 'text/event-stream' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      await res.text();
    }
  });

  test('liveness is 200, readiness with no dependency configured is 200 with no checks, other paths are 404', async () => {
    const live = await fetch(`${t.address.url}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.address.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: {} });
    expect((await fetch(`${t.address.url}/nope`)).status).toBe(404);
    // Without auth there is no protected-resource metadata.
    expect((await fetch(`${t.address.url}/.well-known/oauth-protected-resource`)).status).toBe(404);
  });

  test('the SDK client surfaces a JSON-RPC error for an unknown method as McpError', async () => {
    const client = await t.client();
    await expect(client.request({ method: 'resources/list' }, ListResourcesResultSchema)).rejects.toBeInstanceOf(
      McpError,
    );
  });
});

describe('LOG_LEVEL', () => {
  test('ERROR keeps audit entries and metrics but drops INFO application lines', async () => {
    const t = await startTestServer({ LOG_LEVEL: 'ERROR' });
    try {
      const res = await postMcp(t.address.mcpUrl, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'x' } },
      });
      await res.text();
      await t.waitForLine((l) => l.event_type === 'tool_call');
      await t.waitForLine((l) => l.event === 'metrics');
      expect(
        t.lines.filter((l: LogLine) => l.level === 'INFO' && l.log_type === 'app' && l.event !== 'metrics'),
      ).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

describe('HTTP keep-alive', () => {
  test('idle connections outlive the load balancer idle timeout (120 s)', async () => {
    const t = await startTestServer();
    try {
      const s: http.Server = t.server.httpServer;
      expect(s.keepAliveTimeout).toBeGreaterThan(120_000);
      expect(s.headersTimeout).toBeGreaterThan(s.keepAliveTimeout);
    } finally {
      await t.stop();
    }
  });
});

describe('mcp_active_connections', () => {
  test('is sampled periodically and counts an open stream', async () => {
    const t = await startTestServer({}, { metricsIntervalMs: 20 });
    try {
      const res = await postMcp(t.address.mcpUrl, {
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'wait', arguments: { duration_ms: 1_000 } },
      });
      const sample = await t.waitForLine((l) => l.event === 'metrics' && l.mcp_active_connections === 1);
      expect((sample._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics).toEqual([
        {
          Namespace: 'McpOps',
          Dimensions: [['service']],
          Metrics: [{ Name: 'mcp_active_connections', Unit: 'Count' }],
        },
      ]);
      await res.text();
      await t.waitForLine((l) => l.event === 'metrics' && l.mcp_active_connections === 0);
    } finally {
      await t.stop();
    }
  });
});
