import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import {
  createHandler,
  metricDataFor,
  probeConfigFromEnv,
  ProbeConfigError,
  runProbe,
  type ProbeLogger,
} from '../../../lambda/mcp-probe';
import {
  closedPortUrl,
  startFaultyMcpServer,
  startHttpErrorServer,
  startJsonRpcErrorServer,
  startMcpServer,
  startNonMcpServer,
  startSlowServer,
  type TestServer,
} from './servers';

const cwMock = mockClient(CloudWatchClient);

interface LogLine {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}
function captureLogger(): ProbeLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (message: string, extra: Record<string, unknown>) => {
    lines.push({ level, message, extra });
  };
  return { lines, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

const FIXED_TIME = new Date('2026-01-02T03:04:05.000Z');

/** Runs the real handler with `env` and returns the one PutMetricData input it sent, and its logs. */
async function invoke(env: Record<string, string>) {
  cwMock.reset();
  cwMock.on(PutMetricDataCommand).resolves({});
  const logger = captureLogger();
  const handler = createHandler({
    env: { SERVICE_NAME: 'orders-mcp', ...env },
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    logger,
    now: () => FIXED_TIME,
  });
  const result = await handler();
  const calls = cwMock.commandCalls(PutMetricDataCommand);
  expect(calls).toHaveLength(1);
  return { result, input: calls[0].args[0].input as PutMetricDataCommandInput, logs: logger.lines };
}

function metric(input: PutMetricDataCommandInput, name: string) {
  return input.MetricData?.find((m) => m.MetricName === name);
}

describe('mcp-probe handler against real servers on 127.0.0.1', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  async function track<T extends TestServer>(p: Promise<T>): Promise<T> {
    const s = await p;
    servers.push(s);
    return s;
  }

  test('a healthy stateless MCP server: initialize, tools/list, tool call; success 1 and latency recorded', async () => {
    const server = await track(startMcpServer('stateless'));
    const { result, input, logs } = await invoke({
      MCP_ENDPOINT_URL: server.url,
      PROBE_TOOL_NAME: 'status',
      PROBE_TOOL_ARGUMENTS: '{"verbose":true}',
    });

    expect(result).toMatchObject({ success: true, stage: 'done', serverName: 'probe-test-server', toolCount: 2 });
    expect(result.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(result.steps)).toEqual(['initialize', 'tools/list', 'tools/call']);
    expect(server.seen).toEqual(
      expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/list', 'tools/call']),
    );

    expect(input.Namespace).toBe('McpOps');
    expect(metric(input, 'ProbeSuccess')).toEqual({
      MetricName: 'ProbeSuccess',
      Dimensions: [{ Name: 'service', Value: 'orders-mcp' }],
      Value: 1,
      Unit: 'None',
      Timestamp: FIXED_TIME,
    });
    const latency = metric(input, 'ProbeLatencyMs');
    expect(latency).toMatchObject({
      Dimensions: [{ Name: 'service', Value: 'orders-mcp' }],
      Unit: 'Milliseconds',
      Value: result.latencyMs,
    });
    expect(latency?.Value).toBeGreaterThan(0);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'INFO',
        extra: expect.objectContaining({ event: 'probe_succeeded', tool: 'status' }),
      }),
    ]);
  });

  test('a stateful MCP server (session id): the probe follows the session and ends it with DELETE', async () => {
    const server = await track(startMcpServer('stateful'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: true, stage: 'done', toolCount: 2 });
    expect(Object.keys(result.steps)).toEqual(['initialize', 'tools/list']);
    expect(server.seen).toContain('DELETE');
    expect(server.seen).not.toContain('tools/call');
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(1);
  });

  test('server down (connection refused): success 0, no latency, error type connection', async () => {
    const { result, input, logs } = await invoke({ MCP_ENDPOINT_URL: await closedPortUrl() });
    expect(result).toMatchObject({ success: false, stage: 'initialize', errorType: 'connection' });
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
    expect(metric(input, 'ProbeLatencyMs')).toBeUndefined();
    expect(logs[0]).toMatchObject({
      level: 'WARN',
      extra: { event: 'probe_failed', error_type: 'connection', stage: 'initialize' },
    });
  });

  test('server slower than the probe timeout: success 0, error type timeout, the probe gives up at its budget', async () => {
    const server = await track(startSlowServer());
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TIMEOUT_MS: '300' });
    expect(result).toMatchObject({ success: false, stage: 'initialize', errorType: 'timeout' });
    expect(server.seen).toEqual(['initialize']);
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
    expect(metric(input, 'ProbeLatencyMs')).toBeUndefined();
  });

  test('server answering with a JSON-RPC error: success 0, error type protocol with the JSON-RPC code', async () => {
    const server = await track(startJsonRpcErrorServer(-32603, 'internal error: backend exploded'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'initialize', errorType: 'protocol', errorCode: -32603 });
    expect(result.error).toContain('backend exploded');
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('a JSON-RPC error after a good initialize: success 0, reported at tools/list with the code', async () => {
    const server = await track(
      startFaultyMcpServer('tools/list', { jsonRpcError: { code: -32601, message: 'Method not found' } }),
    );
    const { result, input, logs } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({
      success: false,
      stage: 'tools/list',
      errorType: 'protocol',
      errorCode: -32601,
      serverName: 'probe-test-server',
    });
    expect(Object.keys(result.steps)).toEqual(['initialize']);
    expect(server.seen).toEqual(expect.arrayContaining(['initialize', 'tools/list']));
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
    expect(metric(input, 'ProbeLatencyMs')).toBeUndefined();
    expect(logs[0]).toMatchObject({
      level: 'WARN',
      extra: { event: 'probe_failed', stage: 'tools/list', error_type: 'protocol', error_code: -32601 },
    });
  });

  test('a server that stalls on tools/list after a good initialize: timeout at tools/list within the one budget', async () => {
    const server = await track(startFaultyMcpServer('tools/list', 'hang'));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TIMEOUT_MS: '500' });
    expect(result).toMatchObject({ success: false, stage: 'tools/list', errorType: 'timeout' });
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('a tool call that stalls: timeout at tools/call', async () => {
    const server = await track(startFaultyMcpServer('tools/call', 'hang'));
    const { result, input } = await invoke({
      MCP_ENDPOINT_URL: server.url,
      PROBE_TIMEOUT_MS: '500',
      PROBE_TOOL_NAME: 'status',
    });
    expect(result).toMatchObject({ success: false, stage: 'tools/call', errorType: 'timeout', toolCount: 2 });
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('a 200 answer that is not MCP (an HTML page): success 0, error type protocol', async () => {
    const server = await track(startNonMcpServer());
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'initialize', errorType: 'protocol' });
    expect(result.error).toMatch(/content type|text\/html/i);
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('load balancer answering 503: success 0, error type http with the status', async () => {
    const server = await track(startHttpErrorServer(503));
    const { result, input } = await invoke({ MCP_ENDPOINT_URL: server.url });
    expect(result).toMatchObject({ success: false, stage: 'initialize', errorType: 'http', errorCode: 503 });
    expect(metric(input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('configured tool missing from tools/list, or returning isError: success 0 with the reason', async () => {
    const server = await track(startMcpServer('stateless'));
    const missing = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TOOL_NAME: 'no-such-tool' });
    expect(missing.result).toMatchObject({
      success: false,
      stage: 'tools/call',
      errorType: 'tool_missing',
      toolCount: 2,
    });
    expect(metric(missing.input, 'ProbeSuccess')?.Value).toBe(0);

    const failing = await invoke({ MCP_ENDPOINT_URL: server.url, PROBE_TOOL_NAME: 'broken' });
    expect(failing.result).toMatchObject({ success: false, stage: 'tools/call', errorType: 'tool_error' });
    expect(failing.result.error).toContain('database unavailable');
    expect(metric(failing.input, 'ProbeSuccess')?.Value).toBe(0);
  });

  test('invalid configuration throws a clear error and records nothing', async () => {
    cwMock.reset();
    const logger = captureLogger();
    const handler = createHandler({
      env: { SERVICE_NAME: 'x', MCP_ENDPOINT_URL: 'ftp://example.com/mcp' },
      cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
      logger,
    });
    await expect(handler()).rejects.toThrow(
      'mcp-probe: MCP_ENDPOINT_URL must use http:// or https://, got "ftp://example.com/mcp"',
    );
    expect(cwMock.commandCalls(PutMetricDataCommand)).toHaveLength(0);
    expect(logger.lines[0]).toMatchObject({ level: 'ERROR', extra: { event: 'probe_config_invalid' } });
  });

  test('a failing PutMetricData makes the invocation fail (so the alarm sees missing data, not success)', async () => {
    const server = await track(startMcpServer('stateless'));
    cwMock.reset();
    cwMock.on(PutMetricDataCommand).rejects(new Error('AccessDenied'));
    const handler = createHandler({
      env: { SERVICE_NAME: 'x', MCP_ENDPOINT_URL: server.url },
      cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
      logger: captureLogger(),
    });
    await expect(handler()).rejects.toThrow('AccessDenied');
  });

  test('runProbe can be used directly, with a custom namespace in the metric data', async () => {
    const server = await track(startMcpServer('stateless'));
    const config = probeConfigFromEnv({
      MCP_ENDPOINT_URL: server.url,
      SERVICE_NAME: 'svc',
      METRICS_NAMESPACE: 'Custom/Probe',
    });
    const result = await runProbe(config);
    expect(result.success).toBe(true);
    expect(metricDataFor(config, result, FIXED_TIME)).toMatchObject({
      Namespace: 'Custom/Probe',
      MetricData: [{ MetricName: 'ProbeSuccess', Value: 1 }, { MetricName: 'ProbeLatencyMs' }],
    });
  });
});

describe('probe configuration', () => {
  const base = { MCP_ENDPOINT_URL: 'https://mcp.example.com/mcp', SERVICE_NAME: 'orders-mcp' };

  test('defaults', () => {
    expect(probeConfigFromEnv(base)).toEqual({
      endpointUrl: 'https://mcp.example.com/mcp',
      serviceName: 'orders-mcp',
      timeoutMs: 10000,
      namespace: 'McpOps',
      tool: undefined,
    });
  });

  test('tool with arguments', () => {
    expect(
      probeConfigFromEnv({
        ...base,
        PROBE_TOOL_NAME: 'status',
        PROBE_TOOL_ARGUMENTS: '{"a":1}',
        PROBE_TIMEOUT_MS: '2500',
      }),
    ).toMatchObject({ timeoutMs: 2500, tool: { name: 'status', arguments: { a: 1 } } });
    expect(probeConfigFromEnv({ ...base, PROBE_TOOL_NAME: 'status' }).tool).toEqual({ name: 'status', arguments: {} });
  });

  test.each([
    [{ MCP_ENDPOINT_URL: undefined }, 'MCP_ENDPOINT_URL must be set to the public MCP endpoint URL, got nothing'],
    [
      { MCP_ENDPOINT_URL: 'not a url' },
      'MCP_ENDPOINT_URL must be an absolute http:// or https:// URL, got "not a url"',
    ],
    [{ MCP_ENDPOINT_URL: 'https://u:p@host/mcp' }, 'MCP_ENDPOINT_URL must not carry credentials'],
    [{ SERVICE_NAME: '' }, 'SERVICE_NAME must be the service metric dimension (1–255 characters), got ""'],
    [
      { PROBE_TIMEOUT_MS: '50' },
      'PROBE_TIMEOUT_MS must be an integer number of milliseconds from 100 to 60000, got "50"',
    ],
    [{ PROBE_TIMEOUT_MS: '1.5e3' }, 'PROBE_TIMEOUT_MS must be an integer'],
    [
      { PROBE_TOOL_NAME: 'status', PROBE_TOOL_ARGUMENTS: '[1]' },
      'PROBE_TOOL_ARGUMENTS must be a JSON object, got "[1]"',
    ],
    [
      { PROBE_TOOL_NAME: 'status', PROBE_TOOL_ARGUMENTS: '{bad' },
      'PROBE_TOOL_ARGUMENTS must be a JSON object, got "{bad"',
    ],
    [{ PROBE_TOOL_ARGUMENTS: '{}' }, 'PROBE_TOOL_ARGUMENTS is only allowed together with PROBE_TOOL_NAME'],
    [{ METRICS_NAMESPACE: 'AWS/ApplicationELB' }, 'METRICS_NAMESPACE must be a custom namespace'],
  ])('rejects %j', (override, message) => {
    expect(() => probeConfigFromEnv({ ...base, ...override })).toThrow(ProbeConfigError);
    expect(() => probeConfigFromEnv({ ...base, ...override })).toThrow(message);
  });
});
