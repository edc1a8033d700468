import * as fc from 'fast-check';
import {
  backoffMs,
  bulkBatches,
  bulkBody,
  bulkFailures,
  documentId,
  indexName,
  isoWeek,
  linesToDocuments,
  LogDocument,
} from '../../lib/logging/opensearch-bulk';

const T = new Date('2026-11-25T07:03:04.000Z');

describe('indexName', () => {
  test.each([
    ['NoRotation', 'mcp'],
    ['OneHour', 'mcp-2026.11.25.07'],
    ['OneDay', 'mcp-2026.11.25'],
    ['OneWeek', 'mcp-2026.w48'],
    ['OneMonth', 'mcp-2026.11'],
  ] as const)('%s → %s (UTC)', (rotation, name) => {
    expect(indexName('mcp', rotation, T)).toBe(name);
  });
  test('unknown rotation is an error naming the allowed values', () => {
    expect(() => indexName('mcp', 'Daily' as never, T)).toThrow(
      'unknown index rotation "Daily"; allowed: NoRotation, OneHour, OneDay, OneWeek, OneMonth',
    );
  });
  test('ISO weeks across year boundaries', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toEqual({ year: 2026, week: 1 }); // Thursday
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toEqual({ year: 2026, week: 53 }); // Friday of 2026's week 53
    expect(isoWeek(new Date('2024-12-30T12:00:00Z'))).toEqual({ year: 2025, week: 1 }); // Monday
  });
});

describe('linesToDocuments', () => {
  const opts = {
    bucket: 'b',
    key: 'logs/k.gz',
    indexPrefix: 'mcp',
    rotation: 'OneDay' as const,
    fallbackTime: T.getTime(),
  };
  test('one document per non-blank line; JSON objects unchanged, other lines wrapped with the fallback time', () => {
    const ndjson =
      '{"timestamp":"2026-11-24T23:59:59.000Z","message":"a"}\n\nnot json\n[1,2]\r\n{"timestamp":"garbage","x":1}\n';
    const docs = linesToDocuments(ndjson, opts);
    expect(docs.map((d) => [d.line, d.index, d.source])).toEqual([
      [1, 'mcp-2026.11.24', { timestamp: '2026-11-24T23:59:59.000Z', message: 'a' }],
      [3, 'mcp-2026.11.25', { message: 'not json', timestamp: T.toISOString() }],
      [4, 'mcp-2026.11.25', { message: '[1,2]', timestamp: T.toISOString() }],
      [5, 'mcp-2026.11.25', { timestamp: 'garbage', x: 1 }],
    ]);
    expect(docs.map((d) => d.id)).toEqual([1, 3, 4, 5].map((n) => documentId('b', 'logs/k.gz', n)));
  });
  test('ids are unique per (bucket, key, line) and stable', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), fc.nat(), (k1, k2, l1, l2) => {
        const same = k1 === k2 && l1 === l2;
        expect(documentId('b', k1, l1) === documentId('b', k2, l2)).toBe(same);
        expect(documentId('b', k1, l1)).toMatch(/^[0-9a-f]{64}$/);
      }),
    );
  });
  test('an empty object has no documents', () => {
    expect(linesToDocuments('', opts)).toEqual([]);
  });
});

const doc = (i: number, size = 10): LogDocument => ({
  id: `id${i}`,
  line: i,
  index: 'mcp-2026.11.25',
  source: { m: 'x'.repeat(size) },
});

describe('bulk bodies and batches', () => {
  test('index action then document, newline-terminated', () => {
    expect(bulkBody([doc(1), doc(2, 1)])).toBe(
      '{"index":{"_index":"mcp-2026.11.25","_id":"id1"}}\n{"m":"xxxxxxxxxx"}\n{"index":{"_index":"mcp-2026.11.25","_id":"id2"}}\n{"m":"x"}\n',
    );
  });
  test('batches respect the document and byte limits and keep order; an oversized document goes alone', () => {
    const docs = Array.from({ length: 7 }, (_, i) => doc(i + 1));
    expect(bulkBatches(docs, { maxBytes: 1e6, maxDocuments: 3 }).map((b) => b.map((d) => d.line))).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7],
    ]);
    const one = Buffer.byteLength(bulkBody([doc(1)]));
    expect(bulkBatches(docs.slice(0, 3), { maxBytes: one * 2, maxDocuments: 100 }).map((b) => b.length)).toEqual([
      2, 1,
    ]);
    expect(
      bulkBatches([doc(1), doc(2, 5000), doc(3)], { maxBytes: 1000, maxDocuments: 100 }).map((b) =>
        b.map((d) => d.line),
      ),
    ).toEqual([[1], [2], [3]]);
    expect(bulkBatches([])).toEqual([]);
  });
});

describe('bulkFailures', () => {
  const sent = [doc(1), doc(2), doc(3)];
  test('no errors → nothing failed', () => {
    expect(bulkFailures(sent, { errors: false, items: sent.map(() => ({ index: { status: 201 } })) })).toEqual([]);
  });
  test('429 and 5xx items are retryable, 4xx are not', () => {
    const failures = bulkFailures(sent, {
      errors: true,
      items: [
        { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'full' } } },
        { index: { status: 200 } },
        { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad field' } } },
      ],
    });
    expect(failures.map((f) => [f.doc.line, f.status, f.reason, f.retryable])).toEqual([
      [1, 429, 'es_rejected_execution_exception: full', true],
      [3, 400, 'mapper_parsing_exception: bad field', false],
    ]);
  });
  test('a response that does not match the request is an error', () => {
    expect(() => bulkFailures(sent, { message: 'nope' })).toThrow('not a _bulk response');
    expect(() => bulkFailures(sent, { errors: false, items: [] })).toThrow(
      '_bulk response has 0 items for 3 documents sent',
    );
  });
});

test('backoff doubles from 200 ms, is capped, and jitter scales it between half and all of it', () => {
  expect([1, 2, 3, 4].map((a) => backoffMs(a, 1))).toEqual([200, 400, 800, 1600]);
  expect(backoffMs(20, 1)).toBe(20_000);
  expect(backoffMs(1, 0)).toBe(100);
});
