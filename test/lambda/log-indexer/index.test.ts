import * as http from 'http';
import { AddressInfo } from 'net';
import { gzipSync } from 'zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { bulkUrl, depsFromEnv, indexLogObjects, LogIndexerDeps, Sha256 } from '../../../lambda/log-indexer';
import { documentId } from '../../../lib/logging/opensearch-bulk';
import { encodeSubscriptionPayload, firehoseS3Output } from '../../../lib/logging/records';
import { LocalS3, startLocalS3 } from '../../support/s3-server';
import { CRASH_LINES, scenarioLines } from '../../logging/fixtures';

const BUCKET = 'log-bucket';
const KEY = 'logs/year=2026/month=11/day=25/mcp-mcp-server-logs-1-2026-11-25-07-03-10-0b1c.gz';
const OTHER_KEY = 'logs/year=2026/month=11/day=25/mcp-mcp-server-logs-1-2026-11-25-07-04-10-77aa.gz';
const EMPTY_KEY = 'logs/year=2026/month=11/day=25/empty.gz';
const NOW = Date.UTC(2026, 10, 25, 7, 10, 0);
const REGION = 'eu-west-1';
const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
};
/** A line written just after midnight: it belongs in the next day's index. */
const NEXT_DAY_LINE = JSON.stringify({
  timestamp: '2026-11-26T00:00:01.000Z',
  level: 'INFO',
  service: 'mcp-server',
  log_type: 'app',
  message: 'after midnight',
});

/** One `_bulk` request as the stand-in OpenSearch received it. */
interface BulkRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The action/document pairs of the NDJSON body. */
  readonly items: Array<{ action: { index: { _index: string; _id: string } }; doc: Record<string, unknown> }>;
}
type Responder = (req: BulkRequest) => { status: number; body: unknown };

