import {
  Logger,
  METRICS,
  activeConnectionsDocument,
  clientIp,
  requestMetricDocuments,
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
    log.metrics(activeConnectionsDocument('svc', 2, 0));
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

describe('EMF metric documents', () => {
  test('a successful request counts one request and its duration in seconds, dimension service', () => {
    const [doc, ...rest] = requestMetricDocuments('svc', { durationMs: 12.3456, tools: [] }, 1000);
    expect(rest).toEqual([]);
    expect(doc).toEqual({
      _aws: {
        Timestamp: 1000,
        CloudWatchMetrics: [
          {
            Namespace: 'McpOps',
            Dimensions: [['service']],
            Metrics: [
              { Name: 'mcp_requests_total', Unit: 'Count' },
              { Name: 'mcp_request_duration_seconds', Unit: 'Seconds' },
            ],
          },
        ],
      },
      service: 'svc',
      mcp_requests_total: 1,
      mcp_request_duration_seconds: 0.012346,
    });
  });

  test('a failed request adds mcp_errors_total with dimension error_type; each tool gets its own document', () => {
    const docs = requestMetricDocuments(
      'svc',
      { durationMs: 5, errorType: 'tool_error', tools: ['echo', 'wait', 'echo'] },
      1000,
    );
    expect(docs[0]).toMatchObject({ error_type: 'tool_error', mcp_errors_total: 1 });
    expect((docs[0]._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics[1]).toEqual({
      Namespace: 'McpOps',
      Dimensions: [['service', 'error_type']],
      Metrics: [{ Name: METRICS.errors, Unit: 'Count' }],
    });
    expect(docs.slice(1)).toEqual([
      expect.objectContaining({ tool: 'echo', tools_executed_total: 2 }),
      expect.objectContaining({ tool: 'wait', tools_executed_total: 1 }),
    ]);
    expect(
      (docs[1]._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][] }> }).CloudWatchMetrics[0].Dimensions,
    ).toEqual([['service', 'tool']]);
  });

  test('every dimension named in a directive is a root member of the document (else CloudWatch drops it)', () => {
    const docs = [
      ...requestMetricDocuments('svc', { durationMs: 1, errorType: 'timeout', tools: ['a'] }, 1),
      activeConnectionsDocument('svc', 3, 1),
    ];
    for (const doc of docs) {
      for (const d of (
        doc._aws as { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }
      ).CloudWatchMetrics) {
        for (const dim of d.Dimensions.flat()) expect(typeof doc[dim]).toBe('string');
        for (const m of d.Metrics) expect(typeof doc[m.Name]).toBe('number');
      }
    }
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
      'Bearer resource_metadata="https://m/x", error="invalid_token", error_description="claim \\"aud\\" bad"',
    );
  });
});
