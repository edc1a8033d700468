/**
 * The restore Lambda of the disaster-recovery workflow (lib/dr). One handler, dispatching on
 * `action`; each action is one step of the state machine and is idempotent, so a retried step
 * finds what an earlier attempt did. It never modifies or deletes production: restored resources
 * carry the `<service>-dr-` prefix, every delete checks it, and the function's role denies
 * delete/modify on production explicitly.
 */
import { createHash } from 'crypto';
import { gunzipSync } from 'zlib';
import { PutMetricDataCommand, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ReplicationGroup,
} from '@aws-sdk/client-elasticache';
import {
  DBInstance,
  DBInstanceAutomatedBackup,
  DeleteDBInstanceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { BackupManifest, MANIFEST_PREFIX, manifestKey, parseManifest, slotOfBackupId } from '../../lib/backup/manifest';
import {
  CACHE_TERMINAL_FAILURE_STATES,
  DB_TERMINAL_FAILURE_STATES,
  InvalidRecoveryInput,
  PitrWindow,
  RecoveryPoint,
  ValidatedRequest,
  cacheSource,
  checkExecutionName,
  classifyStatus,
  executionName,
  parseRecoveryRequest,
  restoreId,
  restoredPrefix,
  selectRecoveryPoint,
  sourceDatabaseOf,
} from '../../lib/dr/recovery-plan';
import {
  activationSettings,
  moveTraffic,
  replicatedPitrWindow,
  resetCredentialsIfDue,
  scaleToMinimum,
} from './regional';
import { StepError, aws, call, isAwsError } from './aws';
import { MCP_OPS_NAMESPACE } from '../../lib/internal/metrics';
import { readS3Bytes } from '../../lib/internal/s3-read';
import { ENDPOINT_VARIABLES, EndpointVariable, RESTORED_PREFIX, endpointValues } from '../../lib/data/endpoint-names';

const logger = new Logger({ serviceName: process.env.SERVICE_NAME ?? 'mcp-server' });

/** Settings from the environment (set by the construct). Read per invocation. */
export function env(name: string, fallback?: string): string {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') throw new StepError('Misconfigured', `environment variable ${name} is not set`);
  return v;
}
export const optEnv = (name: string): string | undefined => (process.env[name] ? process.env[name] : undefined);
const list = (name: string): string[] =>
  (optEnv(name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The plan the `resolve` step hands to every later step. */
export interface Plan {
  readonly executionName: string;
  readonly startedAt: string;
  readonly request: ValidatedRequest;
  readonly restoreId: string;
  readonly recoveryPoint: RecoveryPoint;
  /**
   * `sourceAutomatedBackupsArn`: production's instance is gone and only its retained automated backups
   * remain; PITR restores from them (by ARN) instead of from the instance identifier.
   */
  readonly database: { readonly enabled: boolean; readonly sourceAutomatedBackupsArn?: string };
  readonly cache: { readonly enabled: boolean; readonly source: 'export' | 'cold'; readonly s3Key?: string };
  readonly configuration: { readonly enabled: boolean };
}

/** A restored resource as the state machine sees it. */
export interface ResourceStatus {
  readonly identifier: string;
  readonly status: string;
  /** `available`, `failed` or `pending`. */
  readonly state: string;
  readonly address?: string;
  readonly port?: number;
  /** Number of status checks so far. */
  readonly attempt: number;
  /** True when `attempt` reached the maximum; the state machine then fails the restore. */
  readonly timedOut: boolean;
  /** Region-loss: the master password was set to the recovery Region's secret (once, when first available). */
  readonly credentialsReset?: boolean;
}

type Event = Record<string, unknown> & { action?: string };

/**
 * Reads an object of the backup bucket: throttling stays {@link Throttled} (the state machine retries it);
 * any other failure names the bucket and the key (s3ReadError keeps the SDK's error name).
 */
async function readObject(bucket: string, key: string): Promise<Buffer> {
  try {
    return await readS3Bytes('restore', bucket, key, () =>
      call(() => aws().s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))),
    );
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.name === 'Throttled') throw cause;
    throw err;
  }
}

/** What each action needs from its event, checked before the step runs (never a TypeError halfway). */
const REQUIRED: Record<string, ReadonlyArray<'plan' | 'restored' | 'cutover' | 'outcome'>> = {
  'start-database-restore': ['plan'],
  'check-database': ['plan'],
  'restore-configuration': ['plan'],
  'start-cache-restore': ['plan'],
  'check-cache': ['plan'],
  verify: ['plan'],
  cutover: ['plan', 'restored'],
  'check-deployment': ['cutover'],
  report: ['plan', 'outcome'],
};