/** Verifies a SigV4 `es` signature by signing the same request again with the shared credentials. */
async function verifySignature(
  req: http.IncomingMessage,
  body: string,
  credentials: typeof CREDENTIALS,
): Promise<string | undefined> {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return `not a SigV4 Authorization header: ${auth}`;
  const [, keyId, , region, service, signedHeaders] = m;
  if (service !== 'es') return `signed for service ${service}, not es`;
  if (region !== REGION) return `signed for region ${region}`;
  if (keyId !== credentials.accessKeyId) return `unknown access key ${keyId}`;
  if (req.headers['x-amz-security-token'] !== credentials.sessionToken) return 'session token missing';
  for (const h of ['host', 'x-amz-date', 'x-amz-content-sha256'])
    if (!signedHeaders.split(';').includes(h)) return `${h} is not signed`;
  const amzDate = String(req.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const headers: Record<string, string> = {};
  for (const h of signedHeaders.split(';')) headers[h] = String(req.headers[h]);
  const [hostname, port] = String(req.headers.host).split(':');
  const expected = await new SignatureV4({
    service: 'es',
    region: REGION,
    credentials,
    sha256: Sha256,
    applyChecksum: true,
  }).sign(
    {
      method: req.method!,
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: req.url!,
      query: {},
      headers,
      body,
    },
    { signingDate },
  );
  return expected.headers.authorization === auth ? undefined : 'signature does not match';
}

/** A local HTTP server standing in for the OpenSearch domain: accepts signed `_bulk` requests only. */
async function startFakeOpenSearch(): Promise<{
  endpoint: string;
  requests: BulkRequest[];
  respond: (r: Responder) => void;
  serverCredentials: typeof CREDENTIALS;
  stop: () => Promise<void>;
}> {
  const requests: BulkRequest[] = [];
  let responder: Responder = (r) => ({
    status: 200,
    body: {
      took: 1,
      errors: false,
      items: r.items.map((i) => ({
        index: { _index: i.action.index._index, _id: i.action.index._id, status: 201, result: 'created' },
      })),
    },
  });
  const state = { serverCredentials: { ...CREDENTIALS } };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const send = (status: number, doc: unknown): void => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(doc));
        };
        if (req.method !== 'POST' || req.url !== '/_bulk')
          return send(404, { error: `unexpected ${req.method} ${req.url}` });
        if (req.headers['content-type'] !== 'application/x-ndjson')
          return send(400, { error: 'content-type must be application/x-ndjson' });
        const problem = await verifySignature(req, body, state.serverCredentials);
        if (problem) return send(403, { message: problem });
        if (!body.endsWith('\n')) return send(400, { error: 'bulk body must end with a newline' });
        const lines = body.slice(0, -1).split('\n');
        if (lines.length % 2 !== 0) return send(400, { error: 'action/document lines are not paired' });
        const items: BulkRequest['items'] = [];
        for (let i = 0; i < lines.length; i += 2)
          items.push({ action: JSON.parse(lines[i]), doc: JSON.parse(lines[i + 1]) });
        const request: BulkRequest = { method: req.method, path: req.url, headers: req.headers, body, items };
        requests.push(request);
        const out = responder(request);
        send(out.status, out.body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    respond: (r) => {
      responder = r;
    },
    get serverCredentials() {
      return state.serverCredentials;
    },
    set serverCredentials(c) {
      state.serverCredentials = c;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok = (
  items: BulkRequest['items'],
  failWith?: (id: string, i: number) => { status: number; error: unknown } | undefined,
): { status: number; body: unknown } => {
  const out = items.map((it, i) => {
    const f = failWith?.(it.action.index._id, i);
    return {
      index: {
        _index: it.action.index._index,
        _id: it.action.index._id,
        ...(f ? { status: f.status, error: f.error } : { status: 201, result: 'created' }),
      },
    };
  });
  return { status: 200, body: { took: 3, errors: out.some((o) => o.index.status >= 300), items: out } };
};

describe('log indexer (lambda/log-indexer)', () => {
  let s3: LocalS3;
  let s3Client: S3Client;
  let os: Awaited<ReturnType<typeof startFakeOpenSearch>>;
  let ndjson = '';
  let sleeps: number[] = [];

  beforeAll(async () => {
    [s3, os] = await Promise.all([startLocalS3([BUCKET]), startFakeOpenSearch()]);
    s3Client = s3.client();
    // What the application Firehose writes: every event of the subscription payload, message-extracted, one per line, gzip.
    const lines = [
      ...scenarioLines(),
      ...CRASH_LINES.map((message, i) => ({ timestamp: Date.UTC(2026, 10, 25, 7, 3, 0) + i, message })),
      { timestamp: Date.UTC(2026, 10, 26, 0, 0, 1), message: NEXT_DAY_LINE },
    ];
    const payload = encodeSubscriptionPayload({
      messageType: 'DATA_MESSAGE',
      owner: '111111111111',
      logGroup: '/mcp/mcp-server/application',
      logStream: 'mcp/mcp/abc',
      subscriptionFilters: ['mcp-all-to-firehose'],
      logEvents: lines.map((l, i) => ({ id: String(i), timestamp: l.timestamp, message: l.message })),
    });
    ndjson = firehoseS3Output(payload);
    const put = (Key: string, text: string): Promise<unknown> =>
      s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: gzipSync(Buffer.from(text)) }));
    await Promise.all([put(KEY, ndjson), put(OTHER_KEY, ndjson), put(EMPTY_KEY, '')]);
  });
  afterAll(async () => {
    s3Client.destroy();
    await Promise.all([s3.stop(), os.stop()]);
  });
  beforeEach(() => {
    os.requests.length = 0;
    os.respond((r) => ok(r.items));
    os.serverCredentials = { ...CREDENTIALS };
    sleeps = [];
  });

  const s3Event = (...keys: string[]): unknown => ({
    Records: keys.map((key) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      eventTime: '2026-11-25T07:03:20.000Z',
      s3: { bucket: { name: BUCKET }, object: { key: key.replace(/=/g, '%3D'), size: 1 } },
    })),
  });
  const deps = (over: Partial<LogIndexerDeps> = {}): LogIndexerDeps => ({
    s3: s3Client,
    endpoint: os.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    indexPrefix: 'mcp',
    rotation: 'OneDay',
    retryDurationMs: 300_000,
    maxAttempts: 4,
    fetch: globalThis.fetch,
    now: () => NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...over,
  });
  const lineCount = (): number => ndjson.trimEnd().split('\n').length;

  test('indexes every line of the object as one document, signed SigV4 for es, into the daily index of its own timestamp', async () => {
    const result = await indexLogObjects(s3Event(KEY), deps());
    expect(result).toEqual({ objects: 1, documents: lineCount(), requests: 1 });
    expect(os.requests).toHaveLength(1);
    const [req] = os.requests;
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261125\/eu-west-1\/es\/aws4_request, /,
    );
    expect(req.headers['x-amz-date']).toBe('20261125T071000Z'); // the injected clock
    const lines = ndjson.trimEnd().split('\n');
    expect(req.items.map((i) => i.doc)).toEqual(
      lines.map((l) => {
        try {
          return JSON.parse(l);
        } catch {
          return { message: l, timestamp: '2026-11-25T07:03:20.000Z' };
        }
      }),
    );
    expect(req.items.map((i) => Object.keys(i.action))).toEqual(lines.map(() => ['index'])); // overwrite by id, never `create`
    const indices = req.items.map((i) => i.action.index._index);
    expect(indices.slice(0, -1).every((x) => x === 'mcp-2026.11.25')).toBe(true);
    expect(indices[indices.length - 1]).toBe('mcp-2026.11.26');
    // Crash lines (not JSON) are wrapped, with the S3 event's time.
    expect(req.items.filter((i) => CRASH_LINES.includes(i.doc.message as string)).map((i) => i.doc.timestamp)).toEqual([
      '2026-11-25T07:03:20.000Z',
      '2026-11-25T07:03:20.000Z',
    ]);
  });

  test('configured from the environment McpLogging sets: OPENSEARCH_ENDPOINT points the function at the local domain', async () => {
    const fromEnv = depsFromEnv(
      {
        OPENSEARCH_ENDPOINT: os.endpoint,
        AWS_REGION: REGION,
        INDEX_PREFIX: 'mcp',
        INDEX_ROTATION: 'OneDay',
        RETRY_DURATION_SECONDS: '300',
      },
      {
        s3: s3Client,
        credentials: async () => CREDENTIALS,
        fetch: globalThis.fetch,
        now: () => NOW,
        sleep: async () => undefined,
        random: () => 0.5,
      },
    );
    await expect(indexLogObjects(s3Event(KEY), fromEnv)).resolves.toEqual({
      objects: 1,
      documents: lineCount(),
      requests: 1,
    });
    expect(os.requests[0].items[0].action.index).toEqual({ _index: 'mcp-2026.11.25', _id: documentId(BUCKET, KEY, 1) });
  });

  test('a 200 answer that is not a _bulk response fails with the key', async () => {
    os.respond(() => ({ status: 200, body: { acknowledged: true } }));
    await expect(indexLogObjects(s3Event(KEY), deps())).rejects.toThrow(
      `log indexer: s3://${BUCKET}/${KEY}: not a _bulk response: {"acknowledged":true} (HTTP 200)`,
    );
  });

  test('document ids are deterministic (object key + line number): replaying an object overwrites the same documents', async () => {
    await indexLogObjects(s3Event(KEY), deps());
    await indexLogObjects(s3Event(KEY), deps());
    await indexLogObjects(s3Event(OTHER_KEY), deps());
    const ids = os.requests.map((r) => r.items.map((i) => i.action.index._id));
    expect(ids[1]).toEqual(ids[0]);
    expect(new Set(ids[0]).size).toBe(lineCount());
    expect(ids[0]).toEqual(ids[0].map((_, i) => documentId(BUCKET, KEY, i + 1)));
    expect(ids[2].filter((x) => ids[0].includes(x))).toEqual([]);
  });

  test('index rotation and prefix come from the configuration', async () => {
    await indexLogObjects(s3Event(KEY), deps({ indexPrefix: 'app-logs', rotation: 'OneMonth' }));
    expect(new Set(os.requests[0].items.map((i) => i.action.index._index))).toEqual(new Set(['app-logs-2026.11']));
  });

  test('items rejected with 429 or 5xx are retried alone, with backoff, until they are indexed', async () => {
    let call = 0;
    const flaky = [documentId(BUCKET, KEY, 2), documentId(BUCKET, KEY, 5), documentId(BUCKET, KEY, 9)];
    os.respond((r) => {
      call++;
      if (call === 1)
        return ok(r.items, (id) =>
          id === flaky[0]
            ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }
            : flaky.includes(id)
              ? { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } }
              : undefined,
        );
      if (call === 2)
        return ok(r.items, (id) =>
          id === flaky[2]
            ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }
            : undefined,
        );
      return ok(r.items);
    });
    const result = await indexLogObjects(s3Event(KEY), deps());
    expect(result).toEqual({ objects: 1, documents: lineCount(), requests: 3 });
    expect(os.requests.map((r) => r.items.map((i) => i.action.index._id))).toEqual([
      expect.any(Array),
      flaky,
      [flaky[2]],
    ]);
    // The retried documents are the same documents, sent again to the same index.
    expect(os.requests[1].items.map((i) => i.doc)).toEqual(
      os.requests[0].items.filter((i) => flaky.includes(i.action.index._id)).map((i) => i.doc),
    );
    expect(sleeps).toEqual([150, 300]); // 200 ms · 2^(n-1), scaled by 0.75 for jitter 0.5
  });

  test('a whole request answered 429 or 503 is retried', async () => {
    let call = 0;
    os.respond((r) =>
      ++call <= 2 ? { status: call === 1 ? 429 : 503, body: { error: 'too many requests' } } : ok(r.items),
    );
    await expect(indexLogObjects(s3Event(KEY), deps())).resolves.toEqual({
      objects: 1,
      documents: lineCount(),
      requests: 3,
    });
    expect(os.requests[2].items).toHaveLength(lineCount());
  });

  test('a request that fails on the network (reset, timeout) is retried', async () => {
    let calls = 0;
    const flakyFetch: typeof fetch = async (input, init) => {
      if (++calls === 1) throw new TypeError('fetch failed');
      return globalThis.fetch(input, init);
    };
    await expect(indexLogObjects(s3Event(KEY), deps({ fetch: flakyFetch }))).resolves.toEqual({
      objects: 1,
      documents: lineCount(),
      requests: 2,
    });
    expect(os.requests).toHaveLength(1);
    expect(sleeps).toEqual([150]);
  });

  test('items still failing after the last attempt make the invocation throw with the object key (for the on-failure queue)', async () => {
    os.respond((r) =>
      ok(r.items, (_id, i) =>
        i === 0 ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } : undefined,
      ),
    );
    await expect(indexLogObjects(s3Event(KEY), deps({ maxAttempts: 3 }))).rejects.toThrow(
      `log indexer: s3://${BUCKET}/${KEY}: 1 documents (lines 1) not indexed after 3 attempts: 1 items rejected (429 es_rejected_execution_exception: queue full)`,
    );
    expect(os.requests.map((r) => r.items.length)).toEqual([lineCount(), 1, 1]);
    expect(sleeps).toEqual([150, 300]);
  });

  test('the retry duration bounds the retries too', async () => {
    let t = NOW;
    os.respond(() => ({ status: 503, body: { error: 'unavailable' } }));
    await expect(
      indexLogObjects(
        s3Event(KEY),
        deps({
          maxAttempts: 100,
          retryDurationMs: 1000,
          now: () => t,
          sleep: async (ms) => {
            sleeps.push(ms);
            t += ms;
          },
        }),
      ),
    ).rejects.toThrow(
      new RegExp(
        `^log indexer: s3://${BUCKET}/${KEY.replace(/[.]/g, '\\.')}: \\d+ documents .* not indexed after 3 attempts: _bulk answered HTTP 503`,
      ),
    );
    expect(sleeps).toEqual([150, 300]); // after 450 ms, the next wait (600 ms) would pass the 1 s budget
  });

  test('documents OpenSearch rejects for good (mapping errors) are not retried and fail the invocation', async () => {
    os.respond((r) =>
      ok(r.items, (_id, i) =>
        i === 3
          ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [duration_ms]' } }
          : undefined,
      ),
    );
    await expect(indexLogObjects(s3Event(KEY), deps())).rejects.toThrow(
      `log indexer: s3://${BUCKET}/${KEY}: 1 documents rejected and not retryable (line 4: 400 mapper_parsing_exception: failed to parse field [duration_ms])`,
    );
    expect(os.requests).toHaveLength(1);
  });

  test('a request the domain refuses (bad signature, 403) fails at once with the key', async () => {
    os.serverCredentials = { ...CREDENTIALS, secretAccessKey: 'another-secret' };
    await expect(indexLogObjects(s3Event(KEY), deps())).rejects.toThrow(
      `log indexer: s3://${BUCKET}/${KEY}: _bulk answered HTTP 403 (not retryable): {"message":"signature does not match"}`,
    );
    expect(sleeps).toEqual([]);
  });

  test('an empty object indexes nothing', async () => {
    await expect(indexLogObjects(s3Event(EMPTY_KEY), deps())).resolves.toEqual({
      objects: 1,
      documents: 0,
      requests: 0,
    });
    expect(os.requests).toHaveLength(0);
  });

  test('large objects are split into several _bulk requests', async () => {
    const result = await indexLogObjects(
      s3Event(KEY),
      deps({ bulkLimits: { maxBytes: 1024 * 1024, maxDocuments: 10 } }),
    );
    expect(result.requests).toBe(Math.ceil(lineCount() / 10));
    expect(os.requests.flatMap((r) => r.items.map((i) => i.action.index._id))).toEqual(
      Array.from({ length: lineCount() }, (_, i) => documentId(BUCKET, KEY, i + 1)),
    );
  });

  test.each([
    [{}, /expected an S3 event notification/],
    [{ Records: [] }, /expected an S3 event notification/],
    [{ Records: [{ eventSource: 'aws:sqs' }] }, /aws:s3 record/],
    [
      {
        Records: [
          { eventSource: 'aws:s3', s3: { bucket: { name: BUCKET }, object: { key: 'errors/processing-failed/x.gz' } } },
        ],
      },
      /outside logs\//,
    ],
  ])('bad event %j is rejected and indexes nothing', async (event, message) => {
    await expect(indexLogObjects(event, deps())).rejects.toThrow(message);
    expect(os.requests).toHaveLength(0);
  });

  test('a missing object fails loudly', async () => {
    await expect(indexLogObjects(s3Event('logs/year=2026/month=11/day=25/missing.gz'), deps())).rejects.toThrow();
    expect(os.requests).toHaveLength(0);
  });
});

