import {
  REQUEST_ID_PLACEHOLDER,
  renderInsightsQuery,
  runInsightsQuery,
  SAVED_QUERIES,
  SavedQuery,
} from '../../lib/logging/insights';
import { CRASH_LINES, scenarioLines, SCENARIO_START } from './fixtures';

const lines = scenarioLines();
const events = [...lines, ...CRASH_LINES.map((message) => ({ timestamp: SCENARIO_START, message }))];

function query(id: SavedQuery['id']): string {
  const q = SAVED_QUERIES.find((s) => s.id === id);
  if (!q) throw new Error(id);
  return renderInsightsQuery(q.parts);
}

describe('saved Logs Insights queries against real Powertools log lines', () => {
  test('slowest tools: p50/p95/p99 by tool, slowest p95 first', () => {
    const rows = runInsightsQuery(query('SlowestTools'), events);
    // search: 249, 899, 29999; echo: 11, 19, 7 (the denied echo call never ran, cache_refresh is not a tool call)
    expect(rows).toEqual([
      { tool: 'search', calls: 3, p50_ms: 899, p95_ms: 29999, p99_ms: 29999 },
      { tool: 'echo', calls: 3, p50_ms: 11, p95_ms: 19, p99_ms: 19 },
    ]);
  });

  test('top error types: most frequent first', () => {
    const rows = runInsightsQuery(query('TopErrorTypes'), events);
    expect(rows.slice(0, 2).map((r) => r.errors)).toEqual([2, 2]);
    expect(Object.fromEntries(rows.map((r) => [r.error_type, r.errors]))).toEqual({
      tool_error: 2,
      timeout: 2,
      validation_error: 1,
      auth_error: 1,
    });
  });

  test('request trail: every line of one request, application and audit, in time order', () => {
    const rows = runInsightsQuery(query('RequestTrail').replace(REQUEST_ID_PLACEHOLDER, 'req-2'), events);
    expect(rows.map((r) => r.event ?? `audit:${r.event_type}:${r.result}`)).toEqual([
      'request_started',
      'tool_call_failed',
      'audit:tool_call:failure',
      'request_failed',
    ]);
    expect(rows[1]).toEqual(expect.objectContaining({ tool: 'search', error_type: 'tool_error', level: 'ERROR' }));
    expect(Object.keys(rows[0])).not.toContain('request_id');
    const denied = runInsightsQuery(query('RequestTrail').replace(REQUEST_ID_PLACEHOLDER, 'req-5'), events);
    expect(denied.map((r) => r.log_type)).toEqual(['app', 'audit', 'app']);
    expect(denied[1]).toEqual(
      expect.objectContaining({ event_type: 'auth_denied', principal: 'anonymous', result: 'denied' }),
    );
    expect(runInsightsQuery(query('RequestTrail'), events)).toEqual([]);
  });

  test('error rate per minute: requests and failed requests in 1-minute bins', () => {
    const rows = runInsightsQuery(query('ErrorRatePerMinute'), events);
    const minute = (n: number): number => SCENARIO_START + n * 60_000;
    expect(rows).toEqual([
      { 'bin(1m)': minute(0), requests: 3, errors: 2 },
      { 'bin(1m)': minute(1), requests: 3, errors: 1 },
      { 'bin(1m)': minute(2), requests: 2, errors: 1 },
    ]);
  });

  test('the queries are the text the construct deploys (QueryString rendering)', () => {
    expect(query('TopErrorTypes')).toBe(
      'filter log_type = "app" and event in ["request_failed", "tool_call_failed"] and ispresent(error_type)\n| stats count(*) as errors by error_type\n| sort errors desc\n| limit 20',
    );
  });
});

describe('Insights evaluator', () => {
  const ev = (timestamp: number, doc: unknown): { timestamp: number; message: string } => ({
    timestamp,
    message: JSON.stringify(doc),
  });
  const sample = [ev(1000, { a: 1, b: 'x', n: { c: 'deep' } }), ev(2000, { a: 5, b: 'y' }), ev(3000, { a: 3, b: 'x' })];

  test('filter with and/or/not, comparisons, in, ispresent and nested fields', () => {
    expect(runInsightsQuery('filter a >= 3 and not b = "y"', sample).map((r) => r.a)).toEqual([3]);
    expect(runInsightsQuery('filter a < 2 or b in ["y"]', sample).map((r) => r.a)).toEqual([1, 5]);
    expect(runInsightsQuery('filter ispresent(n.c)', sample).map((r) => r['n.c'])).toEqual(['deep']);
    expect(runInsightsQuery('filter missing = "x"', sample)).toEqual([]);
    expect(runInsightsQuery('filter missing != "x"', sample)).toEqual([]);
  });

  test('stats, sort and limit', () => {
    expect(
      runInsightsQuery(
        'stats sum(a) as s, avg(a) as m, min(a) as lo, max(a) as hi, count(n.c) as c by b\n| sort s asc\n| limit 1',
        sample,
      ),
    ).toEqual([{ b: 'x', s: 4, m: 2, lo: 1, hi: 3, c: 1 }]);
    expect(runInsightsQuery('fields a\n| sort a asc', sample)).toEqual([{ a: 1 }, { a: 3 }, { a: 5 }]);
  });

  test('pct is the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => ev(i, { d: i + 1 }));
    expect(
      runInsightsQuery('stats pct(d, 50) as p50, pct(d, 95) as p95, pct(d, 99) as p99, pct(d, 100) as max', values),
    ).toEqual([{ p50: 50, p95: 95, p99: 99, max: 100 }]);
  });

  test('rejects syntax outside the subset instead of guessing', () => {
    expect(() => runInsightsQuery('parse @message "* *" as a, b', sample)).toThrow(/unsupported command parse/);
    expect(() => runInsightsQuery('stats stddev(a)', sample)).toThrow(/unsupported function stddev/);
    expect(() => runInsightsQuery('filter a ~ 1', sample)).toThrow(/cannot read/);
  });
});