/** Throws InvalidRecoveryInput naming the action and the field when the event lacks what the step reads. */
export function checkStepEvent(action: string, event: Event): void {
  const what = (v: unknown) => JSON.stringify(v)?.slice(0, 200) ?? String(v);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const field of REQUIRED[action] ?? []) {
    const v = event[field];
    if (field === 'plan') {
      const p = v as Record<string, unknown>;
      const ok =
        isObject(p) &&
        typeof p.restoreId === 'string' &&
        typeof p.executionName === 'string' &&
        typeof p.startedAt === 'string' &&
        isObject(p.request) &&
        typeof p.request.mode === 'string' &&
        isObject(p.recoveryPoint) &&
        isObject(p.database) &&
        isObject(p.configuration) &&
        isObject(p.cache);
      if (!ok)
        throw new InvalidRecoveryInput(
          `${action}: plan must be the output of the resolve step (restoreId, executionName, startedAt, request.mode, recoveryPoint, database, configuration, cache), got ${what(v)}`,
        );
    } else if (field === 'restored') {
      if (v !== undefined && !isObject(v))
        throw new InvalidRecoveryInput(
          `${action}: restored must be an object (the restore branches' results), got ${what(v)}`,
        );
    } else if (field === 'cutover') {
      const c = v as Record<string, unknown>;
      if (
        !isObject(c) ||
        typeof c.cluster !== 'string' ||
        typeof c.service !== 'string' ||
        !isObject(c.previousEndpoints) ||
        (c.deploymentId !== undefined && typeof c.deploymentId !== 'string')
      )
        throw new InvalidRecoveryInput(
          `${action}: cutover must be the output of the cutover step (cluster, service, previousEndpoints, optional deploymentId), got ${what(v)}`,
        );
    } else if (typeof v !== 'string' || v === '') {
      throw new InvalidRecoveryInput(`${action}: ${field} must be a non-empty string, got ${what(v)}`);
    }
  }
  for (const field of ['database', 'cache'] as const)
    if (event[field] !== undefined && event[field] !== null && !isObject(event[field]))
      throw new InvalidRecoveryInput(
        `${action}: ${field} must be the previous status check's result (an object), got ${what(event[field])}`,
      );
}

export async function handler(input: unknown): Promise<unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new InvalidRecoveryInput(
      `the event must be a JSON object with an action, got ${JSON.stringify(input)?.slice(0, 200) ?? String(input)}`,
    );
  const event = input as Event;
  const action = event.action;
  logger.appendKeys({ log_type: 'app' });
  logger.info(`restore step ${String(action)}`, { event: 'restore_step', action });
  if (typeof action === 'string') checkStepEvent(action, event);
  try {
    return await dispatch(action, event);
  } catch (err) {
    // A field the checks above do not cover: still a clear error naming the step, never a bare TypeError.
    if (err instanceof TypeError)
      throw new InvalidRecoveryInput(`${String(action)}: the event is malformed or incomplete (${err.message})`);
    throw err;
  }
}

async function dispatch(action: unknown, event: Event): Promise<unknown> {
  switch (action) {
    case 'resolve':
      return resolve(event);
    case 'start-database-restore':
      return startDatabaseRestore(event.plan as Plan);
    case 'check-database':
      return checkDatabase(event.plan as Plan, event.database as ResourceStatus);
    case 'restore-configuration':
      return restoreConfiguration(event.plan as Plan);
    case 'start-cache-restore':
      return startCacheRestore(event.plan as Plan);
    case 'check-cache':
      return checkCache(event.plan as Plan, event.cache as ResourceStatus);
    case 'verify':
      return verify(event);
    case 'cutover':
      return cutover(event.plan as Plan, event.restored as Restored);
    case 'move-traffic':
      return moveTraffic(event.plan as Plan, event.cutover as Record<string, unknown>);
    case 'check-deployment':
      return checkDeployment(event.cutover as Cutover);
    case 'cleanup':
      return cleanup(event.plan as Plan | undefined, event.executionName as string | undefined);
    case 'report':
      return report(event.plan as Plan, event.outcome as string);
    case 'start-drill':
      return startDrill(event.scheduledTime as string);
    case 'report-drill-age':
      return reportDrillAge();
    case 'report-running':
      return reportRunning();
    default:
      throw new InvalidRecoveryInput(`unknown action ${JSON.stringify(action)}`);
  }
}

// ---------------------------------------------------------------------------------------- resolve

async function readManifest(bucket: string, key: string): Promise<BackupManifest | null> {
  try {
    const manifest = parseManifest(JSON.parse((await readObject(bucket, key)).toString('utf8')));
    if (manifest.service !== env('SERVICE_NAME')) return null;
    return manifest;
  } catch (err) {
    if (err instanceof Error && err.name === 'Throttled') throw err;
    logger.warn('skipping unreadable manifest', { event: 'manifest_skipped', key, error: String(err) });
    return null;
  }
}

/**
 * Loads the manifests the selection needs: the newest ones at or before the target (and a day
 * after it, since a backup's consistencyTime may precede its slot), and the oldest one.
 */
