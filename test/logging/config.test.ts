import { LOGGING_DEFAULTS, resolveLoggingConfig } from '../../lib/logging/config';

describe('resolveLoggingConfig', () => {
  test('defaults: 10 s buffer like the guide, 5 MiB, 400-day lock, 90-day log objects', () => {
    expect(resolveLoggingConfig({ serviceName: 'mcp-server' })).toEqual({
      serviceName: 'mcp-server',
      auditObjectLockDays: 400,
      logBucketExpirationDays: 90,
      auditExpirationDays: undefined,
      bufferIntervalSeconds: 10,
      bufferSizeMiB: 5,
      indexPrefix: 'mcp',
      indexRotation: 'OneDay',
      retryDurationSeconds: 300,
      streamPrefix: 'mcp',
      logBufferSizeMiB: 25,
    });
    expect(LOGGING_DEFAULTS.bufferIntervalSeconds).toBe(10);
  });

  test('accepts the Firehose range edges: zero buffering and 900 s, 1 and 128 MiB', () => {
    expect(resolveLoggingConfig({ serviceName: 's', bufferIntervalSeconds: 0 }).bufferIntervalSeconds).toBe(0);
    expect(
      resolveLoggingConfig({ serviceName: 's', bufferIntervalSeconds: 900, bufferSizeMiB: 128 }).bufferSizeMiB,
    ).toBe(128);
    expect(resolveLoggingConfig({ serviceName: 's', bufferSizeMiB: 1 }).bufferSizeMiB).toBe(1);
  });

  test.each([
    [
      { serviceName: 'has space' },
      'McpLogging: serviceName must be 1–20 characters of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got "has space"',
    ],
    [
      { serviceName: 'a'.repeat(21) },
      `McpLogging: serviceName must be 1–20 characters of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got "${'a'.repeat(21)}" (21 characters; the disaster-recovery workflow names restored caches <serviceName>-dr-<hash>, and ElastiCache allows 40)`,
    ],
    [{ serviceName: '' }, 'serviceName must be'],
    [
      { serviceName: 's', bufferIntervalSeconds: 901 },
      'McpLogging: bufferInterval (seconds) must be an integer from 0 to 900, got 901',
    ],
    [
      { serviceName: 's', bufferIntervalSeconds: 1.5 },
      'bufferInterval (seconds) must be an integer from 0 to 900, got 1.5',
    ],
    [
      { serviceName: 's', bufferSizeMiB: 129 },
      'McpLogging: bufferSize (MiB) must be an integer from 1 to 128, got 129',
    ],
    [
      { serviceName: 's', indexRotation: 'Daily' },
      'McpLogging: openSearch.indexRotation must be one of NoRotation, OneHour, OneDay, OneWeek, OneMonth, got "Daily"',
    ],
    [
      { serviceName: 's', retryDurationSeconds: 601 },
      'McpLogging: openSearch.retryDuration (seconds) must be an integer from 0 to 600, got 601',
    ],
    [
      { serviceName: 's', retryDurationSeconds: 1.5 },
      'McpLogging: openSearch.retryDuration (seconds) must be an integer from 0 to 600, got 1.5',
    ],
    [
      { serviceName: 's', auditObjectLockDays: 0 },
      'McpLogging: auditObjectLockPeriod (days) must be an integer from 1 to 36500, got 0',
    ],
    [
      { serviceName: 's', auditRetentionDays: 180 },
      'McpLogging: auditRetention must be at least one year (365 days, e.g. RetentionDays.ONE_YEAR), got 180 days',
    ],
    [
      { serviceName: 's', auditObjectLockDays: 400, auditExpirationDays: 365 },
      'McpLogging: auditExpiration must be at least auditObjectLockPeriod (400 days), got 365 days',
    ],
    [
      { serviceName: 's', logBucketExpirationDays: -1 },
      'logBucketExpiration (days) must be an integer from 1 to 36500, got -1',
    ],
    [{ serviceName: 's', indexPrefix: 'MCP' }, 'openSearch.indexPrefix must be 1–80 characters of [a-z0-9_.-]'],
    [
      { serviceName: 's', streamPrefix: 'a/b' },
      'McpLogging: streamPrefix must be 1–128 characters of [A-Za-z0-9_.-], got "a/b"',
    ],
    [
      { serviceName: 's', logBufferSizeMiB: 0 },
      'McpLogging: logBufferSize (MiB) must be a number from 1 to 1024, got 0',
    ],
  ])('rejects %j', (input, message) => {
    expect(() => resolveLoggingConfig(input)).toThrow(message);
  });

  test('retry duration edges and every index rotation are accepted', () => {
    expect(resolveLoggingConfig({ serviceName: 's', retryDurationSeconds: 0 }).retryDurationSeconds).toBe(0);
    expect(resolveLoggingConfig({ serviceName: 's', retryDurationSeconds: 600 }).retryDurationSeconds).toBe(600);
    for (const r of ['NoRotation', 'OneHour', 'OneDay', 'OneWeek', 'OneMonth'])
      expect(resolveLoggingConfig({ serviceName: 's', indexRotation: r }).indexRotation).toBe(r);
  });

  test("the longest service name of the package's one rule (20) is accepted", () => {
    expect(resolveLoggingConfig({ serviceName: 'a'.repeat(20) }).serviceName).toHaveLength(20);
  });

  test('audit retention of a year or more, including never-expire (9999), is accepted', () => {
    expect(() => resolveLoggingConfig({ serviceName: 's', auditRetentionDays: 365 })).not.toThrow();
    expect(() => resolveLoggingConfig({ serviceName: 's', auditRetentionDays: 9999 })).not.toThrow();
  });
});
