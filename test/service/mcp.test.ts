import * as http from 'http';
import { ProtocolError, SdkHttpError } from '@modelcontextprotocol/client';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { LEGACY_PROTOCOL_VERSIONS, contractResourceText } from '../../service/src';
import {
  LEGACY,
  LogLine,
  MODERN,
  TestServer,
  envelope,
  modernRequest,
  postMcp,
  rpcMessages,
  startTestServer,
} from './helpers';

const CONTRACT_FIELDS = ['timestamp', 'level', 'service', 'log_type', 'message'];
const CONTRACT_URI = 'mcp-ops://docs/operational-contract.md';

/** EMF metric names and dimension sets of the documents among `lines`. */
function emfDirectives(lines: LogLine[]): Array<{ names: string[]; dims: string[][]; doc: LogLine }> {
  return lines
    .filter((l) => l.event === 'metrics' && l._aws !== undefined)
    .flatMap((doc) =>
      (
        doc._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }
      ).CloudWatchMetrics.map((d) => ({ names: d.Metrics.map((m) => m.Name), dims: d.Dimensions, doc })),
    );
}

describe('reference MCP server over Streamable HTTP, both protocol eras (no dependencies, no auth)', () => {
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

  test('a 2026-07-28-only client (2.x SDK, pinned) discovers the server, lists and calls tools, reads the contract', async () => {
    const client = await t.client();
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()).toMatchObject({ name: 'test-mcp', version: expect.stringMatching(/^\d+\.\d+/) });
    // Only what it delivers: no listChanged or subscribe a stateless server could never send.
    expect(client.getServerCapabilities()).toEqual({
      tools: { listChanged: false },
      resources: { listChanged: false, subscribe: false },
    });

    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(['echo', 'server_time', 'wait']);
    for (const tool of tools) expect(tool.inputSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');

    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'héllo' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'héllo' }]);
    const time = await client.callTool({ name: 'server_time', arguments: {} });
    const sc = time.structuredContent as { iso: string; epoch_ms: number };
    expect(new Date(sc.iso).getTime()).toBe(sc.epoch_ms);

    const { resources } = await client.listResources();
    expect(resources).toEqual([expect.objectContaining({ uri: CONTRACT_URI, mimeType: 'text/markdown' })]);
    const read = await client.readResource({ uri: CONTRACT_URI });
    expect(read.contents).toEqual([{ uri: CONTRACT_URI, mimeType: 'text/markdown', text: contractResourceText() }]);

    // Logs name the revision; without auth client_id is the client's own name from the _meta envelope.
    expect(await t.waitForLine((l) => l.event === 'request_completed' && l.method === 'server/discover')).toMatchObject(
      { protocol_version: MODERN, client_id: 'jest-client', session_id: null },
    );
    expect(await t.waitForLine((l) => l.event_type === 'resource_read')).toMatchObject({
      log_type: 'audit',
      action: 'resources/read',
      resource: `resource:${CONTRACT_URI}`,
      result: 'success',
      protocol_version: MODERN,
    });
    await t.waitForLine((l) => l.event === 'metrics' && l.resources_accessed_total === 1);
    expect(emfDirectives(t.lines)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          names: ['resources_accessed_total'],
          dims: [['service', 'resource']],
          doc: expect.objectContaining({ resource: 'operational-contract', protocol_version: MODERN }),
        }),
      ]),
    );
  });

  test('a 2025-11-25-only client (1.x SDK) initializes and uses the same endpoint', async () => {
    const client = await t.legacyClient();
    expect(client.getServerCapabilities()).toEqual({
      tools: { listChanged: false },
      resources: { listChanged: false, subscribe: false },
    });
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toEqual(['echo', 'server_time', 'wait']);
    for (const tool of tools) expect(tool.inputSchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'legacy' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'legacy' }]);
    const read = await client.readResource({ uri: CONTRACT_URI });
    expect(read.contents[0]).toMatchObject({ uri: CONTRACT_URI, text: contractResourceText() });

    // initialize is logged with the revision it negotiated; later requests with their header's.
    expect(await t.waitForLine((l) => l.event === 'request_completed' && l.method === 'initialize')).toMatchObject({
      protocol_version: LEGACY,
      client_id: 'jest-legacy-client',
    });
    const call = await t.waitForLine(
      (l) => l.event === 'tool_call_completed' && l.tool === 'echo' && l.protocol_version === LEGACY,
    );
    expect(call.client_id).toBeNull(); // a 2025 request names its client only in initialize
  });

  test('list results of the 2026-07-28 revision carry resultType, ttlMs, cacheScope and serverInfo; 2025 results do not', async () => {
    const { body, headers } = modernRequest('tools/list');
    const modern = await postMcp(t.address.mcpUrl, body, headers);
    expect(modern.status).toBe(200);
    expect(modern.headers.get('content-type')).toContain('application/json');
    expect(await modern.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: {
        resultType: 'complete',
        ttlMs: 300_000,
        cacheScope: 'public',
        _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'test-mcp' } },
      },
    });
    const discover = modernRequest('server/discover');
    const d = await postMcp(t.address.mcpUrl, discover.body, discover.headers);
    expect(await d.json()).toMatchObject({
      result: { supportedVersions: [MODERN], ttlMs: 300_000, cacheScope: 'public', resultType: 'complete' },
    });

    const legacy = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { 'mcp-protocol-version': LEGACY },
    );
    const [message] = rpcMessages(legacy.headers.get('content-type'), await legacy.text());
    expect(message.result).not.toHaveProperty('ttlMs');
    expect(message.result).not.toHaveProperty('resultType');
  });

  test.each([
    ['an Mcp-Name that is not the tool of the body', { 'mcp-name': 'server_time' }],
    ['a missing Mcp-Method', { 'mcp-method': undefined }],
    ['an Mcp-Method that is not the method of the body', { 'mcp-method': 'tools/list' }],
    ['an MCP-Protocol-Version that is not the one of the _meta envelope', { 'mcp-protocol-version': LEGACY }],
  ])('%s is a 400 HeaderMismatch (-32020), logged as a protocol_error with the revision', async (_name, override) => {
    const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: { text: 'x' } }, override);
    const res = await postMcp(t.address.mcpUrl, body, headers);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32020 } });
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ status_code: 400, error_type: 'protocol_error', method: 'tools/call' });
    // The tool never ran.
    expect(t.events('tool_call_completed').filter((l) => l.request_id === failed.request_id)).toEqual([]);
  });

  test('an unsupported revision is a 400 UnsupportedProtocolVersion (-32022) naming the supported ones', async () => {
    const body = { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { _meta: envelope('2099-01-01') } };
    const res = await postMcp(t.address.mcpUrl, body, {
      'mcp-protocol-version': '2099-01-01',
      'mcp-method': 'tools/list',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      jsonrpc: '2.0',
      id: 5,
      error: {
        code: -32022,
        message: expect.stringContaining('2099-01-01'),
        data: { supported: [MODERN], requested: '2099-01-01' },
      },
    });
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ protocol_version: '2099-01-01', error_type: 'protocol_error' });
    // The metric label of an unknown revision is bounded.
    const doc = await t.waitForLine(
      (l) => l.event === 'metrics' && l.method === 'tools/list' && l.protocol_version === 'other',
    );
    expect(doc.mcp_requests_total).toBe(1);
  });

  test('an unknown method is a 404 with -32601, which the 2.x client surfaces as an HTTP error', async () => {
    const client = await t.client();
    await expect(client.request({ method: 'prompts/list' })).rejects.toBeInstanceOf(SdkHttpError);
    const { body, headers } = modernRequest('no/such/method');
    const res = await postMcp(t.address.mcpUrl, body, headers);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: -32601 } });
  });

  test('a 2025 request with an unknown revision header is refused with 400 listing the 2025 revisions', async () => {
    const res = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { 'mcp-protocol-version': '1999-01-01' },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(LEGACY);
  });

  test('a 2025 request for an unknown method is a JSON-RPC error on the SSE stream, logged as a failed request', async () => {
    const res = await postMcp(
      t.address.mcpUrl,
      { jsonrpc: '2.0', id: 9, method: 'no/such/method' },
      { 'mcp-protocol-version': LEGACY },
    );
    expect(res.status).toBe(200);
    const [msg] = rpcMessages(res.headers.get('content-type'), await res.text());
    expect(msg).toMatchObject({ id: 9, error: { code: -32601 } });
    expect(
      await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id')),
    ).toMatchObject({ method: 'no/such/method', error_type: 'protocol_error', protocol_version: LEGACY });
    expect(
      await t.waitForLine((l) => l.event === 'metrics' && l.method === 'other' && l.protocol_version === LEGACY),
    ).toMatchObject({ error_type: 'protocol_error', mcp_errors_total: 1 });
  });

  test('the served revisions are the 2026-07-28 one and the SDK 2025 ones the contract lists', () => {
    expect([...LEGACY_PROTOCOL_VERSIONS]).toEqual(SUPPORTED_PROTOCOL_VERSIONS);
  });

  test.each([
    ['2026-07-28 (2.x client)', 'modern'],
    ['2025-11-25 (1.x client)', 'legacy'],
  ])('on %s a long tool call streams progress notifications before its result', async (_name, era) => {
    const progress: number[] = [];
    const onprogress = (p: { progress: number }): void => {
      progress.push(p.progress);
    };
    // 600 ms in steps of 60 ms: at least two notifications unless one timer runs 540 ms late.
    const params = { name: 'wait', arguments: { duration_ms: 600 } };
    const result =
      era === 'modern'
        ? await (await t.client()).callTool(params, { onprogress })
        : await (await t.legacyClient()).callTool(params, undefined, { onprogress });
    expect((result.structuredContent as { waited_ms: number }).waited_ms).toBeGreaterThanOrEqual(600);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[progress.length - 1]).toBe(600);
  });

  test.each([
    ['2025-11-25', () => ({ body: waitCall(), headers: { 'mcp-protocol-version': LEGACY } })],
    [
      '2026-07-28',
      () => {
        const r = modernRequest('tools/call', { name: 'wait', arguments: { duration_ms: 300 } }, {}, 7);
        (r.body.params as { _meta: Record<string, unknown> })._meta.progressToken = 'p1';
        return r;
      },
    ],
  ])('on %s a streamed tool call carries SSE keep-alive comments at KEEPALIVE_INTERVAL_MS', async (_v, make) => {
    const { body, headers } = make();
    const res = await postMcp(t.address.mcpUrl, body, headers);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    expect(text).toMatch(/^:.*\n\n/m);
    expect(rpcMessages(res.headers.get('content-type'), text).pop()).toMatchObject({
      id: 7,
      result: { structuredContent: { waited_ms: expect.any(Number) } },
    });
  });

  test('every request logs started and completed lines with the contract fields, plus EMF metrics per method, revision and tool', async () => {
    const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: { text: 'x' } });
    const res = await postMcp(t.address.mcpUrl, body, {
      ...headers,
      'x-request-id': 'req-123.abc_Z',
      'user-agent': 'probe/1.0',
      'x-forwarded-for': '203.0.113.9, 198.51.100.7',
    });
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
        protocol_version: MODERN,
        client_id: 'raw-client',
      }),
    ]);
    expect(completed).toMatchObject({
      method: 'tools/call',
      tool: 'echo',
      status_code: 200,
      duration_ms: expect.any(Number),
      result_size: expect.any(Number),
      protocol_version: MODERN,
    });
    expect(completed.result_size).toBeGreaterThan(0);
    expect(t.events('tool_call_completed', 'req-123.abc_Z')).toEqual([
      expect.objectContaining({ tool: 'echo', duration_ms: expect.any(Number) }),
    ]);

    expect(t.events('tool_call', 'req-123.abc_Z')).toEqual([
      {
        timestamp: expect.any(String),
        level: 'INFO',
        service: 'test-mcp',
        log_type: 'audit',
        message: expect.any(String),
        event_type: 'tool_call',
        principal: 'anonymous',
        client_id: 'raw-client',
        action: 'tools/call',
        resource: 'tool:echo',
        result: 'success',
        source_ip: '198.51.100.7',
        user_agent: 'probe/1.0',
        request_id: 'req-123.abc_Z',
        protocol_version: MODERN,
      },
    ]);

    const doc = await t.waitForLine((l) => l.event === 'metrics' && l.tool === 'echo' && l.tools_executed_total === 1);
    expect(doc).toMatchObject({
      service: 'test-mcp',
      method: 'tools/call',
      protocol_version: MODERN,
      mcp_requests_total: 1,
      mcp_request_duration_seconds: expect.any(Number),
    });
    expect(emfDirectives([doc]).map((d) => [d.names, d.dims])).toEqual([
      [
        ['mcp_requests_total', 'mcp_request_duration_seconds'],
        [['service'], ['service', 'method'], ['service', 'protocol_version'], ['service', 'tool']],
      ],
      [['tools_executed_total'], [['service', 'tool']]],
    ]);
  });

  test('a malformed X-Request-Id is replaced by a fresh UUID', async () => {
    const { body, headers } = modernRequest('tools/list');
    const res = await postMcp(t.address.mcpUrl, body, { ...headers, 'x-request-id': 'bad id with spaces' });
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
        expect.objectContaining({
          event: 'metrics',
          error_type: 'protocol_error',
          mcp_errors_total: 1,
          method: 'none',
        }),
      ]),
    );
  });

  test('JSON that is not JSON-RPC and a body that is not JSON are refused before any MCP code runs', async () => {
    const res = await postMcp(t.address.mcpUrl, { hello: 'world' });
    expect(res.status).toBe(400);
    await res.text();
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ error_type: 'protocol_error', status_code: 400 });

    const text = await fetch(t.address.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json, text/event-stream' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({
      error: { code: -32000, message: expect.stringContaining('application/json') },
    });
  });

  test('bad tool arguments are tool results with isError, unknown tools JSON-RPC errors; both validation errors, audited as failures', async () => {
    const client = await t.client();
    const bad = await client.callTool({ name: 'wait', arguments: { duration_ms: 10_000_000 } });
    expect(bad.isError).toBe(true);
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toBeInstanceOf(ProtocolError);
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
    // Nothing ran, so nothing counts as executed; the unknown name gets the bounded label.
    expect(
      t.lines.filter((l) => l.event === 'metrics' && l.tools_executed_total !== undefined && l.tool === 'nope'),
    ).toEqual([]);
    expect(await t.waitForLine((l) => l.event === 'metrics' && l.tool === 'other')).toMatchObject({
      method: 'tools/call',
      error_type: 'validation_error',
    });
  });

  test('a body over MAX_BODY_BYTES is refused with 413 before it reaches MCP', async () => {
    const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: { text: 'x'.repeat(8192) } });
    const res = await postMcp(t.address.mcpUrl, body, headers);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, message: expect.stringContaining('4096') },
      id: null,
    });
    const failed = await t.waitForLine(
      (l) => l.event === 'request_failed' && l.request_id === res.headers.get('x-request-id'),
    );
    expect(failed).toMatchObject({ status_code: 413, error_type: 'validation_error', protocol_version: MODERN });
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

  test('a foreign Origin is refused with 403 and audited on both revisions; an allowed Origin gets CORS headers', async () => {
    const { body, headers } = modernRequest('tools/list');
    for (const [b, h] of [
      [body, headers],
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': LEGACY }],
    ] as const) {
      const bad = await postMcp(t.address.mcpUrl, b, { ...h, origin: 'https://evil.example' });
      expect(bad.status).toBe(403);
      expect(await bad.json()).toMatchObject({ error: { message: 'Origin not allowed' } });
      const denied = await t.waitForLine(
        (l) => l.event_type === 'origin_denied' && l.request_id === bad.headers.get('x-request-id'),
      );
      expect(denied).toMatchObject({ log_type: 'audit', result: 'denied', origin: 'https://evil.example' });
      expect(
        await t.waitForLine((l) => l.event === 'request_failed' && l.request_id === bad.headers.get('x-request-id')),
      ).toMatchObject({ error_type: 'auth_error', status_code: 403 });
    }
    // The SDK clients cannot get past it either.
    await expect(t.client({ origin: 'https://evil.example' })).rejects.toThrow();
    await expect(t.legacyClient({ origin: 'https://evil.example' })).rejects.toThrow();

    const good = await postMcp(t.address.mcpUrl, body, { ...headers, origin: 'https://app.example.com' });
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    await good.text();

    const preflight = await fetch(t.address.mcpUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    const allowed = preflight.headers.get('access-control-allow-headers')!.split(', ');
    expect(allowed).toEqual(
      expect.arrayContaining(['MCP-Protocol-Version', 'Mcp-Method', 'Mcp-Name', 'Authorization', 'Content-Type']),
    );
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
});

function waitCall(): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: 7,
    method: 'tools/call',
    params: { name: 'wait', arguments: { duration_ms: 300 }, _meta: { progressToken: 'p1' } },
  };
}

