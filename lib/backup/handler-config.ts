/**
 * The backup Lambda's configuration, read from its environment. Pure (no CDK, no AWS SDK), so the
 * construct and the handler agree on the variable names and the tests can check the parsing.
 */
import { SERVICE_NAME_RULE } from '../internal/service-name';
import type { CacheBackupMode } from './cache-backup-mode';
import { isValidServiceName } from './selection';

/** Everything the handler needs to know. */
export interface BackupHandlerConfig {
  readonly bucket: string;
  readonly service: string;
  /** Length of a schedule slot, minutes (the schedule's rate). */
  readonly intervalMinutes: number;
  readonly ssmParameterPrefix?: string;
  /** Task definition family or ARN (DescribeTaskDefinition takes either). */
  readonly taskDefinition?: string;
  /** ARNs of the service's secrets: recorded by name/ARN only, never read. */
  readonly secretArns: readonly string[];
  readonly database?: {
    readonly instanceId: string;
    readonly snapshotEveryHours: number;
    readonly snapshotRetentionHours: number;
    readonly keepNewestSnapshots: number;
    readonly quotaReserve: number;
  };
  readonly cache?: {
    readonly replicationGroupId: string;
    /** How the cache is covered: a `CacheBackupMode` value (the Lambda reads the string). */
    readonly mode: `${CacheBackupMode}`;
    readonly exportEveryHours: number;
    readonly quotaReserve: number;
  };
  /** TEST ONLY: an S3-compatible endpoint (path-style, checksums only when required). Unset in AWS. */
  readonly s3Endpoint?: string;
}

/** Names of the environment variables, shared by the construct and the handler. */
export const BACKUP_ENV = {
  bucket: 'BACKUP_BUCKET',
  service: 'SERVICE_NAME',
  intervalMinutes: 'BACKUP_INTERVAL_MINUTES',
  ssmParameterPrefix: 'SSM_PARAMETER_PREFIX',
  taskDefinition: 'TASK_DEFINITION',
  secretArns: 'SECRET_ARNS',
  dbInstanceId: 'DB_INSTANCE_ID',
  dbSnapshotEveryHours: 'DB_SNAPSHOT_EVERY_HOURS',
  dbSnapshotRetentionHours: 'DB_SNAPSHOT_RETENTION_HOURS',
  dbKeepNewestSnapshots: 'DB_KEEP_NEWEST_SNAPSHOTS',
  dbSnapshotQuotaReserve: 'DB_SNAPSHOT_QUOTA_RESERVE',
  cacheReplicationGroupId: 'CACHE_REPLICATION_GROUP_ID',
  cacheMode: 'CACHE_BACKUP_MODE',
  cacheExportEveryHours: 'CACHE_EXPORT_EVERY_HOURS',
  cacheExportQuotaReserve: 'CACHE_EXPORT_QUOTA_RESERVE',
  s3Endpoint: 'S3_ENDPOINT',
} as const;

function int(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`backup configuration: ${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

/**
 * Reads and checks the configuration; throws one error naming the variable that is missing or
 * wrong. Requires a bucket, a valid service name and at least one thing to back up.
 */
export function parseBackupEnv(env: Record<string, string | undefined>): BackupHandlerConfig {
  const bucket = env[BACKUP_ENV.bucket];
  if (!bucket) throw new Error(`backup configuration: ${BACKUP_ENV.bucket} is not set (the backup bucket name)`);
  const service = env[BACKUP_ENV.service];
  if (!service || !isValidServiceName(service)) {
    throw new Error(
      `backup configuration: ${BACKUP_ENV.service} must be ${SERVICE_NAME_RULE}, got ${JSON.stringify(service ?? null)}`,
    );
  }
  const intervalMinutes = int(env, BACKUP_ENV.intervalMinutes, 60, 1, 1440);
  const ssmParameterPrefix = env[BACKUP_ENV.ssmParameterPrefix] || undefined;
  if (ssmParameterPrefix !== undefined && !/^\/[A-Za-z0-9_.\-/]+$/.test(ssmParameterPrefix)) {
    throw new Error(
      `backup configuration: ${BACKUP_ENV.ssmParameterPrefix} must be a parameter path starting with "/", got "${ssmParameterPrefix}"`,
    );
  }
  const taskDefinition = env[BACKUP_ENV.taskDefinition] || undefined;
  const secretArns = (env[BACKUP_ENV.secretArns] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const arn of secretArns) {
    if (!arn.startsWith('arn:'))
      throw new Error(
        `backup configuration: ${BACKUP_ENV.secretArns} must be a comma-separated list of ARNs, got "${arn}"`,
      );
  }
  const dbInstanceId = env[BACKUP_ENV.dbInstanceId] || undefined;
  const database = dbInstanceId
    ? {
        instanceId: dbInstanceId,
        snapshotEveryHours: int(env, BACKUP_ENV.dbSnapshotEveryHours, 24, 1, 168),
        snapshotRetentionHours: int(env, BACKUP_ENV.dbSnapshotRetentionHours, 720, 1, 24 * 3650),
        keepNewestSnapshots: int(env, BACKUP_ENV.dbKeepNewestSnapshots, 3, 1, 50),
        quotaReserve: int(env, BACKUP_ENV.dbSnapshotQuotaReserve, 10, 0, 99),
      }
    : undefined;
  const replicationGroupId = env[BACKUP_ENV.cacheReplicationGroupId] || undefined;
  const mode = env[BACKUP_ENV.cacheMode] || 'rebuildable'; // as the construct's default
  if (mode !== 'export' && mode !== 'rebuildable') {
    throw new Error(`backup configuration: ${BACKUP_ENV.cacheMode} must be "export" or "rebuildable", got "${mode}"`);
  }
  const cache = replicationGroupId
    ? {
        replicationGroupId,
        mode: mode as `${CacheBackupMode}`,
        exportEveryHours: int(env, BACKUP_ENV.cacheExportEveryHours, 24, 2, 168),
        quotaReserve: int(env, BACKUP_ENV.cacheExportQuotaReserve, 2, 0, 19),
      }
    : undefined;
  if (!ssmParameterPrefix && !taskDefinition && secretArns.length === 0 && !database && !cache) {
    throw new Error(
      `backup configuration: nothing to back up: set at least one of ${BACKUP_ENV.ssmParameterPrefix}, ${BACKUP_ENV.taskDefinition}, ${BACKUP_ENV.secretArns}, ${BACKUP_ENV.dbInstanceId}, ${BACKUP_ENV.cacheReplicationGroupId}`,
    );
  }
  const s3Endpoint = env[BACKUP_ENV.s3Endpoint] || undefined;
  return {
    bucket,
    service,
    intervalMinutes,
    ssmParameterPrefix,
    taskDefinition,
    secretArns,
    database,
    cache,
    s3Endpoint,
  };
}
