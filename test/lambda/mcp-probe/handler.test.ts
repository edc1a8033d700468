import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { metricDataFor, probeConfigFromEnv, runProbe, type ProbeResult } from '../../../lambda/mcp-probe';
import { createServer, loadConfig } from '../../../service/src';
import { cwMock, FIXED_TIME, invoke, metric, probeHandler } from './harness';
import {
  closedPortUrl,
  startHttpErrorServer,
  startJsonRpcErrorServer,
  startMcpServer,
  startModernServer,
  startNonMcpServer,
  startOldRevisionServer,
  startSlowServer,
  type Fault,
  type TestServer,
} from './servers';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function track<T extends TestServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

describe('revisions: the probe negotiates the newest revision the server offers and falls back', () => {
  test('a 2026-07-28-only server (2.x SDK): server/discover, no initialize; revision 2026-07-28 in the metrics', async () => {
    const server = await track(startModernServer('reject'));
    const { result, input, logs } = await invoke({
      MCP_ENDPOINT_URL: server.url,
      PROBE_TOOL_NAME: 'status',
      PROBE_TOOL_ARGUMENTS: '{"verbose":true}',
    });
    expect(result).toMatchObject({
      success: true,
      stage: 'done',
      protocolVersion: '2026-07-28',
      serverName: 'probe-test-server-v2',
      toolCount: 2,
    });
    expect(Object.keys(result.steps)).toEqual(['connect', 'tools/list', 'tools/call']);
    expect(server.seen).toEqual(['server/discover', 'tools/list', 'tools/call']);
    expect(server.eras.every((e) => e === 'modern')).toBe(true);

    expect(input.Namespace).toBe('McpOps');
    // The alarm's series: service alone, unchanged.
    expect(metric(input, 'ProbeSuccess')).toEqual({
      MetricName: 'ProbeSuccess',
      Dimensions: [{ Name: 'service', Value: 'orders-mcp' }],
      Value: 1,
      Unit: 'None',
      Timestamp: FIXED_TIME,
    });
    expect(metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: '2026-07-28' })?.Value).toBe(1);
    const latency = metric(input, 'ProbeLatencyMs');
    expect(latency).toMatchObject({ Unit: 'Milliseconds', Value: result.latencyMs });
    expect(latency?.Value).toBeGreaterThan(0);
    expect(metric(input, 'ProbeLatencyMs', { service: 'orders-mcp', protocol_version: '2026-07-28' })?.Value).toBe(
      result.latencyMs,
    );
    expect(input.MetricData?.some((m) => m.MetricName === 'ProbeFailure')).toBe(false);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        extra: expect.objectContaining({ event: 'probe_succeeded', tool: 'status', protocol_version: '2026-07-28' }),
      }),
    ]);
  });

  test('a 2025-11-25-only server (1.x SDK): the discover probe falls back to initialize; revision 2025-11-25', async () => {
    const server = await track(startMcpServer('stateless'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TOOL_NAME: 'status' });
    expect(result).toMatchObject({ success: true, stage: 'done', protocolVersion: '2025-11-25', toolCount: 2 });
    expect(server.seen.slice(0, 3)).toEqual(['server/discover', 'initialize', 'notifications/initialized']);
    expect(server.seen).toEqual(expect.arrayContaining(['tools/list', 'tools/call']));
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(1);
    expect(metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: '2025-11-25' })?.Value).toBe(1);
  });

  test('a dual server (2.x SDK, both eras on one endpoint): the newest, 2026-07-28', async () => {
    const server = await track(startModernServer('stateless'));
    const { result } = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TOOL_NAME: 'status' });
    expect(result).toMatchObject({ success: true, protocolVersion: '2026-07-28' });
    expect(server.seen).not.toContain('initialize');
    expect(server.eras).not.toContain('legacy');
  });

  test('the reference server (service/, through its factory): success with a tool call, at the newest revision it serves', async () => {
    const server = createServer(loadConfig({ SERVICE_NAME: 'probe-ref', LOG_LEVEL: 'ERROR' }), {
      log: () => undefined,
      metricsIntervalMs: 0,
    });
    const { mcpUrl } = await server.listen(0, '127.0.0.1');
    try {
      const { result, input } = await invoke({
        MCP_ENDPOINT_URL: mcpUrl,
        PROBE_TOOL_NAME: 'echo',
        PROBE_TOOL_ARGUMENTS: '{"text":"probe"}',
      });
      expect(result).toMatchObject({ success: true, stage: 'done' });
      // The reference server serves both revisions: the probe negotiates the newest.
      expect(result.protocolVersion).toBe('2026-07-28');
      expect(
        metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: result.protocolVersion! })?.Value,
      ).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('a server older than 2025-11-25: the revision it answers (2025-03-26) is used and reported', async () => {
    const server = await track(startOldRevisionServer('2025-03-26'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: true, protocolVersion: '2025-03-26', toolCount: 1 });
    expect(metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: '2025-03-26' })?.Value).toBe(1);
  });

  test('a revision the SDK does not speak: unsupported_version', async () => {
    const server = await track(startOldRevisionServer('2023-01-01'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'unsupported_version' });
    expect(result.error).toContain('2023-01-01');
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'unsupported_version' })?.Value).toBe(1);
    expect(metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: 'none' })?.Value).toBe(0);
  });
});

