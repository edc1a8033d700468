/**
 * The backup run, with its AWS clients passed in (the handler in index.ts builds them from the
 * environment). Order of a run:
 *   1. resolve the slot from the event; if the slot's manifest exists, return it and do nothing;
 *   2. capture the components (configuration object, database PITR point and manual snapshot on
 *      its cadence, cache export on its cadence), never overwriting an object;
 *   3. write the manifest last, only if every component succeeded (the commit record);
 *   4. only then prune our own expired snapshots;
 *   5. emit metrics (EMF) in every case.
 * A manual DB snapshot or cache export that AWS refuses to start does not block the commit: both
 * are supplementary restore points on a slower cadence (the components are the database's PITR
 * point and the `rebuildable` cache), so the manifest is still written, the run reports failure
 * (`BackupSuccess{component=database-snapshot|cache-export}` = 0 and `{component=run}` = 0, which
 * pages) and the next run tries again.
 */
import { createHash } from 'crypto';
import { gunzipSync, gzipSync } from 'zlib';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { readS3Bytes, s3ReadError } from '../../lib/internal/s3-read';
import {
  CreateDBSnapshotCommand,
  DBSnapshot,
  DeleteDBSnapshotCommand,
  DescribeAccountAttributesCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import {
  CopySnapshotCommand,
  DescribeCacheClustersCommand,
  DescribeReplicationGroupsCommand,
  DescribeSnapshotsCommand,
  ElastiCacheClient,
  Snapshot,
} from '@aws-sdk/client-elasticache';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  BackupComponent,
  BackupComponentName,
  BackupManifest,
  backupIdForSlot,
  componentPrefix,
  MANIFEST_PREFIX,
  MANIFEST_SCHEMA_VERSION,
  manifestKey,
  parseManifest,
  slotStart,
} from '../../lib/backup/manifest';
import {
  BACKUP_TAG_KEY,
  CACHE_EXPORT_RECORD_PREFIX,
  cacheExportName,
  cacheExportPrefix,
  cacheExportRecordKey,
  decideCacheExport,
  decideSnapshot,
  newestManifestBackupId,
  OwnSnapshot,
  rdsSnapshotId,
  rdsSnapshotPrefix,
  resolveSlot,
  selectSnapshotsToPrune,
  slotOfOwnName,
} from '../../lib/backup/selection';
import { BackupHandlerConfig } from '../../lib/backup/handler-config';

/** One metric data point (namespace McpOps, dimension service; `component` adds that dimension). */
export interface MetricPoint {
  readonly name: 'BackupSuccess' | 'BackupDurationMs' | 'BackupBytes' | 'BackupAgeSeconds';
  readonly unit: 'Count' | 'Milliseconds' | 'Bytes' | 'Seconds';
  readonly value: number;
  readonly component?: string;
}

/** Where metric points go (Powertools EMF in the Lambda, an array in tests). */
export interface MetricsSink {
  record(point: MetricPoint): void;
}

/** The subset of a logger the run uses (Powertools Logger in the Lambda). */
export interface RunLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What the run needs. */
export interface BackupDeps {
  readonly config: BackupHandlerConfig;
  readonly s3: S3Client;
  readonly rds: RDSClient;
  readonly elasticache: ElastiCacheClient;
  readonly ssm: SSMClient;
  readonly ecs: ECSClient;
  readonly now: () => Date;
  readonly logger: RunLogger;
  readonly metrics: MetricsSink;
}

/** What a run did. */
export interface BackupResult {
  /** `created`: this run committed the slot's backup; `exists`: it was already committed, nothing done. */
  readonly status: 'created' | 'exists';
  readonly backupId: string;
  readonly manifestKey: string;
  readonly manifest: BackupManifest;
  /** RDS snapshot started by this run, if any. */
  readonly snapshotStarted?: string;
  /** Why RDS refused this run's manual snapshot, if it did (the backup is committed without it). */
  readonly snapshotError?: string;
  /** ElastiCache export started by this run, if any. */
  readonly cacheExportStarted?: string;
  /** Why ElastiCache refused this run's export, if it did (the backup is committed without it). */
  readonly cacheExportError?: string;
  /** Our snapshots deleted after the commit. */
  readonly pruned: readonly string[];
}

/** The component object name of the configuration capture. */
export const CONFIGURATION_OBJECT = 'configuration.json.gz';