describe('configuration', () => {
  const base = {
    s3: {} as S3Client,
    credentials: CREDENTIALS,
    fetch: globalThis.fetch,
    now: () => NOW,
    sleep: async () => undefined,
    random: () => 0,
  };
  test('reads the environment McpLogging sets', () => {
    const d = depsFromEnv(
      {
        OPENSEARCH_ENDPOINT: 'search-logs-abc.eu-west-1.es.amazonaws.com',
        OPENSEARCH_REGION: 'eu-west-1',
        INDEX_PREFIX: 'mcp',
        INDEX_ROTATION: 'OneHour',
        RETRY_DURATION_SECONDS: '120',
      },
      base,
    );
    expect([d.endpoint, d.region, d.indexPrefix, d.rotation, d.retryDurationMs, d.maxAttempts]).toEqual([
      'search-logs-abc.eu-west-1.es.amazonaws.com',
      'eu-west-1',
      'mcp',
      'OneHour',
      120_000,
      8,
    ]);
  });
  test.each([
    [{}, 'OPENSEARCH_ENDPOINT is not set'],
    [
      { OPENSEARCH_ENDPOINT: 'x.es.amazonaws.com', INDEX_ROTATION: 'Daily', AWS_REGION: 'eu-west-1' },
      'INDEX_ROTATION must be one of NoRotation, OneHour, OneDay, OneWeek, OneMonth, got Daily',
    ],
    [
      { OPENSEARCH_ENDPOINT: 'http://search.example.com', AWS_REGION: 'eu-west-1' },
      'OPENSEARCH_ENDPOINT must be https (got http://search.example.com)',
    ],
  ])('rejects %j', (env, message) => {
    expect(() => depsFromEnv(env, base)).toThrow(message);
  });
  test('a bare domain endpoint means https', () => {
    expect(bulkUrl('search-logs-abc.eu-west-1.es.amazonaws.com').href).toBe(
      'https://search-logs-abc.eu-west-1.es.amazonaws.com/_bulk',
    );
    expect(bulkUrl('http://127.0.0.1:9200/').href).toBe('http://127.0.0.1:9200/_bulk');
  });
});
