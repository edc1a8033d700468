import { gzipSync } from 'zlib';
import {
  auditLinesToBatches,
  auditStreamName,
  decodeSubscriptionPayload,
  encodeSubscriptionPayload,
  firehoseS3Output,
  PUT_LOG_EVENTS_LIMITS,
  SubscriptionPayload,
} from '../../lib/logging/records';
import { matchesFilterPattern } from '../../lib/logging/filter-pattern';
import { AUDIT_FILTER_PATTERN } from '../../lib/logging/log-contract';
import { CRASH_LINES, scenarioLines } from './fixtures';

const lines = scenarioLines();

/** A subscription payload as CloudWatch Logs builds it for a filter over the given messages. */
function dataMessage(
  filterName: string,
  pattern: string | undefined,
  msgs: { timestamp: number; message: string }[],
): SubscriptionPayload {
  const selected = pattern ? msgs.filter((m) => matchesFilterPattern(pattern, m.message)) : msgs;
  return {
    messageType: 'DATA_MESSAGE',
    owner: '111111111111',
    logGroup: '/mcp/mcp-server/application',
    logStream: 'mcp/mcp/0123456789abcdef',
    subscriptionFilters: [filterName],
    logEvents: selected.map((m, i) => ({
      id: `3${String(i).padStart(55, '0')}`,
      timestamp: m.timestamp,
      message: m.message,
    })),
  };
}

const CONTROL: SubscriptionPayload = {
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [
    { id: '', timestamp: 1764054000000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' },
  ],
};

describe('Firehose S3 record format (Decompression + CloudWatchLogProcessing + AppendDelimiterToRecord)', () => {
  test('application stream: every line unchanged, one per line, crash output included', () => {
    const all = [...lines, ...CRASH_LINES.map((message) => ({ timestamp: lines[0].timestamp, message }))];
    const record = encodeSubscriptionPayload(dataMessage('mcp-all-to-firehose', undefined, all));
    expect(record[0]).toBe(0x1f); // gzip, as CloudWatch Logs sends it
    const out = firehoseS3Output(record);
    expect(out.endsWith('\n')).toBe(true);
    expect(out.split('\n').slice(0, -1)).toEqual(all.map((l) => l.message));
  });

  test('audit stream: NDJSON of audit entries only, each a parseable contract entry', () => {
    const payload = dataMessage('mcp-audit-to-firehose', AUDIT_FILTER_PATTERN, lines);
    // base64, as a Lambda or a Firehose transformation would receive it
    const out = firehoseS3Output(encodeSubscriptionPayload(payload).toString('base64'));
    const entries = out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.length).toBe(7);
    for (const e of entries) {
      expect(e).toEqual(
        expect.objectContaining({
          log_type: 'audit',
          event_type: expect.any(String),
          principal: expect.any(String),
          action: 'tools/call',
          resource: expect.stringMatching(/^tool:/),
          result: expect.stringMatching(/^(success|failure|denied)$/),
          source_ip: expect.any(String),
          user_agent: expect.any(String),
          request_id: expect.stringMatching(/^req-\d$/),
          timestamp: expect.any(String),
        }),
      );
    }
  });

  test('CONTROL_MESSAGE records produce nothing', () => {
    expect(firehoseS3Output(encodeSubscriptionPayload(CONTROL))).toBe('');
    expect(firehoseS3Output(encodeSubscriptionPayload(CONTROL).toString('base64'))).toBe('');
  });

  test('bad data is rejected with a clear error', () => {
    expect(() => decodeSubscriptionPayload(Buffer.from('{"messageType":"DATA_MESSAGE"}'))).toThrow(
      /not gzip-compressed/,
    );
    expect(() => decodeSubscriptionPayload(gzipSync(Buffer.from('not json')))).toThrow(
      /not a CloudWatch Logs subscription payload/,
    );
    expect(() => decodeSubscriptionPayload(gzipSync(Buffer.from('{"messageType":"OTHER","logEvents":[]}')))).toThrow(
      /messageType or logEvents/,
    );
  });
});

describe('audit entries to PutLogEvents batches', () => {
  const now = Date.UTC(2026, 10, 25, 8, 0, 0);
  const entry = (iso: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ timestamp: iso, log_type: 'audit', ...extra });

  test('uses the entry timestamp, sorts chronologically, ignores blank lines', () => {
    const ndjson =
      [entry('2026-11-25T07:00:02.000Z'), '', entry('2026-11-25T07:00:01.000Z'), 'not json'].join('\n') + '\n';
    const { batches, skipped } = auditLinesToBatches(ndjson, now - 1000, now);
    expect(skipped).toEqual([]);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((e) => e.timestamp)).toEqual([
      Date.parse('2026-11-25T07:00:01.000Z'),
      Date.parse('2026-11-25T07:00:02.000Z'),
      now - 1000,
    ]);
    expect(batches[0][2].message).toBe('not json');
  });

  test('skips entries CloudWatch Logs would reject (too old, too far ahead)', () => {
    const { batches, skipped } = auditLinesToBatches(
      [entry('2026-11-01T00:00:00.000Z'), entry('2026-11-25T11:00:00.000Z'), entry('2026-11-25T07:59:00.000Z')].join(
        '\n',
      ),
      now,
      now,
    );
    expect(skipped.map((s) => s.reason)).toEqual(['older than 14 days', 'more than 2 hours in the future']);
    expect(batches.flat()).toHaveLength(1);
  });

  test('splits by event count, bytes and 24-hour span', () => {
    const many = Array.from({ length: PUT_LOG_EVENTS_LIMITS.maxEvents + 5 }, () =>
      entry('2026-11-25T07:00:00.000Z'),
    ).join('\n');
    expect(auditLinesToBatches(many, now, now).batches.map((b) => b.length)).toEqual([
      PUT_LOG_EVENTS_LIMITS.maxEvents,
      5,
    ]);

    const big = 'x'.repeat(300_000);
    const bytes = Array.from({ length: 4 }, () => entry('2026-11-25T07:00:00.000Z', { big })).join('\n');
    const byBytes = auditLinesToBatches(bytes, now, now).batches;
    expect(byBytes.map((b) => b.length)).toEqual([3, 1]);
    for (const b of byBytes) {
      expect(b.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0)).toBeLessThanOrEqual(
        PUT_LOG_EVENTS_LIMITS.maxBatchBytes,
      );
    }

    const span = [
      entry('2026-11-12T09:00:00.000Z'),
      entry('2026-11-13T09:00:01.000Z'),
      entry('2026-11-13T10:00:00.000Z'),
    ].join('\n');
    expect(auditLinesToBatches(span, now, now).batches.map((b) => b.length)).toEqual([1, 2]);
  });

  test('log stream name from the date partition of the object key', () => {
    expect(
      auditStreamName('audit/year=2026/month=11/day=25/mcp-mcp-server-audit-1-2026-11-25-07-00-00-abc.gz', new Date(0)),
    ).toBe('firehose/2026/11/25');
    expect(auditStreamName('audit/other.gz', new Date(Date.UTC(2026, 0, 2)))).toBe('firehose/2026/01/02');
  });
});