const HOUR_MS = 3_600_000;

/** Runs one backup. Throws (after emitting failure metrics) when any component fails; then no manifest is written. */
export async function runBackup(event: unknown, deps: BackupDeps): Promise<BackupResult> {
  const { config, logger, metrics } = deps;
  const startedAt = deps.now();
  let slotInfo: ReturnType<typeof resolveSlot>;
  try {
    slotInfo = resolveSlot(event, startedAt, config.intervalMinutes);
  } catch (err) {
    logger.error('backup event rejected', { event: 'backup_event_rejected', error: message(err) });
    metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component: 'run' });
    throw err;
  }
  const { slot, backupId } = slotInfo;
  const key = manifestKey(backupId);
  const s3 = new Bucket(deps.s3, config.bucket);

  const existing = await s3.getJson(key);
  if (existing !== undefined) {
    const manifest = parseManifest(existing);
    logger.info('backup of this slot already committed; nothing to do', {
      event: 'backup_exists',
      backup_id: backupId,
    });
    metrics.record({ name: 'BackupAgeSeconds', unit: 'Seconds', value: ageSeconds(deps.now(), manifest.createdAt) });
    return { status: 'exists', backupId, manifestKey: key, manifest, pruned: [] };
  }

  const components: BackupComponent[] = [];
  const supplementary: BackupComponent[] = [];
  let snapshotStarted: string | undefined;
  let snapshotError: string | undefined;
  let cacheExportStarted: string | undefined;
  let cacheExportError: string | undefined;
  let ownSnapshots: OwnSnapshot[] = [];
  let manifest: BackupManifest;
  try {
    if (config.ssmParameterPrefix || config.taskDefinition || config.secretArns.length > 0) {
      components.push(await measured(deps, 'configuration', () => captureConfiguration(deps, s3, backupId)));
    }
    if (config.database) {
      const db = await measured(deps, 'database', () => captureDatabase(deps, slot, backupId));
      components.push(db.component);
      if (db.newestSnapshot) supplementary.push(db.newestSnapshot);
      snapshotStarted = db.started;
      snapshotError = db.snapshotError;
      ownSnapshots = db.ownSnapshots;
    }
    if (config.cache) {
      const cache = await measured(deps, 'cache', () => captureCache(deps, s3, slot, backupId));
      components.push(cache.component);
      if (cache.newestExport) supplementary.push(cache.newestExport);
      cacheExportStarted = cache.started;
      cacheExportError = cache.exportError;
    }
    const createdAt = deps.now().toISOString();
    const consistencyTime = components.map((c) => c.consistencyTime).sort()[0];
    manifest = parseManifest({
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      backupId,
      slot: slot.toISOString(),
      consistencyTime,
      createdAt,
      service: config.service,
      components,
      ...(supplementary.length > 0 ? { supplementary } : {}),
    });
    const written = await s3.putNew(key, Buffer.from(JSON.stringify(manifest, null, 2)), 'application/json');
    if (!written) {
      // Another run of the same slot committed between our check and our write: theirs stands.
      const theirs = parseManifest(await s3.getJson(key));
      logger.warn('a concurrent run committed this slot first; keeping its manifest', {
        event: 'backup_exists',
        backup_id: backupId,
      });
      return { status: 'exists', backupId, manifestKey: key, manifest: theirs, pruned: [] };
    }
  } catch (err) {
    logger.error('backup failed; no manifest written, earlier backups untouched', {
      event: 'backup_failed',
      backup_id: backupId,
      error: message(err),
    });
    metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component: 'run' });
    metrics.record({
      name: 'BackupDurationMs',
      unit: 'Milliseconds',
      value: deps.now().getTime() - startedAt.getTime(),
      component: 'run',
    });
    await recordAgeOfNewest(deps, s3).catch(() => undefined);
    throw err;
  }
  logger.info('backup committed', {
    event: 'backup_committed',
    backup_id: backupId,
    manifest_key: key,
    consistency_time: manifest.consistencyTime,
  });
  metrics.record({ name: 'BackupAgeSeconds', unit: 'Seconds', value: ageSeconds(deps.now(), manifest.createdAt) });

  // Housekeeping only after the commit: a failed run never deletes anything.
  let pruned: string[] = [];
  let runOk = true;
  if (snapshotStarted)
    metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 1, component: 'database-snapshot' });
  if (snapshotError !== undefined) {
    runOk = false;
    metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component: 'database-snapshot' });
  }
  if (cacheExportStarted) metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 1, component: 'cache-export' });
  if (cacheExportError !== undefined) {
    runOk = false;
    metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component: 'cache-export' });
  }
  if (config.database) {
    try {
      pruned = await pruneSnapshots(deps, ownSnapshots);
    } catch (err) {
      runOk = false;
      logger.error('pruning old snapshots failed; the backup itself is committed', {
        event: 'backup_prune_failed',
        error: message(err),
      });
      metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component: 'prune' });
    }
  }
  metrics.record({ name: 'BackupSuccess', unit: 'Count', value: runOk ? 1 : 0, component: 'run' });
  metrics.record({
    name: 'BackupDurationMs',
    unit: 'Milliseconds',
    value: deps.now().getTime() - startedAt.getTime(),
    component: 'run',
  });
  return {
    status: 'created',
    backupId,
    manifestKey: key,
    manifest,
    snapshotStarted,
    cacheExportStarted,
    ...(snapshotError !== undefined ? { snapshotError } : {}),
    ...(cacheExportError !== undefined ? { cacheExportError } : {}),
    pruned,
  };
}

