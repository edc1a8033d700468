import {
  dimensionValuesFor,
  FilterPatternError,
  matchesFilterPattern,
  metricValueFor,
  parseFilterPattern,
} from '../../lib/logging/filter-pattern';
import {
  AUDIT_FILTER_PATTERN,
  METRIC_FILTERS,
  metricFilterSpec,
  TOOL_SIDE_ERROR_TYPES,
} from '../../lib/logging/log-contract';
import { CRASH_LINES, scenarioLines, SCENARIO_REQUESTS } from './fixtures';

// The example events of the CloudWatch Logs guide ("Using filter patterns to match terms in JSON log events").
const DOC_EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
  latency: 700,
});
const DOC_COMPOUND_EVENT = JSON.stringify({
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1],
    [1, 2],
    [2, 3],
  ],
});

describe('filter-pattern evaluator: documented examples', () => {
  test.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = "Update*" }', true],
    ['{ $.eventType = "DeleteTrail" }', false],
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.sourceIPAddress != 111.111.* }', false],
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.arrayKey[1] = "value" }', false],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.objectList[1].id = 1 }', false],
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.SomeOtherObject NOT EXISTS }', true],
    ['{ $.SomeObject NOT EXISTS }', false],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.ThisFlag IS FALSE }', false],
    ['{ $.latency >= 500 }', true],
    ['{ $.latency < 500 }', false],
    ['{ $.latency = 7e2 }', true],
  ])('%s → %s', (pattern, expected) => {
    expect(matchesFilterPattern(pattern, DOC_EVENT)).toBe(expected);
  });

  test.each([
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET" }', false],
    // && binds tighter than ||: true || (false && false)
    [
      '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }',
      true,
    ],
    [
      '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }',
      false,
    ],
    ['{ $.coordinates[0][1] = 1 }', true],
  ])('%s → %s', (pattern, expected) => {
    expect(matchesFilterPattern(pattern, DOC_COMPOUND_EVENT)).toBe(expected);
  });

  test('string comparisons look at strings only, numeric comparisons at numbers only', () => {
    expect(matchesFilterPattern('{ $.n = "1" }', '{"n":1}')).toBe(false);
    expect(matchesFilterPattern('{ $.n = 1 }', '{"n":"1"}')).toBe(false);
    expect(matchesFilterPattern('{ $.s = "*" }', '{"s":""}')).toBe(true);
    expect(matchesFilterPattern('{ $.s = "*" }', '{"s":null}')).toBe(false);
    expect(matchesFilterPattern('{ $.s = "*" }', '{"t":"x"}')).toBe(false);
  });

  test('a comparison on a missing property is false, != included', () => {
    expect(matchesFilterPattern('{ $.missing != "x" }', '{"a":1}')).toBe(false);
    expect(matchesFilterPattern('{ $.missing NOT EXISTS }', '{"a":1}')).toBe(true);
  });

  test('events that are not JSON objects never match', () => {
    for (const m of ['not json', '[1,2]', '"string"', '42', ...CRASH_LINES]) {
      expect(matchesFilterPattern('{ $.a NOT EXISTS }', m)).toBe(false);
    }
  });

  test.each([
    ['$.eventType = "x"', /expected lbrace/],
    ['{ $.a = "x" ', /expected rbrace/],
    ['{ $.a = %x% }', /regular expressions/],
    ['{ $.a > "x" }', /needs a numeric value/],
    ['{ $.a[x] = 1 }', /array index/],
    ['{ $.a IS MAYBE }', /IS must be followed/],
    ['{ $.a = "x" } extra', /unexpected text/],
    ['{ a = 1 }', /property selector/],
  ])('rejects %s', (pattern, message) => {
    expect(() => parseFilterPattern(pattern)).toThrow(FilterPatternError);
    expect(() => parseFilterPattern(pattern)).toThrow(message);
  });
});