export async function loadManifests(bucket: string, target: Date): Promise<BackupManifest[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(() =>
      aws().s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: MANIFEST_PREFIX, ContinuationToken: token })),
    );
    for (const o of page.Contents ?? []) {
      const id = o.Key!.slice(MANIFEST_PREFIX.length).replace(/\.json$/, '');
      try {
        slotOfBackupId(id);
        ids.push(id);
      } catch {
        /* not a manifest */
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  ids.sort();
  const result: BackupManifest[] = [];
  const horizon = target.getTime() + 86_400_000;
  for (const id of [...ids].reverse()) {
    const slot = slotOfBackupId(id).getTime();
    if (slot > horizon) continue;
    const m = await readManifest(bucket, manifestKey(id));
    if (!m) continue;
    result.push(m);
    if (slot <= target.getTime() && Date.parse(m.consistencyTime) <= target.getTime()) break;
  }
  if (ids.length && !result.some((m) => m.backupId === ids[0])) {
    const oldest = await readManifest(bucket, manifestKey(ids[0]));
    if (oldest) result.push(oldest);
  }
  return result;
}

/** Production's PITR window; `retainedArn` when the instance is gone and only its retained automated backups remain. */
async function pitrWindow(): Promise<{ window?: PitrWindow; retainedArn?: string }> {
  const instance = optEnv('PRODUCTION_DB_INSTANCE_ID');
  if (!instance) return {};
  // By identifier (the live instance); when that finds nothing, by the `db-instance-id` filter, which
  // also matches the retained automated backups of a deleted instance of that name.
  const describe = async (byFilter: boolean): Promise<DBInstanceAutomatedBackup[]> => {
    try {
      const res = await call(() =>
        aws().rds.send(
          new DescribeDBInstanceAutomatedBackupsCommand(
            byFilter
              ? { Filters: [{ Name: 'db-instance-id', Values: [instance] }] }
              : { DBInstanceIdentifier: instance },
          ),
        ),
      );
      return res.DBInstanceAutomatedBackups ?? [];
    } catch (err) {
      if (isAwsError(err, 'DBInstanceAutomatedBackupNotFoundFault', 'DBInstanceNotFoundFault')) return [];
      throw err;
    }
  };
  let found = await describe(false);
  if (found.length === 0) found = await describe(true);
  const withWindow = found.filter((b) => b.RestoreWindow?.EarliestTime && b.RestoreWindow?.LatestTime);
  // The live instance's backups first; `retained` ones belong to a deleted instance of that name.
  const b =
    withWindow.find((x) => x.Status !== 'retained') ??
    withWindow.find((x) => x.Status === 'retained' && x.DBInstanceAutomatedBackupsArn);
  if (!b) return {};
  const window = {
    earliest: new Date(b.RestoreWindow!.EarliestTime!).toISOString(),
    latest: new Date(b.RestoreWindow!.LatestTime!).toISOString(),
  };
  return b.Status === 'retained' ? { window, retainedArn: b.DBInstanceAutomatedBackupsArn } : { window };
}

/** Whether the workflow restores a database: production's is known, or (region loss) its replicated backups are. */
export function databaseEnabled(): boolean {
  return !!optEnv('PRODUCTION_DB_INSTANCE_ID') || !!optEnv('DB_SOURCE_REGION');
}

async function resolve(event: Event): Promise<Plan> {
  const execution = (event.execution ?? {}) as { name?: string; startTime?: string };
  if (!execution.name || !execution.startTime)
    throw new InvalidRecoveryInput('execution name and start time are required');
  const now = new Date(execution.startTime);
  const request = parseRecoveryRequest(event.request, now);
  checkExecutionName(execution.name, request.mode);
  const target = new Date(request.targetTime);
  const regionLoss = optEnv('DB_SOURCE_REGION');
  const manifests = await loadManifests(env('BACKUP_BUCKET'), target);
  // Region loss: production's automated backups as replicated into this Region, found by the instance the
  // replicated manifests name; production's own Region is never called.
  const pitr = regionLoss ? await replicatedPitrWindow(sourceDatabaseOf(manifests)) : await pitrWindow();
  const point = selectRecoveryPoint({
    allowSnapshots: !regionLoss,
    targetTime: request.targetTime,
    manifests,
    pitr: pitr.window,
    rpoSeconds: Number(env('RPO_SECONDS')),
    acceptDataLoss: request.acceptDataLoss,
  });
  const source = cacheSource(point.cache, request.restoreCache);
  const plan: Plan = {
    executionName: execution.name,
    startedAt: now.toISOString(),
    request,
    restoreId: restoreId(env('SERVICE_NAME'), execution.name),
    recoveryPoint: point,
    database: {
      enabled: databaseEnabled(),
      ...(point.method === 'pitr' && pitr.retainedArn ? { sourceAutomatedBackupsArn: pitr.retainedArn } : {}),
    },
    cache: {
      enabled: !!optEnv('CACHE_SUBNET_GROUP'),
      source: source.kind,
      ...(source.kind === 'export' ? { s3Key: source.s3Key } : {}),
    },
    configuration: { enabled: !!point.configuration },
  };
  logger.info('recovery point resolved', { event: 'recovery_point_resolved', plan });
  return plan;
}

// --------------------------------------------------------------------------------------- database

function tags(plan: Plan): Array<{ Key: string; Value: string }> {
  return [
    { Key: 'mcp-ops:restore-id', Value: plan.restoreId },
    { Key: 'mcp-ops:execution', Value: plan.executionName },
    { Key: 'mcp-ops:mode', Value: plan.request.mode },
  ];
}

function dbStatus(instance: DBInstance, attempt: number): ResourceStatus {
  const status = instance.DBInstanceStatus ?? 'unknown';
  const max = Number(env('DB_MAX_POLLS', '60'));
  const state = classifyStatus(status, DB_TERMINAL_FAILURE_STATES);
  return {
    identifier: instance.DBInstanceIdentifier!,
    status,
    state,
    ...(instance.Endpoint?.Address ? { address: instance.Endpoint.Address, port: instance.Endpoint.Port } : {}),
    attempt,
    timedOut: state === 'pending' && attempt >= max,
  };
}

async function describeOwnInstance(plan: Plan): Promise<DBInstance> {
  const res = await call(() =>
    aws().rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: plan.restoreId })),
  );
  const instance = res.DBInstances?.[0];
  if (!instance) throw new StepError('RestoreFailed', `restored instance ${plan.restoreId} not found`);
  const owner = instance.TagList?.find((tg) => tg.Key === 'mcp-ops:restore-id')?.Value;
  if (owner !== undefined && owner !== plan.restoreId) {
    throw new StepError('ForeignResource', `instance ${plan.restoreId} exists but belongs to restore ${owner}`);
  }
  return instance;
}