async function measured<T>(deps: BackupDeps, component: BackupComponentName, fn: () => Promise<T>): Promise<T> {
  const start = deps.now().getTime();
  try {
    const result = await fn();
    const bytes = bytesOf(result);
    deps.metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 1, component });
    deps.metrics.record({
      name: 'BackupDurationMs',
      unit: 'Milliseconds',
      value: deps.now().getTime() - start,
      component,
    });
    if (bytes !== undefined) deps.metrics.record({ name: 'BackupBytes', unit: 'Bytes', value: bytes, component });
    return result;
  } catch (err) {
    deps.metrics.record({ name: 'BackupSuccess', unit: 'Count', value: 0, component });
    deps.logger.error(`backup of ${component} failed`, {
      event: 'backup_component_failed',
      component,
      error: message(err),
    });
    throw err;
  }
}

function bytesOf(result: unknown): number | undefined {
  const r = result as { sizeBytes?: number; component?: { sizeBytes?: number } };
  return r?.sizeBytes ?? r?.component?.sizeBytes;
}

// ---------------------------------------------------------------- configuration

async function captureConfiguration(deps: BackupDeps, s3: Bucket, backupId: string): Promise<BackupComponent> {
  const { config } = deps;
  const s3Key = `${componentPrefix(backupId)}${CONFIGURATION_OBJECT}`;
  const earlier = await s3.getBytes(s3Key);
  if (earlier) {
    // An earlier attempt of this slot stored it and then failed: reuse it, never overwrite.
    const doc = JSON.parse(gunzipSync(earlier).toString('utf8')) as { capturedAt: string };
    deps.logger.info('configuration of this slot already stored by an earlier attempt; reusing it', {
      event: 'backup_component_reused',
      component: 'configuration',
    });
    return configurationComponent(config.bucket, s3Key, earlier, doc.capturedAt);
  }
  const capturedAt = deps.now().toISOString();
  const ssmParameters = config.ssmParameterPrefix ? await readParameters(deps.ssm, config.ssmParameterPrefix) : [];
  let taskDefinition: unknown = null;
  if (config.taskDefinition) {
    const out = await deps.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: config.taskDefinition }));
    if (!out.taskDefinition) throw new Error(`ECS returned no task definition for ${config.taskDefinition}`);
    taskDefinition = out.taskDefinition;
  }
  const doc = {
    format: 'mcp-ops-configuration/1',
    service: config.service,
    capturedAt,
    ssmParameterPrefix: config.ssmParameterPrefix ?? null,
    ssmParameters,
    taskDefinition,
    // Names and ARNs only: secret values are never read.
    secrets: config.secretArns.map((arn) => ({ arn, name: secretNameOf(arn) })),
  };
  const body = gzipSync(Buffer.from(JSON.stringify(doc), 'utf8'));
  const written = await s3.putNew(s3Key, body, 'application/gzip');
  if (!written) {
    const now = await s3.getBytes(s3Key);
    if (!now) throw new Error(`configuration object ${s3Key} vanished during the run`);
    const stored = JSON.parse(gunzipSync(now).toString('utf8')) as { capturedAt: string };
    return configurationComponent(config.bucket, s3Key, now, stored.capturedAt);
  }
  return configurationComponent(config.bucket, s3Key, body, capturedAt);
}

