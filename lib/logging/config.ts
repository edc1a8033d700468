/**
 * Validation and defaults of the log pipeline's props, as a pure function (no CDK imports), so
 * every rule is unit-tested directly. Errors name the prop, the value given and what is allowed.
 */
import { serviceNameProblem } from '../internal/service-name';
import { checkInteger, checkNumber, checkPattern, checkThat } from '../internal/validate';
import { INDEX_ROTATIONS } from './opensearch-bulk';

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
  readonly indexPrefix?: string;
  /** `openSearch.indexRotation`. */
  readonly indexRotation?: string;
  /** `openSearch.retryDuration` in seconds. */
  readonly retryDurationSeconds?: number;
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
  readonly indexRotation: string;
  readonly retryDurationSeconds: number;
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
  indexRotation: 'OneDay',
  /** How long the log indexer retries documents OpenSearch rejects (429, 5xx) before failing the object. */
  retryDurationSeconds: 300,
  streamPrefix: 'mcp',
  logBufferSizeMiB: 25,
  /** CloudWatch Logs' "never expire" retention value. */
  auditRetentionMinimumDays: 365,
} as const;

/** Firehose limits (S3 destination). */
export const FIREHOSE_LIMITS = {
  minIntervalSeconds: 0,
  maxIntervalSeconds: 900,
  minSizeMiB: 1,
  maxSizeMiBS3: 128,
} as const;

/**
 * Upper bound of `openSearch.retryDuration`: the log indexer's timeout is the retry duration plus
 * {@link LOG_INDEXER_TIMEOUT_MARGIN_SECONDS}, and a Lambda function runs at most 900 seconds.
 */
export const MAX_INDEX_RETRY_SECONDS = 600;
/** Time the log indexer gets beyond its retry duration (download, parse, the bulk requests themselves). */
export const LOG_INDEXER_TIMEOUT_MARGIN_SECONDS = 300;

const OWNER = 'McpLogging';

function integerIn(prop: string, value: number, min: number, max: number): number {
  checkInteger(OWNER, prop, value, min, max);
  return value;
}

/** Validates McpLogging's inputs and fills in defaults; throws an error naming the prop otherwise. */
export function resolveLoggingConfig(input: LoggingConfigInput): LoggingConfig {
  // The one service-name rule of the package (lib/internal/service-name.ts).
  const nameProblem = serviceNameProblem(input.serviceName);
  if (nameProblem) throw new Error(`${OWNER}: ${nameProblem}`);
  const auditObjectLockDays = integerIn(
    'auditObjectLockPeriod (days)',
    input.auditObjectLockDays ?? LOGGING_DEFAULTS.auditObjectLockDays,
    1,
    36500,
  );
  checkThat(
    OWNER,
    input.auditRetentionDays === undefined || input.auditRetentionDays >= LOGGING_DEFAULTS.auditRetentionMinimumDays,
    `auditRetention must be at least one year (365 days, e.g. RetentionDays.ONE_YEAR), got ${input.auditRetentionDays} days`,
  );
  const logBucketExpirationDays = integerIn(
    'logBucketExpiration (days)',
    input.logBucketExpirationDays ?? LOGGING_DEFAULTS.logBucketExpirationDays,
    1,
    36500,
  );
  let auditExpirationDays: number | undefined;
  if (input.auditExpirationDays !== undefined) {
    auditExpirationDays = integerIn('auditExpiration (days)', input.auditExpirationDays, 1, 36500);
    checkThat(
      OWNER,
      auditExpirationDays >= auditObjectLockDays,
      `auditExpiration must be at least auditObjectLockPeriod (${auditObjectLockDays} days), got ${auditExpirationDays} days`,
    );
  }
  const bufferIntervalSeconds = integerIn(
    'bufferInterval (seconds)',
    input.bufferIntervalSeconds ?? LOGGING_DEFAULTS.bufferIntervalSeconds,
    FIREHOSE_LIMITS.minIntervalSeconds,
    FIREHOSE_LIMITS.maxIntervalSeconds,
  );
  const bufferSizeMiB = integerIn(
    'bufferSize (MiB)',
    input.bufferSizeMiB ?? LOGGING_DEFAULTS.bufferSizeMiB,
    FIREHOSE_LIMITS.minSizeMiB,
    FIREHOSE_LIMITS.maxSizeMiBS3,
  );
  const indexPrefix = input.indexPrefix ?? LOGGING_DEFAULTS.indexPrefix;
  // OpenSearch index names: lowercase, no leading _ - +, none of \ / * ? " < > | space , #; the indexer appends `-<date>`.
  checkPattern(
    OWNER,
    'openSearch.indexPrefix',
    indexPrefix,
    /^[a-z0-9][a-z0-9_.-]{0,79}$/,
    '1–80 characters of [a-z0-9_.-] starting with a letter or digit',
  );
  const indexRotation = input.indexRotation ?? LOGGING_DEFAULTS.indexRotation;
  checkThat(
    OWNER,
    (INDEX_ROTATIONS as readonly string[]).includes(indexRotation),
    `openSearch.indexRotation must be one of ${INDEX_ROTATIONS.join(', ')}, got ${JSON.stringify(indexRotation)}`,
  );
  const retryDurationSeconds = integerIn(
    'openSearch.retryDuration (seconds)',
    input.retryDurationSeconds ?? LOGGING_DEFAULTS.retryDurationSeconds,
    0,
    MAX_INDEX_RETRY_SECONDS,
  );
  const streamPrefix = input.streamPrefix ?? LOGGING_DEFAULTS.streamPrefix;
  checkPattern(OWNER, 'streamPrefix', streamPrefix, /^[A-Za-z0-9_.-]{1,128}$/, '1–128 characters of [A-Za-z0-9_.-]');
  const logBufferSizeMiB = input.logBufferSizeMiB ?? LOGGING_DEFAULTS.logBufferSizeMiB;
  checkNumber(OWNER, 'logBufferSize (MiB)', logBufferSizeMiB, 1, 1024);
  return {
    serviceName: input.serviceName,
    auditObjectLockDays,
    logBucketExpirationDays,
    auditExpirationDays,
    bufferIntervalSeconds,
    bufferSizeMiB,
    indexPrefix,
    indexRotation,
    retryDurationSeconds,
    streamPrefix,
    logBufferSizeMiB,
  };
}