async function startDatabaseRestore(plan: Plan): Promise<ResourceStatus> {
  const production = optEnv('PRODUCTION_DB_INSTANCE_ID');
  if (plan.restoreId === production || !plan.restoreId.startsWith(`${restoredPrefix(env('SERVICE_NAME'))}-`)) {
    throw new StepError('Refused', `refusing to restore into ${plan.restoreId}: not a restored-resource identifier`);
  }
  const common = {
    DBSubnetGroupName: env('DB_SUBNET_GROUP'),
    VpcSecurityGroupIds: list('DB_SECURITY_GROUP_IDS'),
    ...(optEnv('DB_INSTANCE_CLASS') ? { DBInstanceClass: optEnv('DB_INSTANCE_CLASS') } : {}),
    // Production's parameter group (TLS enforcement, logging), not the engine default.
    ...(optEnv('DB_PARAMETER_GROUP') ? { DBParameterGroupName: optEnv('DB_PARAMETER_GROUP') } : {}),
    PubliclyAccessible: false,
    MultiAZ: plan.request.mode === 'recover',
    DeletionProtection: plan.request.mode === 'recover',
    CopyTagsToSnapshot: true,
    AutoMinorVersionUpgrade: true,
    Tags: tags(plan),
  };
  const point = plan.recoveryPoint;
  try {
    const res =
      point.method === 'pitr'
        ? await call(() =>
            aws().rds.send(
              new RestoreDBInstanceToPointInTimeCommand({
                ...(plan.database.sourceAutomatedBackupsArn
                  ? { SourceDBInstanceAutomatedBackupsArn: plan.database.sourceAutomatedBackupsArn }
                  : { SourceDBInstanceIdentifier: production }),
                TargetDBInstanceIdentifier: plan.restoreId,
                RestoreTime: new Date(point.restoreTime!),
                ...common,
              }),
            ),
          )
        : await call(() =>
            aws().rds.send(
              new RestoreDBInstanceFromDBSnapshotCommand({
                DBSnapshotIdentifier: point.snapshotId!,
                DBInstanceIdentifier: plan.restoreId,
                ...common,
              }),
            ),
          );
    logger.info('database restore started', {
      event: 'database_restore_started',
      identifier: plan.restoreId,
      method: point.method,
    });
    return dbStatus(res.DBInstance ?? { DBInstanceIdentifier: plan.restoreId, DBInstanceStatus: 'creating' }, 0);
  } catch (err) {
    if (!isAwsError(err, 'DBInstanceAlreadyExistsFault')) throw err;
    // A retried attempt: the first one created it. Describe instead of failing.
    logger.info('restored instance already exists; describing it', {
      event: 'database_restore_exists',
      identifier: plan.restoreId,
    });
    return dbStatus(await describeOwnInstance(plan), 0);
  }
}

async function checkDatabase(plan: Plan, previous: ResourceStatus): Promise<ResourceStatus> {
  const status = dbStatus(await describeOwnInstance(plan), (previous?.attempt ?? 0) + 1);
  return resetCredentialsIfDue(plan, status, previous);
}

// ---------------------------------------------------------------------------------- configuration

async function restoreConfiguration(
  plan: Plan,
): Promise<{ uri: string; key: string; sha256: string; sizeBytes: number; backupId: string }> {
  const c = plan.recoveryPoint.configuration;
  if (!c || !c.s3Key || !plan.recoveryPoint.backupId)
    throw new StepError('RestoreFailed', 'the recovery point has no configuration component');
  const bucket = env('BACKUP_BUCKET');
  const stored = await readObject(bucket, c.s3Key);
  const sha = createHash('sha256').update(stored).digest('hex');
  if (sha !== c.sha256 || (c.sizeBytes !== undefined && stored.length !== c.sizeBytes)) {
    throw new StepError(
      'ChecksumMismatch',
      `configuration ${c.s3Key}: sha256 ${sha} (${stored.length} bytes) does not match the manifest's ${c.sha256} (${c.sizeBytes} bytes)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(stored).toString('utf8'));
  } catch (err) {
    throw new StepError('RestoreFailed', `configuration ${c.s3Key} is not gzipped JSON: ${String(err)}`);
  }
  const body = Buffer.from(JSON.stringify(json, null, 2));
  const key = `restores/${plan.restoreId}/configuration.json`;
  await call(() =>
    aws().s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        Metadata: { 'backup-id': plan.recoveryPoint.backupId!, 'source-sha256': sha, execution: plan.executionName },
      }),
    ),
  );
  const restoredSha = createHash('sha256').update(body).digest('hex');
  logger.info('configuration restored', { event: 'configuration_restored', key, sha256: restoredSha });
  return {
    uri: `s3://${bucket}/${key}`,
    key,
    sha256: restoredSha,
    sizeBytes: body.length,
    backupId: plan.recoveryPoint.backupId,
  };
}

// ------------------------------------------------------------------------------------------ cache

function cacheStatus(group: ReplicationGroup, attempt: number): ResourceStatus {
  const status = group.Status ?? 'unknown';
  const state = classifyStatus(status, CACHE_TERMINAL_FAILURE_STATES);
  const endpoint = group.ConfigurationEndpoint ?? group.NodeGroups?.[0]?.PrimaryEndpoint;
  return {
    identifier: group.ReplicationGroupId!,
    status,
    state,
    ...(endpoint?.Address ? { address: endpoint.Address, port: endpoint.Port } : {}),
    attempt,
    timedOut: state === 'pending' && attempt >= Number(env('CACHE_MAX_POLLS', '60')),
  };
}

/** The description every restored cache gets: DescribeReplicationGroups returns it (tags need another call). */
function cacheDescription(plan: Plan): string {
  return `DR ${plan.request.mode} ${plan.executionName}`;
}

async function describeOwnCache(plan: Plan): Promise<ReplicationGroup> {
  const res = await call(() =>
    aws().elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: plan.restoreId })),
  );
  const group = res.ReplicationGroups?.[0];
  if (!group) throw new StepError('RestoreFailed', `restored cache ${plan.restoreId} not found`);
  if (group.Description !== undefined && group.Description !== cacheDescription(plan)) {
    throw new StepError(
      'ForeignResource',
      `replication group ${plan.restoreId} exists but belongs to another restore ("${group.Description}")`,
    );
  }
  return group;
}