function configurationComponent(bucket: string, s3Key: string, body: Buffer, capturedAt: string): BackupComponent {
  return {
    name: 'configuration',
    kind: 's3-object',
    reference: `s3://${bucket}/${s3Key}`,
    consistencyTime: capturedAt,
    s3Key,
    sizeBytes: body.length,
    sha256: sha256Hex(body),
  };
}

interface ParameterRecord {
  readonly name: string;
  readonly type: string;
  readonly version?: number;
  readonly lastModified?: string;
  /** Absent for SecureString parameters: their values are never read. */
  readonly value?: string;
}

async function readParameters(ssm: SSMClient, prefix: string): Promise<ParameterRecord[]> {
  const out: ParameterRecord[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssm.send(
      new GetParametersByPathCommand({ Path: prefix, Recursive: true, WithDecryption: false, NextToken }),
    );
    for (const p of page.Parameters ?? []) {
      out.push({
        name: p.Name ?? '',
        type: p.Type ?? 'String',
        version: p.Version,
        lastModified: p.LastModifiedDate?.toISOString(),
        ...(p.Type === 'SecureString' ? {} : { value: p.Value }),
      });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function secretNameOf(arn: string): string {
  // arn:aws:secretsmanager:region:account:secret:name-AbCdEf
  const name = arn.split(':secret:')[1] ?? arn;
  return name.replace(/-[A-Za-z0-9]{6}$/, '');
}

// ---------------------------------------------------------------- database

interface DatabaseCapture {
  readonly component: BackupComponent;
  readonly newestSnapshot?: BackupComponent;
  readonly started?: string;
  /** RDS refused to start this run's manual snapshot (instance state, quota, permissions…): the error. */
  readonly snapshotError?: string;
  readonly ownSnapshots: OwnSnapshot[];
}

async function captureDatabase(deps: BackupDeps, slot: Date, backupId: string): Promise<DatabaseCapture> {
  const { config, rds, logger } = deps;
  const db = config.database!;
  const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.instanceId }));
  const instance = out.DBInstances?.[0];
  if (!instance) throw new Error(`RDS returned no DB instance ${db.instanceId}`);
  if (!instance.LatestRestorableTime || !instance.BackupRetentionPeriod) {
    throw new Error(
      `DB instance ${db.instanceId} has no point-in-time recovery (BackupRetentionPeriod ${instance.BackupRetentionPeriod ?? 0}); enable automated backups`,
    );
  }
  const component: BackupComponent = {
    name: 'database',
    kind: 'pitr',
    reference: db.instanceId,
    consistencyTime: instance.LatestRestorableTime.toISOString(),
    latestRestorableTime: instance.LatestRestorableTime.toISOString(),
    engine: instance.Engine,
    engineVersion: instance.EngineVersion,
  };

  const snapshots = await ownDbSnapshots(deps);
  const ownSnapshots = snapshots.map((s) => toOwnSnapshot(s, config.service));
  const quota = await manualSnapshotQuota(rds);
  const decision = decideSnapshot({
    slot,
    everyHours: db.snapshotEveryHours,
    ownSnapshots,
    quota,
    reserve: db.quotaReserve,
  });
  let started: string | undefined;
  let snapshotError: string | undefined;
  if (decision.take) {
    const id = rdsSnapshotId(config.service, backupId);
    try {
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: db.instanceId,
          DBSnapshotIdentifier: id,
          Tags: [
            { Key: BACKUP_TAG_KEY, Value: config.service },
            { Key: 'mcp-ops:backup-id', Value: backupId },
          ],
        }),
      );
      started = id;
      ownSnapshots.push({ id, time: slot, status: 'creating' });
      logger.info('manual DB snapshot started', {
        event: 'backup_snapshot_started',
        snapshot: id,
        reason: decision.reason,
      });
    } catch (err) {
      if (errorName(err) === 'DBSnapshotAlreadyExistsFault') {
        logger.info('manual DB snapshot of this slot already exists', {
          event: 'backup_snapshot_exists',
          snapshot: id,
        });
      } else {
        snapshotError = `${errorName(err) ?? 'Error'}: ${message(err)}`;
        logger.error(
          'manual DB snapshot refused by RDS; the backup commits without it (PITR covers it) and the next run tries again',
          {
            event: 'backup_snapshot_failed',
            snapshot: id,
            error: snapshotError,
          },
        );
      }
    }
  } else if (decision.blockedByQuota) {
    logger.warn('manual DB snapshot skipped: quota', { event: 'backup_snapshot_skipped', reason: decision.reason });
  }
  const newest = snapshots
    .filter((s) => s.Status === 'available' && s.SnapshotCreateTime)
    .sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime())[0];
  const newestSnapshot: BackupComponent | undefined = newest
    ? {
        name: 'database',
        kind: 'rds-snapshot',
        reference: newest.DBSnapshotIdentifier!,
        consistencyTime: newest.SnapshotCreateTime!.toISOString(),
        engine: newest.Engine,
        engineVersion: newest.EngineVersion,
      }
    : undefined;
  return {
    component,
    newestSnapshot,
    started,
    ...(snapshotError !== undefined ? { snapshotError } : {}),
    ownSnapshots,
  };
}