describe('LOG_LEVEL', () => {
  test('ERROR keeps audit entries and metrics but drops INFO application lines', async () => {
    const t = await startTestServer({ LOG_LEVEL: 'ERROR' });
    try {
      const { body, headers } = modernRequest('tools/call', { name: 'echo', arguments: { text: 'x' } });
      const res = await postMcp(t.address.mcpUrl, body, headers);
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

describe('task samples', () => {
  test('mcp_active_connections counts an open stream; user_sessions_active counts distinct clients', async () => {
    const t = await startTestServer({}, { metricsIntervalMs: 20 });
    try {
      const res = await postMcp(
        t.address.mcpUrl,
        { ...waitCall(), params: { name: 'wait', arguments: { duration_ms: 1_000 } } },
        { 'mcp-protocol-version': LEGACY },
      );
      const sample = await t.waitForLine((l) => l.event === 'metrics' && l.mcp_active_connections === 1);
      expect((sample._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics).toEqual([
        {
          Namespace: 'McpOps',
          Dimensions: [['service']],
          Metrics: [
            { Name: 'mcp_active_connections', Unit: 'Count' },
            { Name: 'user_sessions_active', Unit: 'Count' },
          ],
        },
      ]);
      // Without auth the principals are the client addresses: one here.
      expect(sample.user_sessions_active).toBe(1);
      await res.text();
      await t.waitForLine((l) => l.event === 'metrics' && l.mcp_active_connections === 0);
    } finally {
      await t.stop();
    }
  });
});