async function startCacheRestore(plan: Plan): Promise<ResourceStatus> {
  if (plan.restoreId === optEnv('CACHE_PRODUCTION_ID'))
    throw new StepError('Refused', `refusing to restore into production cache ${plan.restoreId}`);
  const bucket = env('BACKUP_BUCKET');
  const secretArn = optEnv('CACHE_AUTH_TOKEN_SECRET_ARN');
  const token = secretArn ? await authToken(secretArn) : undefined;
  try {
    const res = await call(() =>
      aws().elasticache.send(
        new CreateReplicationGroupCommand({
          ReplicationGroupId: plan.restoreId,
          ReplicationGroupDescription: cacheDescription(plan),
          Engine: env('CACHE_ENGINE', 'valkey'),
          CacheNodeType: env('CACHE_NODE_TYPE'),
          NumCacheClusters: plan.request.mode === 'recover' ? 2 : 1,
          AutomaticFailoverEnabled: plan.request.mode === 'recover',
          CacheSubnetGroupName: env('CACHE_SUBNET_GROUP'),
          SecurityGroupIds: list('CACHE_SECURITY_GROUP_IDS'),
          ...(list('CACHE_USER_GROUP_IDS').length ? { UserGroupIds: list('CACHE_USER_GROUP_IDS') } : {}),
          ...(optEnv('CACHE_KMS_KEY_ID') ? { KmsKeyId: optEnv('CACHE_KMS_KEY_ID') } : {}),
          ...(token ? { AuthToken: token } : {}),
          TransitEncryptionEnabled: true,
          AtRestEncryptionEnabled: true,
          ...(plan.cache.source === 'export' && plan.cache.s3Key
            ? { SnapshotArns: [`arn:aws:s3:::${bucket}/${plan.cache.s3Key}`] }
            : {}),
          Tags: tags(plan),
        }),
      ),
    );
    logger.info('cache restore started', {
      event: 'cache_restore_started',
      identifier: plan.restoreId,
      source: plan.cache.source,
    });
    return cacheStatus(res.ReplicationGroup ?? { ReplicationGroupId: plan.restoreId, Status: 'creating' }, 0);
  } catch (err) {
    if (!isAwsError(err, 'ReplicationGroupAlreadyExistsFault')) throw err;
    logger.info('restored cache already exists; describing it', {
      event: 'cache_restore_exists',
      identifier: plan.restoreId,
    });
    return cacheStatus(await describeOwnCache(plan), 0);
  }
}

async function authToken(secretArn: string): Promise<string> {
  const res = await call(() => aws().secrets.send(new GetSecretValueCommand({ SecretId: secretArn })));
  if (!res.SecretString) throw new StepError('Misconfigured', `secret ${secretArn} has no string value`);
  return res.SecretString;
}

async function checkCache(plan: Plan, previous: ResourceStatus): Promise<ResourceStatus> {
  return cacheStatus(await describeOwnCache(plan), (previous?.attempt ?? 0) + 1);
}

// ----------------------------------------------------------------------------------------- verify

/** Output of the Parallel restore state. */
export interface Restored {
  readonly database?: ResourceStatus;
  readonly configuration?: { uri: string; key: string; sha256: string } | { skipped: true };
  readonly cache?: ResourceStatus | { skipped: true };
}

interface ReadinessResult {
  readonly skipped?: boolean;
  readonly Containers?: Array<{ Name?: string; ExitCode?: number; Reason?: string; LastStatus?: string }>;
  readonly StopCode?: string;
  readonly StoppedReason?: string;
}

/**
 * Checks the manifest's checksum against the stored configuration object, the restored copy
 * against what configuration-restore wrote, that the database is available and (when given) the
 * readiness task's exit code. Throws `VerificationFailed` naming every failed check. Returns the
 * restored endpoints as environment overrides for the readiness task.
 */