/** Manual snapshots of our instance that carry our prefix and our tag (nothing else is ever touched). */
async function ownDbSnapshots(deps: BackupDeps): Promise<DBSnapshot[]> {
  const { config, rds } = deps;
  const prefix = rdsSnapshotPrefix(config.service);
  const all: DBSnapshot[] = [];
  let Marker: string | undefined;
  do {
    const page = await rds.send(
      new DescribeDBSnapshotsCommand({
        DBInstanceIdentifier: config.database!.instanceId,
        SnapshotType: 'manual',
        Marker,
      }),
    );
    all.push(...(page.DBSnapshots ?? []));
    Marker = page.Marker;
  } while (Marker);
  return all.filter(
    (s) =>
      (s.DBSnapshotIdentifier ?? '').startsWith(prefix) &&
      (s.TagList ?? []).some((t) => t.Key === BACKUP_TAG_KEY && t.Value === config.service),
  );
}

function toOwnSnapshot(s: DBSnapshot, service: string): OwnSnapshot {
  const id = s.DBSnapshotIdentifier!;
  const time = slotOfOwnName(id, rdsSnapshotPrefix(service)) ?? s.SnapshotCreateTime ?? new Date(NaN);
  return { id, time, status: s.Status ?? 'unknown' };
}

async function manualSnapshotQuota(rds: RDSClient): Promise<{ used: number; max: number } | undefined> {
  const out = await rds.send(new DescribeAccountAttributesCommand({}));
  const q = out.AccountQuotas?.find((a) => a.AccountQuotaName === 'ManualSnapshots');
  return q && typeof q.Used === 'number' && typeof q.Max === 'number' ? { used: q.Used, max: q.Max } : undefined;
}

async function pruneSnapshots(deps: BackupDeps, ownSnapshots: OwnSnapshot[]): Promise<string[]> {
  const db = deps.config.database!;
  const ids = selectSnapshotsToPrune({
    snapshots: ownSnapshots,
    now: deps.now(),
    retentionMs: db.snapshotRetentionHours * HOUR_MS,
    keepNewest: db.keepNewestSnapshots,
  });
  for (const id of ids) {
    await deps.rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
    deps.logger.info('expired manual DB snapshot deleted', { event: 'backup_snapshot_pruned', snapshot: id });
  }
  return ids;
}

// ---------------------------------------------------------------- cache

interface CacheCapture {
  readonly component: BackupComponent;
  readonly newestExport?: BackupComponent;
  readonly started?: string;
  /** ElastiCache refused to start this run's export (permissions, bucket grant…): the error message. */
  readonly exportError?: string;
}

interface ExportRecord {
  readonly exportName: string;
  readonly sourceSnapshot: string;
  readonly consistencyTime: string;
  readonly engine?: string;
  readonly engineVersion?: string;
  readonly startedAt: string;
}

