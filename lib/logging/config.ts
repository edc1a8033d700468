/**
 * Validation and defaults of the log pipeline's props, as a pure function (no CDK imports), so
 * every rule is unit-tested directly. Errors name the prop, the value given and what is allowed.
 */

/** The numeric and naming inputs of McpLogging, in plain units. */
export interface LoggingConfigInput {
  readonly serviceName: string;
  readonly auditObjectLockDays?: number;
  /** Audit log group retention in days (a `logs.RetentionDays` value; 9999 = never expire). */
  readonly auditRetentionDays?: number;
  readonly logBucketExpirationDays?: number;
  readonly auditExpirationDays?: number;
  readonly bufferIntervalSeconds?: number;
  readonly bufferSizeMiB?: number;
  /** Whether an OpenSearch destination is configured (its buffer limit is 100 MiB). */
  readonly openSearch?: boolean;
  readonly indexPrefix?: string;
  readonly streamPrefix?: string;
  readonly logBufferSizeMiB?: number;
}

/** The validated configuration with defaults filled in. */
export interface LoggingConfig {
  readonly serviceName: string;
  readonly auditObjectLockDays: number;
  readonly logBucketExpirationDays: number;
  readonly auditExpirationDays?: number;
  readonly bufferIntervalSeconds: number;
  readonly bufferSizeMiB: number;
  readonly indexPrefix: string;
  readonly streamPrefix: string;
  readonly logBufferSizeMiB: number;
}

/** Defaults of McpLogging. */
export const LOGGING_DEFAULTS = {
  auditObjectLockDays: 400,
  logBucketExpirationDays: 90,
  bufferIntervalSeconds: 10,
  bufferSizeMiB: 5,
  indexPrefix: 'mcp',
  streamPrefix: 'mcp',
  logBufferSizeMiB: 25,
  /** CloudWatch Logs' "never expire" retention value. */
  auditRetentionMinimumDays: 365,
} as const;

/** Firehose limits (S3 and OpenSearch destinations). */
export const FIREHOSE_LIMITS = {
  minIntervalSeconds: 0,
  maxIntervalSeconds: 900,
  minSizeMiB: 1,
  maxSizeMiBS3: 128,
  maxSizeMiBOpenSearch: 100,
} as const;

function integerIn(prop: string, value: number, min: number, max: number, unit = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`McpLogging: ${prop} must be an integer from ${min} to ${max}${unit}, got ${value}`);
  }
  return value;
}

/** Validates McpLogging's inputs and fills in defaults; throws an error naming the prop otherwise. */
export function resolveLoggingConfig(input: LoggingConfigInput): LoggingConfig {
  if (typeof input.serviceName !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(input.serviceName)) {
    throw new Error(`McpLogging: serviceName must be 1–64 characters of [A-Za-z0-9_-], got ${JSON.stringify(input.serviceName)}`);
  }
  const auditObjectLockDays = integerIn('auditObjectLockDays', input.auditObjectLockDays ?? LOGGING_DEFAULTS.auditObjectLockDays, 1, 36500, ' days');
  if (input.auditRetentionDays !== undefined && input.auditRetentionDays < LOGGING_DEFAULTS.auditRetentionMinimumDays) {
    throw new Error(`McpLogging: auditRetention must be at least one year (365 days, e.g. RetentionDays.ONE_YEAR), got ${input.auditRetentionDays} days`);
  }
  const logBucketExpirationDays = integerIn('logBucketExpirationDays', input.logBucketExpirationDays ?? LOGGING_DEFAULTS.logBucketExpirationDays, 1, 36500, ' days');
  let auditExpirationDays: number | undefined;
  if (input.auditExpirationDays !== undefined) {
    auditExpirationDays = integerIn('auditExpirationDays', input.auditExpirationDays, 1, 36500, ' days');
    if (auditExpirationDays < auditObjectLockDays) {
      throw new Error(`McpLogging: auditExpirationDays must be at least auditObjectLockDays (${auditObjectLockDays}), got ${auditExpirationDays}`);
    }
  }
  const bufferIntervalSeconds = integerIn('bufferInterval', input.bufferIntervalSeconds ?? LOGGING_DEFAULTS.bufferIntervalSeconds,
    FIREHOSE_LIMITS.minIntervalSeconds, FIREHOSE_LIMITS.maxIntervalSeconds, ' seconds');
  const maxSize = input.openSearch ? FIREHOSE_LIMITS.maxSizeMiBOpenSearch : FIREHOSE_LIMITS.maxSizeMiBS3;
  const bufferSizeMiB = integerIn('bufferSize', input.bufferSizeMiB ?? LOGGING_DEFAULTS.bufferSizeMiB, FIREHOSE_LIMITS.minSizeMiB, maxSize,
    input.openSearch ? ' MiB (with openSearch)' : ' MiB');
  const indexPrefix = input.indexPrefix ?? LOGGING_DEFAULTS.indexPrefix;
  // OpenSearch index names: lowercase, no leading _ - +, none of \ / * ? " < > | space , #; Firehose appends `-<date>`.
  if (!/^[a-z0-9][a-z0-9_.-]{0,79}$/.test(indexPrefix)) {
    throw new Error(`McpLogging: openSearch.indexPrefix must be 1–80 characters of [a-z0-9_.-] starting with a letter or digit, got ${JSON.stringify(indexPrefix)}`);
  }
  const streamPrefix = input.streamPrefix ?? LOGGING_DEFAULTS.streamPrefix;
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(streamPrefix)) {
    throw new Error(`McpLogging: streamPrefix must be 1–128 characters of [A-Za-z0-9_.-], got ${JSON.stringify(streamPrefix)}`);
  }
  const logBufferSizeMiB = input.logBufferSizeMiB ?? LOGGING_DEFAULTS.logBufferSizeMiB;
  if (!Number.isFinite(logBufferSizeMiB) || logBufferSizeMiB <= 0 || logBufferSizeMiB > 1024) {
    throw new Error(`McpLogging: logBufferSize must be more than 0 and at most 1024 MiB, got ${logBufferSizeMiB} MiB`);
  }
  return {
    serviceName: input.serviceName,
    auditObjectLockDays,
    logBucketExpirationDays,
    auditExpirationDays,
    bufferIntervalSeconds,
    bufferSizeMiB,
    indexPrefix,
    streamPrefix,
    logBufferSizeMiB,
  };
}