async function verify(
  event: Event,
): Promise<{ ok: true; checks: string[]; environment: Array<{ Name: string; Value: string }> }> {
  const plan = event.plan as Plan;
  const restored = (event.restored ?? {}) as Restored;
  const readiness = (event.readiness ?? { skipped: true }) as ReadinessResult;
  const failures: string[] = [];
  const checks: string[] = [];
  const bucket = env('BACKUP_BUCKET');
  const sha = async (key: string): Promise<string> =>
    createHash('sha256')
      .update(await readObject(bucket, key))
      .digest('hex');
  const c = plan.recoveryPoint.configuration;
  if (plan.configuration.enabled && c?.s3Key) {
    const got = await sha(c.s3Key);
    if (got === c.sha256) checks.push(`backup ${c.s3Key} sha256 matches the manifest`);
    else failures.push(`backup ${c.s3Key} sha256 ${got} != manifest ${c.sha256}`);
    const conf = restored.configuration;
    if (conf && 'key' in conf) {
      const copy = await sha(conf.key);
      if (copy === conf.sha256) checks.push(`restored ${conf.key} sha256 matches`);
      else failures.push(`restored ${conf.key} sha256 ${copy} != ${conf.sha256}`);
    } else failures.push('configuration was not restored');
  }
  if (plan.database.enabled && restored.database?.state !== 'available')
    failures.push(`database ${restored.database?.identifier} is ${restored.database?.status}`);
  if (!readiness.skipped) {
    const name = optEnv('READINESS_CONTAINER');
    const container = readiness.Containers?.find((x) => !name || x.Name === name);
    if (container?.ExitCode === 0) checks.push(`readiness task container ${container.Name} exited 0`);
    else
      failures.push(
        `readiness task failed: container ${container?.Name ?? name ?? '?'} exit code ${container?.ExitCode ?? 'none'} (${readiness.StopCode ?? ''} ${readiness.StoppedReason ?? container?.Reason ?? ''})`.trim(),
      );
  }
  if (failures.length) throw new StepError('VerificationFailed', failures.join('; '));
  logger.info('restore verified', { event: 'restore_verified', checks });
  // The restored endpoints, in the ECS RunTask override shape, for the readiness task.
  const environment = Object.entries(cutoverEnvironment(restored)).map(([Name, Value]) => ({ Name, Value }));
  return { ok: true, checks, environment };
}

// ---------------------------------------------------------------------------------------- cutover

interface Cutover {
  readonly cluster: string;
  readonly service: string;
  /** The deployment the forced new deployment started (PRIMARY after UpdateService). */
  readonly deploymentId?: string;
  /** Endpoint values before the cut-over, by parameter name: what a roll-back writes back. */
  readonly previousEndpoints: Record<string, string>;
  /** Endpoint values written, by parameter name. */
  readonly endpoints: Record<string, string>;
  readonly attempt: number;
  readonly state?: string;
  readonly timedOut?: boolean;
}

/** The restored endpoints by container variable (names from docs/operational-contract.md). */
function restoredEndpoints(restored: Restored): Partial<Record<EndpointVariable, string>> {
  const cache = restored.cache && 'address' in restored.cache ? restored.cache : undefined;
  return endpointValues({
    database: restored.database?.address
      ? { host: restored.database.address, port: restored.database.port }
      : undefined,
    cache: cache?.address ? { host: cache.address, port: cache.port } : undefined,
  });
}

/**
 * Environment the readiness task gets for the restored resources: `RESTORED_<VARIABLE>` (the task definition's
 * own DATABASE_HOST… are ECS secrets, which a RunTask override cannot replace; the readiness command copies
 * these over them) and RESTORED_CONFIG_URI.
 */
export function cutoverEnvironment(restored: Restored): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(restoredEndpoints(restored))) out[`${RESTORED_PREFIX}${name}`] = value!;
  const conf = restored.configuration;
  if (conf && 'uri' in conf) out.RESTORED_CONFIG_URI = conf.uri;
  return out;
}

/** The endpoint parameter names by variable, from the construct (ENDPOINT_PARAMETERS, JSON). */
function endpointParameterNames(): Partial<Record<EndpointVariable, string>> {
  const raw = env('ENDPOINT_PARAMETERS');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new StepError('Misconfigured', `ENDPOINT_PARAMETERS is not JSON: ${raw}`);
  }
  const out: Partial<Record<EndpointVariable, string>> = {};
  for (const v of ENDPOINT_VARIABLES) {
    const name = (parsed as Record<string, unknown>)?.[v];
    if (typeof name === 'string' && name) out[v] = name;
  }
  return out;
}

/**
 * The cut-over, without drift: overwrites the endpoint parameters the service reads (SSM String parameters the
 * stack created, delivered as ECS secrets) with the restored endpoints, then forces a new deployment, whose
 * tasks read the new values at start. No task definition is registered. The previous values are returned for
 * a roll-back. UpdateService is the last call: a failure before it leaves the running tasks untouched.
 */