async function captureCache(deps: BackupDeps, s3: Bucket, slot: Date, backupId: string): Promise<CacheCapture> {
  const { config, elasticache, logger } = deps;
  const cache = config.cache!;
  const rg = (
    await elasticache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: cache.replicationGroupId }))
  ).ReplicationGroups?.[0];
  if (!rg) throw new Error(`ElastiCache returned no replication group ${cache.replicationGroupId}`);
  let engineVersion: string | undefined;
  const member = rg.MemberClusters?.[0];
  if (member) {
    const cc = await elasticache.send(new DescribeCacheClustersCommand({ CacheClusterId: member }));
    engineVersion = cc.CacheClusters?.[0]?.EngineVersion;
  }
  const engine = rg.Engine;
  const component: BackupComponent = {
    name: 'cache',
    kind: 'rebuildable',
    reference: cache.replicationGroupId,
    consistencyTime: deps.now().toISOString(),
    engine,
    engineVersion,
  };
  if (cache.mode === 'rebuildable') return { component };

  const prefix = cacheExportPrefix(config.service);
  const recordKeys = await s3.listKeys(`${CACHE_EXPORT_RECORD_PREFIX}${prefix}`);
  const exports: OwnSnapshot[] = recordKeys
    .map((k) => {
      const name = k.slice(CACHE_EXPORT_RECORD_PREFIX.length, -'.json'.length);
      return { id: name, time: slotOfOwnName(name, prefix) ?? new Date(NaN), status: 'exported' };
    })
    .filter((e) => !Number.isNaN(e.time.getTime()));
  const decision = decideCacheExport({
    slot,
    everyHours: cache.exportEveryHours,
    exports,
    reserve: cache.quotaReserve,
  });
  let started: string | undefined;
  let exportError: string | undefined;
  if (decision.take) {
    const source = await newestCacheSnapshot(elasticache, cache.replicationGroupId);
    const exportName = cacheExportName(config.service, backupId);
    if (source && (await s3.listKeys(exportName)).length === 0) {
      try {
        await elasticache.send(
          new CopySnapshotCommand({
            SourceSnapshotName: source.SnapshotName,
            TargetSnapshotName: exportName,
            TargetBucket: config.bucket,
          }),
        );
      } catch (err) {
        if (errorName(err) !== 'SnapshotAlreadyExistsFault') {
          exportError = `${errorName(err) ?? 'Error'}: ${message(err)}`;
          logger.error(
            'cache export refused by ElastiCache; the backup commits without it and the export is retried next run',
            {
              event: 'backup_cache_export_failed',
              export: exportName,
              source: source.SnapshotName,
              error: exportError,
            },
          );
        }
      }
    }
    if (!source) {
      logger.warn('no available cache backup to export yet', {
        event: 'backup_cache_export_skipped',
        reason: 'no available snapshot',
      });
    } else if (exportError === undefined) {
      const record: ExportRecord = {
        exportName,
        sourceSnapshot: source.SnapshotName!,
        consistencyTime: snapshotTime(source)!.toISOString(),
        engine: source.Engine ?? engine,
        engineVersion: source.EngineVersion ?? engineVersion,
        startedAt: deps.now().toISOString(),
      };
      await s3.putNew(cacheExportRecordKey(exportName), Buffer.from(JSON.stringify(record)), 'application/json');
      started = exportName;
      exports.push({ id: exportName, time: slot, status: 'exported' });
      logger.info('cache backup export started', {
        event: 'backup_cache_export_started',
        export: exportName,
        source: source.SnapshotName,
      });
    }
  } else if (decision.blockedByQuota) {
    logger.warn('cache export skipped: quota', { event: 'backup_cache_export_skipped', reason: decision.reason });
  }

  // The newest export whose objects have landed in the bucket (exports finish asynchronously).
  const newestFirst = [...exports].sort((a, b) => b.time.getTime() - a.time.getTime());
  for (const e of newestFirst) {
    const objects = await s3.listObjects(e.id);
    if (objects.length === 0) continue;
    const record = (await s3.getJson(cacheExportRecordKey(e.id))) as ExportRecord | undefined;
    if (!record) continue;
    const first = objects.sort((a, b) => (a.key < b.key ? -1 : 1))[0];
    return {
      component,
      started,
      ...(exportError !== undefined ? { exportError } : {}),
      newestExport: {
        name: 'cache',
        kind: 'elasticache-export',
        reference: record.sourceSnapshot,
        consistencyTime: record.consistencyTime,
        s3Key: first.key,
        sizeBytes: objects.reduce((n, o) => n + o.size, 0),
        engine: record.engine,
        engineVersion: record.engineVersion,
      },
    };
  }
  return { component, started, ...(exportError !== undefined ? { exportError } : {}) };
}