describe('sessions (issue 10): a session-keeping server is left with no open session on every path', () => {
  const cases: Array<[string, Fault | undefined, Record<string, string>, Partial<ProbeResult>]> = [
    ['success', undefined, { PROBE_TOOL_NAME: 'status' }, { success: true, stage: 'done' }],
    [
      'JSON-RPC error on tools/list',
      { method: 'tools/list', jsonRpcError: { code: -32603, message: 'backend exploded' } },
      {},
      { errorType: 'protocol', stage: 'tools/list', errorCode: -32603 },
    ],
    ['HTTP 500 on tools/list', { method: 'tools/list', httpStatus: 500 }, {}, { errorType: 'http', errorCode: 500 }],
    [
      'tools/list hangs past the budget',
      { method: 'tools/list', hang: true },
      { PROBE_TIMEOUT_MS: '500' },
      { errorType: 'timeout', stage: 'tools/list' },
    ],
    [
      'tools/call hangs past the budget',
      { method: 'tools/call', hang: true },
      { PROBE_TIMEOUT_MS: '500', PROBE_TOOL_NAME: 'status' },
      { errorType: 'timeout', stage: 'tools/call' },
    ],
    ['configured tool missing', undefined, { PROBE_TOOL_NAME: 'nope' }, { errorType: 'tool_missing' }],
    ['tool returns isError', undefined, { PROBE_TOOL_NAME: 'broken' }, { errorType: 'tool_error' }],
    [
      'the handshake fails after initialize issued the session (SDK closes its transport)',
      { method: 'notifications/initialized', httpStatus: 500 },
      {},
      { errorType: 'http', stage: 'connect', errorCode: 500 },
    ],
  ];
  test.each(cases)('%s: DELETE sent, no session left open', async (_name, fault, env, expected) => {
    const server = await track(startMcpServer('stateful', { fault }));
    const { result } = await invoke({ MCP_ENDPOINT_URL: server.url, ...env });
    expect(result).toMatchObject({ success: expected.success ?? false, ...expected });
    expect(server.created()).toBe(1);
    expect(server.deletes()).toBe(1);
    expect(server.openSessions()).toBe(0);
    expect(result.session).toMatchObject({ deleteStatus: 200 });
    expect(result.session?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('repeated failing probes do not accumulate sessions', async () => {
    const server = await track(startMcpServer('stateful', { fault: { method: 'tools/list', httpStatus: 502 } }));
    const handler = probeHandler({ MCP_ENDPOINT_URL: server.url });
    for (let i = 0; i < 3; i++) {
      const { result } = await invoke({}, handler);
      expect(result.errorType).toBe('http');
    }
    expect(server.created()).toBe(3);
    expect(server.openSessions()).toBe(0);
  });

  test('a stateless server issues no session: nothing to DELETE', async () => {
    const server = await track(startMcpServer('stateless'));
    const { result } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result.success).toBe(true);
    expect(result.session).toBeUndefined();
    expect(server.seen).not.toContain('DELETE');
  });
});

describe('failure reasons', () => {
  test('server down (connection refused): success 0, no latency, reason connection', async () => {
    const { result, input, logs } = await invoke({ MCP_ENDPOINT_URL: await closedPortUrl() });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'connection' });
    expect(result.error).toContain('ECONNREFUSED');
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
    expect(metric(input, 'ProbeSuccess', { service: 'orders-mcp', protocol_version: 'none' })?.Value).toBe(0);
    expect(metric(input, 'ProbeLatencyMs')).toBeUndefined();
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'connection' })).toMatchObject({
      Value: 1,
      Unit: 'Count',
    });
    expect(logs[0]).toMatchObject({
      level: 'WARN',
      extra: { event: 'probe_failed', error_type: 'connection', stage: 'connect' },
    });
  });

  test('server slower than the budget: reason timeout, the probe gives up at its budget', async () => {
    const server = await track(startSlowServer());
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TIMEOUT_MS: '300' });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'timeout' });
    expect(server.seen).toEqual(['server/discover']);
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'timeout' })?.Value).toBe(1);
  });

  test('a JSON-RPC error to everything: reason protocol with the JSON-RPC code', async () => {
    const server = await track(startJsonRpcErrorServer(-32603, 'internal error: backend exploded'));
    const { result } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'protocol', errorCode: -32603 });
    expect(result.error).toContain('backend exploded');
  });

  test('a JSON-RPC error after a good connect (2026-07-28 server): reported at tools/list with the code', async () => {
    const server = await track(
      startModernServer('reject', { fault: { method: 'tools/list', jsonRpcError: { code: -32601, message: 'nope' } } }),
    );
    const { result, logs } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({
      success: false,
      stage: 'tools/list',
      errorType: 'protocol',
      errorCode: -32601,
      protocolVersion: '2026-07-28',
    });
    expect(Object.keys(result.steps)).toEqual(['connect']);
    expect(logs[0]).toMatchObject({ extra: { stage: 'tools/list', error_type: 'protocol', error_code: -32601 } });
  });

  test('a 200 answer that is not MCP (an HTML page): reason protocol', async () => {
    const server = await track(startNonMcpServer());
    const { result } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'protocol' });
    expect(result.error).toMatch(/content type|text\/html/i);
  });

  test('load balancer answering 503: reason http with the status', async () => {
    const server = await track(startHttpErrorServer(503));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'http', errorCode: 503 });
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'http' })?.Value).toBe(1);
  });

  test.each([
    ['2026-07-28 server', () => startModernServer('reject', { fault: { method: 'server/discover', httpStatus: 401 } })],
    ['2025-11-25 server', () => startHttpErrorServer(401)],
  ])('401 with no token configured (%s): reason auth_rejected, not http', async (_n, start) => {
    const server = await track(start());
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'connect', errorType: 'auth_rejected', errorCode: 401 });
    expect(metric(input, 'ProbeFailure', { service: 'orders-mcp', reason: 'auth_rejected' })?.Value).toBe(1);
  });

  test('a failing PutMetricData makes the invocation fail (so the alarm sees missing data, not success)', async () => {
    const server = await track(startModernServer('reject'));
    cwMock.reset();
    cwMock.on(PutMetricDataCommand).rejects(new Error('AccessDenied'));
    const { run } = probeHandler({ MCP_ENDPOINT_URL: server.url });
    await expect(run()).rejects.toThrow('AccessDenied');
  });

  test('invalid configuration throws a clear error and records nothing', async () => {
    cwMock.reset();
    const { run, logger } = probeHandler({ MCP_ENDPOINT_URL: 'ftp://example.com/mcp' });
    await expect(run()).rejects.toThrow(
      'mcp-probe: MCP_ENDPOINT_URL must use http:// or https://, got "ftp://example.com/mcp"',
    );
    expect(cwMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(logger.lines[0]).toMatchObject({ level: 'ERROR', extra: { event: 'probe_config_invalid' } });
  });

  test('runProbe can be used directly, with a custom namespace in the metric data', async () => {
    const server = await track(startModernServer('stateless'));
    const config = probeConfigFromEnv({
      MCP_ENDPOINT_URL: server.url,
      SERVICE_NAME: 'svc',
      METRICS_NAMESPACE: 'Custom/Probe',
    });
    const result = await runProbe(config);
    expect(result.success).toBe(true);
    expect(metricDataFor(config, result, FIXED_TIME)).toMatchObject({
      Namespace: 'Custom/Probe',
      MetricData: [
        { MetricName: 'ProbeSuccess', Value: 1, Dimensions: [{ Name: 'service', Value: 'svc' }] },
        { MetricName: 'ProbeSuccess', Value: 1, Dimensions: [{}, { Name: 'protocol_version', Value: '2026-07-28' }] },
        { MetricName: 'ProbeLatencyMs', Dimensions: [{ Name: 'service', Value: 'svc' }] },
        { MetricName: 'ProbeLatencyMs', Dimensions: [{}, { Name: 'protocol_version', Value: '2026-07-28' }] },
      ],
    });
  });
});