describe('our patterns against real Powertools log lines', () => {
  const lines = scenarioLines();
  const messages = [...lines.map((l) => l.message), ...CRASH_LINES];
  const docs = lines.map((l) => JSON.parse(l.message) as Record<string, unknown>);

  test('the fixture produced JSON lines of the contract shape', () => {
    expect(lines.length).toBeGreaterThan(30);
    for (const d of docs) {
      expect(d).toEqual(
        expect.objectContaining({
          level: expect.any(String),
          message: expect.any(String),
          service: 'mcp-server',
          timestamp: expect.stringMatching(/^2026-11-25T07:0\d:\d\d\.\d{3}Z$/),
        }),
      );
      expect(['app', 'audit']).toContain(d.log_type);
    }
  });

  test('the audit subscription selects exactly the audit entries', () => {
    const selected = messages.filter((m) => matchesFilterPattern(AUDIT_FILTER_PATTERN, m));
    const expected = docs.filter((d) => d.log_type === 'audit').map((d) => d.request_id);
    expect(selected.map((m) => JSON.parse(m).request_id)).toEqual(expected);
    // One audit entry per tool call, and one per denied request.
    expect(expected).toEqual(SCENARIO_REQUESTS.filter((r) => r.tool).map((r) => r.id));
    // Quoted or nested "log_type":"audit" does not make a line an audit entry.
    expect(selected.some((m) => m.includes('suspicious_input') || m.includes('nested context'))).toBe(false);
  });

  /** Evaluates a metric filter over the lines: datapoints with their dimensions and values. */
  function datapoints(
    id: Parameters<typeof metricFilterSpec>[0],
  ): Array<{ dims: Record<string, string>; value: number }> {
    const spec = metricFilterSpec(id);
    const out: Array<{ dims: Record<string, string>; value: number }> = [];
    for (const m of messages) {
      if (!matchesFilterPattern(spec.filterPattern, m)) continue;
      const dims = dimensionValuesFor(spec.dimensions, m);
      const value = metricValueFor(spec.metricValue, m);
      if (dims && value !== undefined) out.push({ dims, value });
    }
    return out;
  }

  test('tools executed: one datapoint per completed tool call, by tool', () => {
    const points = datapoints('ToolsExecuted');
    expect(points).toEqual([
      { dims: { service: 'mcp-server', tool: 'echo' }, value: 1 },
      { dims: { service: 'mcp-server', tool: 'search' }, value: 1 },
      { dims: { service: 'mcp-server', tool: 'echo' }, value: 1 },
      { dims: { service: 'mcp-server', tool: 'echo' }, value: 1 },
    ]);
  });

  test('errors: failed requests and failed tool calls, by error_type; the EMF line and nested fields do not count', () => {
    const counts: Record<string, number> = {};
    for (const p of datapoints('Errors')) counts[p.dims.error_type] = (counts[p.dims.error_type] ?? 0) + p.value;
    expect(counts).toEqual({ tool_error: 2, validation_error: 1, auth_error: 1, timeout: 2 });
  });

  test('request duration: every completed or failed request, in milliseconds', () => {
    const values = datapoints('RequestDuration').map((p) => p.value);
    expect(values).toEqual(SCENARIO_REQUESTS.map((r) => r.durationMs));
    expect(metricFilterSpec('RequestDuration').unit).toBe('Milliseconds');
  });

  test('tool duration: by tool, failures included, the cache_refresh line excluded', () => {
    const points = datapoints('ToolDuration');
    expect(points.map((p) => `${p.dims.tool}:${p.value}`)).toEqual([
      'echo:11',
      'search:249',
      'search:899',
      'echo:19',
      'search:29999',
      'echo:7',
    ]);
  });

  test('tool dimensions only come from registered tools: a made-up tool name publishes nothing', () => {
    // What a server logs for a call to a tool it does not have, or with invalid arguments: a failed
    // call carrying the client's name. Publishing it would let any client mint dimension values.
    const unknown = (errorType: string, tool: string): string =>
      JSON.stringify({
        level: 'WARN',
        service: 'mcp-server',
        log_type: 'app',
        event: 'tool_call_failed',
        tool,
        duration_ms: 1,
        error_type: errorType,
      });
    for (const errorType of ['validation_error', 'protocol_error', 'auth_error', 'rate_limited']) {
      for (const spec of METRIC_FILTERS.filter((m) => 'tool' in m.dimensions)) {
        expect(
          `${spec.id} ${errorType} ${matchesFilterPattern(spec.filterPattern, unknown(errorType, 'made_up_1'))}`,
        ).toBe(`${spec.id} ${errorType} false`);
      }
    }
    // The tool ran and failed: its duration counts.
    for (const errorType of TOOL_SIDE_ERROR_TYPES) {
      expect(matchesFilterPattern(metricFilterSpec('ToolDuration').filterPattern, unknown(errorType, 'search'))).toBe(
        true,
      );
    }
  });

  test('every metric filter pattern is within the 1024-character limit of PutMetricFilter', () => {
    for (const spec of METRIC_FILTERS) expect(spec.filterPattern.length).toBeLessThanOrEqual(1024);
  });

  test('every metric filter has at most 3 dimensions and a value CloudWatch accepts', () => {
    for (const spec of METRIC_FILTERS) {
      expect(Object.keys(spec.dimensions).length).toBeLessThanOrEqual(3);
      expect(spec.metricValue === '1' || /^\$\.[a-z_]+$/.test(spec.metricValue)).toBe(true);
      expect(() => parseFilterPattern(spec.filterPattern)).not.toThrow();
    }
  });

  test('a line missing a dimension field publishes nothing', () => {
    const line = JSON.stringify({
      log_type: 'app',
      event: 'tool_call_completed',
      tool: 'echo',
      level: 'INFO',
      message: 'x',
    });
    expect(matchesFilterPattern(metricFilterSpec('ToolsExecuted').filterPattern, line)).toBe(true);
    expect(dimensionValuesFor(metricFilterSpec('ToolsExecuted').dimensions, line)).toBeUndefined();
  });
});