function snapshotTime(s: Snapshot): Date | undefined {
  return s.NodeSnapshots?.map((n) => n.SnapshotCreateTime)
    .filter((t): t is Date => t instanceof Date)
    .sort((a, b) => a.getTime() - b.getTime())[0];
}

async function newestCacheSnapshot(ec: ElastiCacheClient, replicationGroupId: string): Promise<Snapshot | undefined> {
  const all: Snapshot[] = [];
  let Marker: string | undefined;
  do {
    const page = await ec.send(new DescribeSnapshotsCommand({ ReplicationGroupId: replicationGroupId, Marker }));
    all.push(...(page.Snapshots ?? []));
    Marker = page.Marker;
  } while (Marker);
  // Only the group's automatic daily backups (named automatic.<group>-<date>): what the role may export.
  return all
    .filter((s) => s.SnapshotStatus === 'available' && s.SnapshotSource === 'automated' && snapshotTime(s))
    .sort((a, b) => snapshotTime(b)!.getTime() - snapshotTime(a)!.getTime())[0];
}

// ---------------------------------------------------------------- age

async function recordAgeOfNewest(deps: BackupDeps, s3: Bucket): Promise<void> {
  const lookbackHours = 48;
  const now = deps.now();
  const from = backupIdForSlot(slotStart(new Date(now.getTime() - lookbackHours * HOUR_MS), 60));
  const keys = await s3.listKeys(MANIFEST_PREFIX, manifestKey(from));
  const newest = newestManifestBackupId(keys);
  if (!newest) {
    // None in the lookback: report the lower bound, so the staleness alarm has a value.
    deps.metrics.record({ name: 'BackupAgeSeconds', unit: 'Seconds', value: lookbackHours * 3600 });
    return;
  }
  const manifest = parseManifest(await s3.getJson(manifestKey(newest)));
  deps.metrics.record({ name: 'BackupAgeSeconds', unit: 'Seconds', value: ageSeconds(now, manifest.createdAt) });
}

function ageSeconds(now: Date, iso: string): number {
  return Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
}

// ---------------------------------------------------------------- S3 helpers

/** The backup bucket: write-once puts (never overwrite), reads, listings. No deletes exist here. */
class Bucket {
  constructor(
    private readonly client: S3Client,
    readonly name: string,
  ) {}

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw s3ReadError('backup', this.name, key, err);
    }
  }

  /** The object's bytes, or undefined when it does not exist; any other failure names the bucket and key. */
  async getBytes(key: string): Promise<Buffer | undefined> {
    try {
      return await readS3Bytes('backup', this.name, key, () =>
        this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key })),
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async getJson(key: string): Promise<unknown> {
    const bytes = await this.getBytes(key);
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new Error(`backup: s3://${this.name}/${key} is not JSON: ${(err as Error).message}`);
    }
  }

  /**
   * Writes an object only if the key is free. Checks with HEAD first (s3rver and some
   * S3-compatible servers ignore conditional PUTs), then PUTs with `If-None-Match: *`, which S3
   * enforces, so a concurrent writer cannot be overwritten either. Returns false when the key was taken.
   */
  async putNew(key: string, body: Buffer, contentType: string): Promise<boolean> {
    if (await this.exists(key)) return false;
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.name,
          Key: key,
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
          ChecksumSHA256: createHash('sha256').update(body).digest('base64'),
        }),
      );
      return true;
    } catch (err) {
      const status = (err as S3ServiceException).$metadata?.httpStatusCode;
      if (status === 412 || errorName(err) === 'PreconditionFailed') return false;
      throw err;
    }
  }

  async listObjects(prefix: string, startAfter?: string): Promise<Array<{ key: string; size: number }>> {
    const out: Array<{ key: string; size: number }> = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.name,
          Prefix: prefix,
          ContinuationToken,
          StartAfter: ContinuationToken ? undefined : startAfter,
        }),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0 });
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return out;
  }

  async listKeys(prefix: string, startAfter?: string): Promise<string[]> {
    return (await this.listObjects(prefix, startAfter)).map((o) => o.key);
  }
}

function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  const status = (err as S3ServiceException)?.$metadata?.httpStatusCode;
  if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) return true;
  // A read error wraps the SDK's (see s3ReadError).
  const cause = (err as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== err && isNotFound(cause);
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string })?.name;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Hex SHA-256 of bytes. */
export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}