async function cutover(plan: Plan, restored: Restored): Promise<Cutover> {
  if (plan.request.mode !== 'recover') throw new StepError('Refused', 'cut-over runs only in recover mode');
  const cluster = env('ECS_CLUSTER');
  const service = env('ECS_SERVICE');
  const names = endpointParameterNames();
  const values = restoredEndpoints(restored);
  const writes = (Object.entries(values) as Array<[EndpointVariable, string]>)
    .filter(([v]) => names[v] !== undefined)
    .map(([v, value]) => ({ name: names[v]!, value }));
  if (writes.length === 0)
    throw new StepError('CutoverFailed', 'nothing to cut over: no restored endpoint has an endpoint parameter');
  const described = await call(() => aws().ecs.send(new DescribeServicesCommand({ cluster, services: [service] })));
  if (!described.services?.[0]) throw new StepError('CutoverFailed', `service ${service} not found in ${cluster}`);
  const current = await call(() => aws().ssm.send(new GetParametersCommand({ Names: writes.map((w) => w.name) })));
  const previousEndpoints = Object.fromEntries((current.Parameters ?? []).map((p) => [p.Name!, p.Value ?? '']));
  for (const w of writes) {
    await call(() =>
      aws().ssm.send(new PutParameterCommand({ Name: w.name, Value: w.value, Type: 'String', Overwrite: true })),
    );
  }
  // Region loss: the pilot-light service comes up to its planned minimum with the new endpoints.
  const activation = activationSettings();
  if (activation) await scaleToMinimum(cluster, service, activation.minTasks);
  const updated = await call(() =>
    aws().ecs.send(
      new UpdateServiceCommand({
        cluster,
        service,
        forceNewDeployment: true,
        ...(activation ? { desiredCount: activation.minTasks } : {}),
      }),
    ),
  );
  const deploymentId = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
  const endpoints = Object.fromEntries(writes.map((w) => [w.name, w.value]));
  logger.info('cut over', { event: 'cutover_done', previousEndpoints, endpoints, deploymentId });
  return {
    cluster,
    service,
    ...(deploymentId ? { deploymentId } : {}),
    previousEndpoints,
    endpoints,
    attempt: 0,
  };
}

async function checkDeployment(c: Cutover): Promise<Cutover> {
  const described = await call(() =>
    aws().ecs.send(new DescribeServicesCommand({ cluster: c.cluster, services: [c.service] })),
  );
  const deployments = described.services?.[0]?.deployments ?? [];
  const deployment = c.deploymentId
    ? deployments.find((d) => d.id === c.deploymentId)
    : deployments.find((d) => d.status === 'PRIMARY');
  const rollout = deployment?.rolloutState ?? 'UNKNOWN';
  const state = rollout === 'COMPLETED' ? 'available' : rollout === 'FAILED' ? 'failed' : 'pending';
  const attempt = c.attempt + 1;
  return { ...c, attempt, state, timedOut: state === 'pending' && attempt >= Number(env('DEPLOY_MAX_POLLS', '40')) };
}

// ---------------------------------------------------------------------------------------- cleanup

/**
 * Deletes what the execution restored (drill mode, or a drill that failed). Tolerates what does
 * not exist. Only ever deletes identifiers with the restored-resource prefix.
 */
async function cleanup(
  plan: Plan | undefined,
  name: string | undefined,
): Promise<{ deleted: string[]; absent: string[] }> {
  const executionNameGiven = plan?.executionName ?? name;
  if (!executionNameGiven) throw new InvalidRecoveryInput('cleanup needs the plan or the execution name');
  const id = plan?.restoreId ?? restoreId(env('SERVICE_NAME'), executionNameGiven);
  if (
    !id.startsWith(`${restoredPrefix(env('SERVICE_NAME'))}-`) ||
    id === optEnv('PRODUCTION_DB_INSTANCE_ID') ||
    id === optEnv('CACHE_PRODUCTION_ID')
  ) {
    throw new StepError('Refused', `refusing to delete ${id}: not a restored-resource identifier`);
  }
  const deleted: string[] = [];
  const absent: string[] = [];
  // A resource still being created (a failure while the Parallel's other branch was restoring) cannot be
  // deleted yet: both are attempted, then `CleanupPending` makes the state machine retry the step later.
  const pending: string[] = [];
  if (databaseEnabled()) {
    try {
      await call(() =>
        aws().rds.send(
          new DeleteDBInstanceCommand({
            DBInstanceIdentifier: id,
            SkipFinalSnapshot: true,
            DeleteAutomatedBackups: true,
          }),
        ),
      );
      deleted.push(`rds:${id}`);
    } catch (err) {
      if (isAwsError(err, 'DBInstanceNotFoundFault')) absent.push(`rds:${id}`);
      else if (isAwsError(err, 'InvalidDBInstanceStateFault') && /already being deleted/i.test((err as Error).message))
        deleted.push(`rds:${id}`);
      else if (isAwsError(err, 'InvalidDBInstanceStateFault')) pending.push(`rds:${id} (${(err as Error).message})`);
      else throw err;
    }
  }
  if (optEnv('CACHE_SUBNET_GROUP')) {
    try {
      await call(() =>
        aws().elasticache.send(
          new DeleteReplicationGroupCommand({ ReplicationGroupId: id, RetainPrimaryCluster: false }),
        ),
      );
      deleted.push(`elasticache:${id}`);
    } catch (err) {
      if (isAwsError(err, 'ReplicationGroupNotFoundFault')) absent.push(`elasticache:${id}`);
      else if (isAwsError(err, 'InvalidReplicationGroupStateFault')) {
        // Refused while `creating`/`modifying`; only a group already `deleting` is as good as deleted.
        const status = await cacheStatusOf(id);
        if (status === 'deleting') deleted.push(`elasticache:${id}`);
        else if (status === undefined) absent.push(`elasticache:${id}`);
        else pending.push(`elasticache:${id} (${status})`);
      } else throw err;
    }
  }
  if (pending.length) {
    logger.warn('restored resources not deletable yet', { event: 'cleanup_pending', deleted, absent, pending });
    throw new StepError('CleanupPending', `not deletable yet, retried later: ${pending.join(', ')}`);
  }
  logger.info('restored resources cleaned up', { event: 'cleanup_done', deleted, absent });
  return { deleted, absent };
}

