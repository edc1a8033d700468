/**
 * The pipeline's patterns, queries and record format against lines the reference server itself
 * writes (service/src, started in-process on 127.0.0.1 with its log sink captured).
 */
import { dimensionValuesFor, matchesFilterPattern, metricValueFor } from '../../lib/logging/filter-pattern';
import {
  REQUEST_ID_PLACEHOLDER,
  renderInsightsQuery,
  runInsightsQuery,
  SAVED_QUERIES,
} from '../../lib/logging/insights';
import { AUDIT_FILTER_PATTERN, metricFilterSpec, MetricFilterSpec } from '../../lib/logging/log-contract';
import { encodeSubscriptionPayload, firehoseS3Output } from '../../lib/logging/records';
import { postMcp, startTestServer, TestServer } from '../service/helpers';

let server: TestServer;
let raw: string[] = [];
let docs: Array<Record<string, any>> = [];

beforeAll(async () => {
  server = await startTestServer({ SERVICE_NAME: 'mcp-server', LOG_LEVEL: 'INFO' });
  try {
    const client = await server.client();
    await client.callTool({ name: 'echo', arguments: { text: 'one' } });
    await client.callTool({ name: 'echo', arguments: { text: 'two' } });
    await client.callTool({ name: 'server_time', arguments: {} });
    await client.callTool({ name: 'echo', arguments: { wrong: 1 } }).catch(() => undefined);
    await client.callTool({ name: 'no_such_tool', arguments: {} }).catch(() => undefined);
    await postMcp(server.address.mcpUrl, '{not json');
    await server.waitForLine((l) => l.event === 'request_failed' && l.status_code === 400);
  } finally {
    await server.stop();
  }
  raw = [...server.raw];
  docs = raw.map((l) => JSON.parse(l));
});

const query = (id: string): string => renderInsightsQuery(SAVED_QUERIES.find((q) => q.id === id)!.parts);
const events = (): Array<{ timestamp: number; message: string }> =>
  raw.map((message, i) => ({ timestamp: Date.parse(docs[i].timestamp), message }));

function sumBy(spec: MetricFilterSpec, dim: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of raw) {
    if (!matchesFilterPattern(spec.filterPattern, line)) continue;
    const dims = dimensionValuesFor(spec.dimensions, line);
    const v = metricValueFor(spec.metricValue, line);
    if (dims && v !== undefined) out[dims[dim]] = (out[dims[dim]] ?? 0) + v;
  }
  return out;
}

describe('reference server lines', () => {
  test('the audit subscription selects exactly the audit entries, one per tool call', () => {
    const selected = raw.filter((l) => matchesFilterPattern(AUDIT_FILTER_PATTERN, l));
    expect(selected).toEqual(raw.filter((_, i) => docs[i].log_type === 'audit'));
    expect(selected.map((l) => JSON.parse(l).resource)).toEqual([
      'tool:echo',
      'tool:echo',
      'tool:server_time',
      'tool:echo',
      'tool:no_such_tool',
    ]);
  });

  test('tools executed by tool: completed calls only, EMF lines not counted', () => {
    expect(sumBy(metricFilterSpec('ToolsExecuted'), 'tool')).toEqual({ echo: 2, server_time: 1 });
  });

  test('errors by error_type match the failed lines (audit entries with error_type are not counted)', () => {
    const expected: Record<string, number> = {};
    for (const d of docs) {
      if (d.log_type === 'app' && (d.event === 'request_failed' || d.event === 'tool_call_failed'))
        expected[d.error_type] = (expected[d.error_type] ?? 0) + 1;
    }
    expect(sumBy(metricFilterSpec('Errors'), 'error_type')).toEqual(expected);
    expect(expected.validation_error).toBe(4); // two failed tool calls, each a failed tool call and a failed request
    expect(expected.protocol_error).toBeGreaterThanOrEqual(1); // the invalid JSON body
  });

  test('tool duration: only tools the server has; the unknown tool and the invalid-arguments call publish nothing', () => {
    expect(docs.some((d) => d.event === 'tool_call_failed' && d.tool === 'no_such_tool')).toBe(true); // the server did log it
    const spec = metricFilterSpec('ToolDuration');
    const tools = raw
      .filter((l) => matchesFilterPattern(spec.filterPattern, l))
      .map((l) => dimensionValuesFor(spec.dimensions, l)!.tool);
    expect(tools.sort()).toEqual(['echo', 'echo', 'server_time']);
  });

  test("request duration: one value per finished request, the server's duration_ms", () => {
    const spec = metricFilterSpec('RequestDuration');
    const values = raw
      .filter((l) => matchesFilterPattern(spec.filterPattern, l))
      .map((l) => metricValueFor(spec.metricValue, l));
    expect(values).toEqual(
      docs.filter((d) => d.event === 'request_completed' || d.event === 'request_failed').map((d) => d.duration_ms),
    );
    expect(values.length).toBeGreaterThanOrEqual(7);
  });

  test('Insights: slowest tools, top error types and a request trail', () => {
    const slow = runInsightsQuery(query('SlowestTools'), events());
    expect(Object.fromEntries(slow.map((r) => [r.tool, r.calls]))).toEqual({
      echo: 3,
      server_time: 1,
      no_such_tool: 1,
    });
    const top = runInsightsQuery(query('TopErrorTypes'), events());
    expect(top[0]).toEqual({ error_type: 'validation_error', errors: 4 });
    const echoId = docs.find((d) => d.event === 'tool_call_completed' && d.tool === 'echo')!.request_id;
    const trail = runInsightsQuery(query('RequestTrail').replace(REQUEST_ID_PLACEHOLDER, echoId), events());
    expect(trail.map((r) => r.event ?? r.event_type)).toEqual(
      expect.arrayContaining(['request_started', 'tool_call_completed', 'tool_call', 'request_completed']),
    );
    expect(trail.every((r) => r.event !== 'metrics')).toBe(true);
  });

  test("the audit Firehose writes the server's audit lines byte for byte as NDJSON", () => {
    const audit = raw.filter((l) => matchesFilterPattern(AUDIT_FILTER_PATTERN, l));
    const payload = encodeSubscriptionPayload({
      messageType: 'DATA_MESSAGE',
      owner: '111111111111',
      logGroup: '/mcp/mcp-server/application',
      logStream: 'mcp/mcp/task',
      subscriptionFilters: ['mcp-audit-to-firehose'],
      logEvents: audit.map((message, i) => ({ id: String(i), timestamp: 0, message })),
    });
    expect(firehoseS3Output(payload)).toBe(audit.map((l) => `${l}\n`).join(''));
  });
});
