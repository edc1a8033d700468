import * as fc from 'fast-check';
import {
  ActivePrincipals,
  Logger,
  MAX_QUOTA_CLIENTS_PER_SAMPLE,
  METRICS,
  RateLimiter,
  TOOL_NAMES,
  clientIp,
  describeRequest,
  methodLabel,
  nameLabel,
  protocolVersionLabel,
  requestMetricDocument,
  requestProtocolVersion,
  taskMetricDocuments,
  wwwAuthenticate,
} from '../../service/src';

const fixed = () => new Date('2026-01-02T03:04:05.678Z');

describe('Logger', () => {
  test('writes one JSON object per line with the common fields of the contract', () => {
    const lines: string[] = [];
    const log = new Logger('svc', 'INFO', (l) => lines.push(l), fixed);
    log.info('request_completed', 'done', { request_id: 'r1', duration_ms: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0])).toEqual({
      timestamp: '2026-01-02T03:04:05.678Z',
      level: 'INFO',
      service: 'svc',
      log_type: 'app',
      message: 'done',
      event: 'request_completed',
      request_id: 'r1',
      duration_ms: 3,
    });
  });

  test('drops application lines below LOG_LEVEL but always writes audit entries and metrics', () => {
    const lines: string[] = [];
    const log = new Logger('svc', 'ERROR', (l) => lines.push(l), fixed);
    log.info('x', 'dropped');
    log.warn('x', 'dropped');
    log.error('boom', 'kept');
    log.audit({
      event_type: 'tool_call',
      principal: 'anonymous',
      action: 'tools/call',
      resource: 'tool:echo',
      result: 'success',
      source_ip: '10.0.0.1',
      user_agent: 'ua',
      request_id: 'r',
    });
    log.metrics(taskMetricDocuments('svc', { activeConnections: 2 }, 0)[0]);
    expect(lines.map((l) => JSON.parse(l)).map((l) => [l.level, l.log_type, l.event ?? l.event_type])).toEqual([
      ['ERROR', 'app', 'boom'],
      ['INFO', 'audit', 'tool_call'],
      ['INFO', 'app', 'metrics'],
    ]);
  });

  test('a failing sink never throws into the caller', () => {
    const log = new Logger('svc', 'DEBUG', () => {
      throw new Error('EPIPE');
    });
    expect(() => log.error('x', 'y')).not.toThrow();
  });
});