/** Status of a replication group, `undefined` when it does not exist. */
async function cacheStatusOf(id: string): Promise<string | undefined> {
  try {
    const res = await call(() =>
      aws().elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id })),
    );
    return res.ReplicationGroups?.[0]?.Status ?? undefined;
  } catch (err) {
    if (isAwsError(err, 'ReplicationGroupNotFoundFault')) return undefined;
    throw err;
  }
}

// ----------------------------------------------------------------------------------------- report

async function report(
  plan: Plan,
  outcome: string,
): Promise<{ recoveryTimeSeconds: number; dataLossSeconds: number; mode: string }> {
  const recoveryTimeSeconds = Math.max(0, Math.round((Date.now() - Date.parse(plan.startedAt)) / 1000));
  const dataLossSeconds = plan.recoveryPoint.dataLossSeconds;
  const dims = [
    { Name: 'service', Value: env('SERVICE_NAME') },
    { Name: 'mode', Value: plan.request.mode },
  ];
  await call(() =>
    aws().cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: env('METRICS_NAMESPACE', MCP_OPS_NAMESPACE),
        MetricData: [
          {
            MetricName: 'RecoveryTimeSeconds',
            Unit: StandardUnit.Seconds,
            Value: recoveryTimeSeconds,
            Dimensions: dims,
          },
          { MetricName: 'DataLossSeconds', Unit: StandardUnit.Seconds, Value: dataLossSeconds, Dimensions: dims },
        ],
      }),
    ),
  );
  logger.info('recovery reported', {
    event: 'recovery_reported',
    outcome,
    recoveryTimeSeconds,
    dataLossSeconds,
    mode: plan.request.mode,
  });
  return { recoveryTimeSeconds, dataLossSeconds, mode: plan.request.mode };
}

// ------------------------------------------------------------------------------------ start drill

/** Starts the scheduled drill under a name derived from the scheduled time, at most once. */
async function startDrill(scheduledTime: string): Promise<{ executionName: string; started: boolean }> {
  const time = new Date(scheduledTime);
  if (typeof scheduledTime !== 'string' || Number.isNaN(time.getTime()))
    throw new InvalidRecoveryInput(`scheduledTime must be an ISO 8601 time, got ${JSON.stringify(scheduledTime)}`);
  const name = executionName('drill', time);
  try {
    await call(() =>
      aws().sfn.send(
        new StartExecutionCommand({
          stateMachineArn: env('STATE_MACHINE_ARN'),
          name,
          input: JSON.stringify({ mode: 'drill' }),
        }),
      ),
    );
    return { executionName: name, started: true };
  } catch (err) {
    if (isAwsError(err, 'ExecutionAlreadyExists')) return { executionName: name, started: false };
    throw err;
  }
}

/**
 * Publishes `RunningExecutionSeconds`: how long the oldest execution still running has been running
 * (0 when none), so the RTO alarm fires while a recovery is overrunning, not only when it ends.
 */
async function reportRunning(): Promise<{ running: number; longestSeconds: number }> {
  const res = await call(() =>
    aws().sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: env('STATE_MACHINE_ARN'),
        statusFilter: 'RUNNING',
        maxResults: 100,
      }),
    ),
  );
  const starts = (res.executions ?? [])
    .map((e) => (e.startDate ? new Date(e.startDate).getTime() : NaN))
    .filter((x) => Number.isFinite(x));
  const longestSeconds = starts.length ? Math.max(0, Math.round((Date.now() - Math.min(...starts)) / 1000)) : 0;
  await call(() =>
    aws().cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: env('METRICS_NAMESPACE', MCP_OPS_NAMESPACE),
        MetricData: [
          {
            MetricName: 'RunningExecutionSeconds',
            Unit: StandardUnit.Seconds,
            Value: longestSeconds,
            Dimensions: [{ Name: 'service', Value: env('SERVICE_NAME') }],
          },
        ],
      }),
    ),
  );
  return { running: starts.length, longestSeconds };
}

/**
 * Publishes `DrillAgeSeconds`: the age of the newest successful execution (drill or recovery).
 * Nothing is published when there is none, so the overdue alarm (missing data = breaching) fires.
 */
async function reportDrillAge(): Promise<{ lastSuccess: string | null; ageSeconds: number | null }> {
  const res = await call(() =>
    aws().sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: env('STATE_MACHINE_ARN'),
        statusFilter: 'SUCCEEDED',
        maxResults: 20,
      }),
    ),
  );
  const stops = (res.executions ?? [])
    .map((e) => (e.stopDate ? new Date(e.stopDate).getTime() : 0))
    .filter((x) => x > 0);
  if (stops.length === 0) return { lastSuccess: null, ageSeconds: null };
  const last = Math.max(...stops);
  const ageSeconds = Math.max(0, Math.round((Date.now() - last) / 1000));
  await call(() =>
    aws().cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: env('METRICS_NAMESPACE', MCP_OPS_NAMESPACE),
        MetricData: [
          {
            MetricName: 'DrillAgeSeconds',
            Unit: StandardUnit.Seconds,
            Value: ageSeconds,
            Dimensions: [{ Name: 'service', Value: env('SERVICE_NAME') }],
          },
        ],
      }),
    ),
  );
  return { lastSuccess: new Date(last).toISOString(), ageSeconds };
}