type Directive = { Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> };
const directives = (doc: Record<string, unknown>): Directive[] =>
  (doc._aws as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics;

describe('EMF metric documents', () => {
  const base = { method: 'tools/list', protocolVersion: '2026-07-28', toolsExecuted: [] };

  test('a request counts once, with its duration in seconds, per service, method and protocol revision', () => {
    expect(requestMetricDocument('svc', { ...base, durationMs: 12.3456 }, 1000)).toEqual({
      _aws: {
        Timestamp: 1000,
        CloudWatchMetrics: [
          {
            Namespace: 'McpOps',
            Dimensions: [['service'], ['service', 'method'], ['service', 'protocol_version']],
            Metrics: [
              { Name: 'mcp_requests_total', Unit: 'Count' },
              { Name: 'mcp_request_duration_seconds', Unit: 'Seconds' },
            ],
          },
        ],
      },
      service: 'svc',
      method: 'tools/list',
      protocol_version: '2026-07-28',
      mcp_requests_total: 1,
      mcp_request_duration_seconds: 0.012346,
    });
  });

  test('a failed tool call adds mcp_errors_total per error_type; request counts and latency per tool', () => {
    const doc = requestMetricDocument(
      'svc',
      { ...base, method: 'tools/call', tool: 'wait', durationMs: 5, errorType: 'tool_error', toolsExecuted: ['wait'] },
      1000,
    );
    expect(doc).toMatchObject({ tool: 'wait', error_type: 'tool_error', mcp_errors_total: 1, tools_executed_total: 1 });
    expect(directives(doc).map((d) => [d.Dimensions, d.Metrics.map((m) => m.Name)])).toEqual([
      [
        [['service'], ['service', 'method'], ['service', 'protocol_version'], ['service', 'tool']],
        ['mcp_requests_total', 'mcp_request_duration_seconds'],
      ],
      [[['service', 'error_type']], [METRICS.errors]],
      [[['service', 'tool']], [METRICS.toolsExecuted]],
    ]);
  });

  test('a resource read counts resources_accessed_total per resource', () => {
    const doc = requestMetricDocument(
      'svc',
      { ...base, method: 'resources/read', durationMs: 1, resourceAccessed: 'operational-contract' },
      1,
    );
    expect(doc).toMatchObject({ resource: 'operational-contract', resources_accessed_total: 1 });
    expect(directives(doc)[1]).toEqual({
      Namespace: 'McpOps',
      Dimensions: [['service', 'resource']],
      Metrics: [{ Name: 'resources_accessed_total', Unit: 'Count' }],
    });
  });

  test('task samples: connections and active principals per service; the lowest quotas per client, capped', () => {
    const quotas = Array.from({ length: 30 }, (_, i) => ({
      client: `c${String(i).padStart(2, '0')}`,
      remaining: 100 - i,
    }));
    const [task, ...perClient] = taskMetricDocuments('svc', { activeConnections: 3, activePrincipals: 7, quotas }, 5);
    expect(task).toMatchObject({ service: 'svc', mcp_active_connections: 3, user_sessions_active: 7 });
    expect(perClient).toHaveLength(MAX_QUOTA_CLIENTS_PER_SAMPLE);
    expect(perClient[0]).toMatchObject({ client_id: 'c29', api_quota_remaining: 71 });
    expect(perClient.map((d) => d.client_id)).not.toContain('c00');
    expect(directives(perClient[0])).toEqual([
      {
        Namespace: 'McpOps',
        Dimensions: [['service', 'client_id'], ['service']],
        Metrics: [{ Name: 'api_quota_remaining', Unit: 'Count' }],
      },
    ]);
    expect(taskMetricDocuments('svc', { activeConnections: 0 }, 5)).toHaveLength(1);
  });

  test('every dimension named in a directive is a root member of the document (else CloudWatch drops it)', () => {
    const docs = [
      requestMetricDocument(
        'svc',
        { ...base, method: 'tools/call', tool: 'a', durationMs: 1, errorType: 'timeout', toolsExecuted: ['a'] },
        1,
      ),
      requestMetricDocument('svc', { ...base, durationMs: 1, resourceAccessed: 'r' }, 1),
      ...taskMetricDocuments(
        'svc',
        { activeConnections: 3, activePrincipals: 1, quotas: [{ client: 'x', remaining: 2 }] },
        1,
      ),
    ];
    for (const doc of docs) {
      for (const d of directives(doc)) {
        for (const dim of d.Dimensions.flat()) expect(typeof doc[dim]).toBe('string');
        for (const m of d.Metrics) expect(typeof doc[m.Name]).toBe('number');
      }
    }
  });
});

describe('bounded labels', () => {
  test('methods, revisions and names outside the known sets become "other"; missing ones "none"', () => {
    expect(methodLabel('tools/call')).toBe('tools/call');
    expect(methodLabel('server/discover')).toBe('server/discover');
    expect(methodLabel('x/'.repeat(50))).toBe('other');
    expect(methodLabel(undefined)).toBe('none');
    expect(protocolVersionLabel('2026-07-28')).toBe('2026-07-28');
    expect(protocolVersionLabel('2025-11-25')).toBe('2025-11-25');
    expect(protocolVersionLabel('2031-01-01')).toBe('other');
    expect(protocolVersionLabel(undefined)).toBe('none');
    expect(nameLabel('echo', TOOL_NAMES)).toBe('echo');
    expect(nameLabel('drop_tables', TOOL_NAMES)).toBe('other');
  });

  test('describeRequest reads method, tool, resource, client and revision from either era', () => {
    expect(
      describeRequest({
        jsonrpc: '2.0',
        id: 4,
        method: 'tools/call',
        params: {
          name: 'echo',
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'cli', version: '1' },
          },
        },
      }),
    ).toEqual({
      method: 'tools/call',
      id: 4,
      tool: 'echo',
      resourceUri: undefined,
      clientName: 'cli',
      protocolVersion: '2026-07-28',
    });
    expect(
      describeRequest({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', clientInfo: { name: 'old' } },
      }),
    ).toMatchObject({ method: 'initialize', clientName: 'old', protocolVersion: '2025-11-25' });
    expect(
      describeRequest({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'a://b' } }, '2025-06-18'),
    ).toMatchObject({
      resourceUri: 'a://b',
      protocolVersion: '2025-06-18',
    });
    expect(requestProtocolVersion('<script>', undefined)).toBe('invalid');
    expect(requestProtocolVersion(undefined, { method: 'tools/list' })).toBeUndefined();
  });
});

describe('RateLimiter (token bucket per client)', () => {
  test('allows the limit as a burst, then refuses with Retry-After until the bucket refills', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now); // one request a second
    for (let i = 59; i >= 0; i--)
      expect(limiter.take('a')).toEqual({ allowed: true, remaining: i, retryAfterSeconds: 0 });
    expect(limiter.take('a')).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // Another client has its own bucket.
    expect(limiter.take('b').allowed).toBe(true);
    now = 1_000;
    expect(limiter.take('a')).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.remaining('a')).toBe(0);
    now = 31_000;
    expect(limiter.remaining('a')).toBe(30);
    // b has refilled to a full bucket by now and is forgotten.
    expect(limiter.snapshot()).toEqual([{ client: 'a', remaining: 30 }]);
    // A full bucket is forgotten: the snapshot holds only clients with part of their quota used.
    now = 200_000;
    expect(limiter.snapshot()).toEqual([]);
  });

  test('property: never more than limit + elapsed × rate requests are allowed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 300 }),
        (limit, gaps) => {
          let now = 0;
          const limiter = new RateLimiter(limit, () => now);
          let allowed = 0;
          for (const gap of gaps) {
            now += gap;
            if (limiter.take('c').allowed) allowed++;
          }
          expect(allowed).toBeLessThanOrEqual(limit + Math.floor((now * limit) / 60_000) + 1);
        },
      ),
    );
  });

  test('holds at most maxClients buckets, dropping the least recently used', () => {
    const limiter = new RateLimiter(10, () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c');
    expect(limiter.snapshot().map((q) => q.client)).toEqual(['a', 'c']);
    expect(() => new RateLimiter(0)).toThrow('limitPerMinute must be an integer ≥ 1, got 0');
  });
});

describe('ActivePrincipals', () => {
  test('counts distinct principals seen within the window', () => {
    let now = 0;
    const active = new ActivePrincipals(300_000, () => now, 3);
    active.seen('a');
    active.seen('b');
    active.seen('a');
    expect(active.count()).toBe(2);
    now = 200_000;
    active.seen('c');
    now = 350_000; // a and b last seen at 0: outside the window
    expect(active.count()).toBe(1);
    active.seen('d');
    active.seen('e');
    active.seen('f'); // at most 3 tracked
    expect(active.count()).toBe(3);
  });
});

describe('request helpers', () => {
  const req = (xff: string | undefined, remote = '10.0.1.5') =>
    ({ headers: xff === undefined ? {} : { 'x-forwarded-for': xff }, socket: { remoteAddress: remote } }) as never;
  test('the client address is the X-Forwarded-For entry the load balancer appended, else the peer', () => {
    expect(clientIp(req('198.51.100.7'))).toBe('198.51.100.7');
    expect(clientIp(req('1.2.3.4 (spoofed), 198.51.100.7'))).toBe('198.51.100.7');
    expect(clientIp(req(undefined))).toBe('10.0.1.5');
  });

  test('WWW-Authenticate quotes its parameters', () => {
    expect(wwwAuthenticate('https://m/.well-known/oauth-protected-resource/mcp')).toBe(
      'Bearer resource_metadata="https://m/.well-known/oauth-protected-resource/mcp"',
    );
    expect(wwwAuthenticate('https://m/x', { code: 'invalid_token', description: 'claim "aud" bad\n' })).toBe(
      'Bearer error="invalid_token", error_description="claim \\"aud\\" bad", resource_metadata="https://m/x"',
    );
    expect(
      wwwAuthenticate('https://m/x', { code: 'insufficient_scope', description: 'requires admin', scope: 'admin' }),
    ).toBe(
      'Bearer error="insufficient_scope", error_description="requires admin", scope="admin", resource_metadata="https://m/x"',
    );
  });
});
