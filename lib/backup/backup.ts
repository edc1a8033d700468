import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from '../internal/compliance';
import { nagWildcardResourceId } from '../internal/nag';
import { stackLogKey } from '../internal/log-key';
import { McpOpsFunction } from '../internal/nodejs-function';
import { McpDataTier } from '../data/data-tier';
import { CacheBackupMode } from './cache-backup-mode';
import { BACKUP_ENV } from './handler-config';
import { BACKUP_PREFIX, MANIFEST_PREFIX } from './manifest';
import {
  BACKUP_TAG_KEY,
  CACHE_EXPORT_RECORD_PREFIX,
  cacheExportPrefix,
  rdsSnapshotPrefix,
  RDS_MANUAL_SNAPSHOT_QUOTA,
} from './selection';
import { checkBackupSettings, rateExpressionMinutes } from './settings';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { kmsBucketProps } from '../internal/buckets';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { Problems } from '../internal/validate';
import { alarmFactoryFor } from '../internal/alarm-factory';
import { MCP_OPS_NAMESPACE } from '../internal/metrics';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';

/** The runbook every backup alarm links (docs/runbooks/backup.md). */
export const BACKUP_RUNBOOK = 'backup';

const OWNER = 'McpBackup';

/** S3 Object Lock default retention of the backup bucket. */
export interface McpBackupObjectLock {
  /**
   * `GOVERNANCE`: users with s3:BypassGovernanceRetention can still delete; `COMPLIANCE`: nobody can, not even root.
   * @default s3.ObjectLockMode.GOVERNANCE
   */
  readonly mode?: s3.ObjectLockMode;
  /**
   * How long each object version is locked: whole days, at most the retention.
   * @default the retention
   */
  readonly period?: Duration;
}

/** Replication of the backup bucket to a bucket in a disaster-recovery region. */
export interface McpBackupReplication {
  /**
   * ARN of the destination bucket: in the DR region, same account, versioned and with Object Lock
   * enabled (S3 requires it to replicate locked objects and their retention).
   */
  readonly destinationBucketArn: string;
  /** ARN of the KMS key in the DR region that encrypts the replicas. */
  readonly destinationKmsKeyArn: string;
  /**
   * Storage class of the replicas.
   * @default the source object's storage class
   */
  readonly storageClass?: s3.StorageClass;
}

/** Props for {@link McpBackup}. */
export interface McpBackupProps extends McpAlarmOptions {
  /**
   * Service name: metric dimension and prefix of our snapshot names (`mcpops-<serviceName>-db-…`); 1–20 lowercase letters, digits and single hyphens, starting with a letter (the package's one service-name rule, see McpService).
   * One McpBackup per service name and account/region: each prunes the snapshots of its prefix.
   */
  readonly serviceName: string;
  /**
   * The data tier whose database and cache are backed up; its secrets are recorded by ARN.
   * @default none (use `database` / `cacheReplicationGroupId` for existing resources)
   */
  readonly dataTier?: McpDataTier;
  /**
   * An existing RDS instance to cover (instead of `dataTier`). It must have automated backups on.
   * @default the data tier's database, else none
   */
  readonly database?: rds.IDatabaseInstance;
  /**
   * Replication group id of an existing ElastiCache cache to cover (instead of `dataTier`).
   * @default the data tier's cache, else none
   */
  readonly cacheReplicationGroupId?: string;
  /**
   * `CacheBackupMode.REBUILDABLE`: record that the cache is rebuilt empty on restore (its own automatic daily
   * backups, encrypted with the data tier's key, stay in ElastiCache for a manual restore);
   * `CacheBackupMode.EXPORT`: also export the cache's newest automatic backup to the bucket on its cadence.
   * `EXPORT` is opt-in because AWS documents the bucket grant it needs differently by Region: in
   * Regions enabled by default, a bucket ACL for ElastiCache's canonical user, which this bucket
   * (ACLs disabled) cannot carry; the service-principal bucket policy used here is documented for
   * opt-in Regions only (see docs/backup.md#elasticache-export). Synth warns when it is chosen.
   * @default CacheBackupMode.REBUILDABLE
   */
  readonly cacheBackup?: CacheBackupMode;
  /**
   * Time between cache exports, with `cacheBackup: CacheBackupMode.EXPORT`: whole hours, 1 to 168 (ElastiCache allows
   * 20 manual backups per node per day).
   * @default Duration.hours(24)
   */
  readonly cacheExportInterval?: Duration;
  /**
   * Of ElastiCache's 20 per-node daily backups, how many the Lambda leaves for people and other tools.
   * @default 2
   */
  readonly cacheExportQuotaReserve?: number;
  /**
   * SSM parameter path whose parameters are captured (String values; SecureString by name only).
   * @default none
   */
  readonly ssmParameterPrefix?: string;
  /**
   * The service's task definition: its latest revision of the family is captured.
   * @default none
   */
  readonly taskDefinition?: ecs.TaskDefinition;
  /**
   * Secrets recorded by name and ARN (values are never read).
   * @default the data tier's database and cache secrets
   */
  readonly secrets?: secretsmanager.ISecret[];
  /**
   * When the Lambda runs.
   * @default events.Schedule.rate(Duration.hours(1)) (= the RPO)
   */
  readonly schedule?: events.Schedule;
  /**
   * Length of a schedule slot (backup ids are derived from it). Needed only for a cron schedule.
   * @default the rate of `schedule`
   */
  readonly slotInterval?: Duration;
  /**
   * Recovery point objective: alarm when no successful backup is newer.
   * @default Duration.hours(1)
   */
  readonly rpo?: Duration;
  /**
   * How long backups are kept in the bucket (lifecycle expiry).
   * @default Duration.days(30) (the operations guide)
   */
  readonly retention?: Duration;
  /**
   * Object Lock default retention.
   * @default GOVERNANCE for the retention period
   */
  readonly objectLock?: McpBackupObjectLock;
  /**
   * Replicate the bucket to a DR region (the compliance packs' S3BucketReplicationEnabled; without it the
   * finding is acknowledged).
   * @default no replication: the DR Region's bucket and key belong to the account's DR design, so they are
   * given, not created here
   */
  readonly replication?: McpBackupReplication;
  /**
   * Time between manual RDS snapshots (point-in-time recovery is the primary path): whole hours, 1 to 168.
   * @default Duration.hours(24)
   */
  readonly snapshotInterval?: Duration;
  /**
   * Retention of the backup function's own log group (KMS-encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;
  /**
   * Our manual snapshots are deleted after this, except the newest `keepNewestSnapshots`.
   * @default the retention
   */
  readonly snapshotRetention?: Duration;
  /**
   * Our newest manual snapshots always kept, whatever their age.
   * @default 3
   */
  readonly keepNewestSnapshots?: number;
  /**
   * Manual-snapshot quota of the region the settings must fit in.
   * @default 100 (the RDS default quota)
   */
  readonly manualSnapshotQuota?: number;
  /**
   * Manual snapshots of the quota left for people and other tools; no snapshot is taken when fewer are free.
   * @default 10
   */
  readonly snapshotQuotaReserve?: number;
  /**
   * KMS key of the backup bucket.
   * @default a new key with rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket receiving the backup bucket's server access logs.
   * @default a new SSE-S3 bucket, logs kept 90 days
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Removal policy of the backup bucket and key.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A wildcard resource of the Lambda's role and why it cannot be narrower (acknowledged to cdk-nag one by one). */
interface Wildcard {
  readonly arn: string;
  readonly reason: string;
}

/** The validated settings the constructor builds from (defaults filled in). */
interface BackupSettings {
  readonly intervalMinutes: number;
  readonly rpo: Duration;
  readonly retention: Duration;
  readonly database?: rds.IDatabaseInstance;
  readonly cacheId?: string;
  readonly cacheMode: CacheBackupMode;
  readonly secrets: secretsmanager.ISecret[];
  readonly snapshotEveryHours: number;
  readonly snapshotRetentionHours: number;
  readonly keepNewestSnapshots: number;
  readonly snapshotQuotaReserve: number;
  readonly cacheExportEveryHours: number;
  readonly cacheExportQuotaReserve: number;
  readonly lockMode: string;
  readonly lockDays: number;
}

/**
 * Scheduled backups of an MCP service: a KMS-encrypted, versioned, Object-Locked, TLS-only bucket
 * with access logs, lifecycle expiry and optional DR-region replication; a Lambda that captures the
 * configuration, the database restore point (PITR, plus manual snapshots on a quota-aware cadence)
 * and the cache, then commits a manifest; metrics, alarms and dashboard widgets.
 */
export class McpBackup extends Construct implements IMcpMonitoringSegment {
  /** The backup bucket. */
  public readonly bucket: s3.Bucket;
  /** The bucket's key. */
  public readonly key: kms.IKey;
  /** The backup Lambda. */
  public readonly backupFunction: lambda.Function;
  /** The schedule rule. */
  public readonly rule: events.Rule;
  /**
   * The alarms: `BackupStale` (no successful backup newer than the RPO, critical), `BackupRunFailed` (a run
   * failed) and `BackupErrors` (the Lambda errored), warnings.
   */
  public readonly alarms: McpAlarm[];
  /** Title of the backup's dashboard row (see `McpMonitoring.addSegment`). */
  public readonly segmentTitle = 'Backups';
  /** Slot length in minutes. */
  public readonly intervalMinutes: number;
  /** The service name (metric dimension, snapshot-name prefix; the disaster-recovery workflow must use the same). */
  public readonly serviceName: string;
  private readonly rpo: Duration;

  constructor(scope: Construct, id: string, props: McpBackupProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const settings = this.validate(props);
    this.serviceName = props.serviceName;
    this.intervalMinutes = settings.intervalMinutes;
    this.rpo = settings.rpo;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.key = props.encryptionKey ?? this.createKey(removalPolicy);
    const accessLogs = props.accessLogsBucket ?? this.createAccessLogsBucket(removalPolicy);
    this.bucket = this.createBucket(props, settings, accessLogs, removalPolicy);
    if (props.replication) this.replicateObjectLock(props.replication);
    this.enforceWriteOnce();
    if (settings.cacheId !== undefined && settings.cacheMode === CacheBackupMode.EXPORT) this.admitCacheExports();

    const logGroup = this.createFunctionLogs(props.functionLogRetention);
    const role = this.createFunctionRole(logGroup);
    const wildcards = [
      ...this.grantBackupObjects(role),
      ...(settings.database ? this.grantDatabaseSnapshots(role, settings.database) : []),
      ...(settings.cacheId !== undefined ? this.grantCache(role, settings.cacheId, settings.cacheMode) : []),
      ...this.grantConfiguration(role, props),
    ];
    this.backupFunction = this.createFunction(props, settings, role, logGroup);
    this.acknowledgeWildcards(role, wildcards);
    this.rule = this.createSchedule(props);
    this.alarms = this.createAlarms(props);
  }

  /** The backup key, when none is given. */
  private createKey(removalPolicy: RemovalPolicy): kms.Key {
    return new kms.Key(this, 'Key', {
      description: `Encrypts the MCP backups of ${this.serviceName}`,
      enableKeyRotation: true,
      removalPolicy,
    });
  }

  /** The S3 server-access-log target of the backup bucket, when none is given (SSE-S3: see its acknowledgements). */
  private createAccessLogsBucket(removalPolicy: RemovalPolicy): s3.Bucket {
    const logsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED, // server access logs cannot target an SSE-KMS bucket
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy,
    });
    Validations.of(logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log target of the backup bucket; logging it into itself would loop.',
    });
    acknowledgeCompliance(logsBucket, {
      S3DefaultEncryptionKMS:
        'The S3 server-access-log target of the backup bucket: SSE-S3, since an SSE-KMS target needs the log-delivery service admitted to the key, and these records hold no backup content',
      S3BucketReplicationEnabled:
        'Access records of the backup bucket, kept 90 days in this Region: an audit trail of reads and writes, not backup data',
    });
    return logsBucket;
  }

  /** The versioned, Object-Locked, KMS-encrypted backup bucket with its lifecycle and optional replication. */
  private createBucket(
    props: McpBackupProps,
    settings: BackupSettings,
    accessLogs: s3.IBucket,
    removalPolicy: RemovalPolicy,
  ): s3.Bucket {
    const replication = props.replication;
    const bucket = new s3.Bucket(this, 'Bucket', {
      ...kmsBucketProps(this.key),
      objectLockEnabled: true,
      objectLockDefaultRetention:
        settings.lockMode === 'COMPLIANCE'
          ? s3.ObjectLockRetention.compliance(Duration.days(settings.lockDays))
          : s3.ObjectLockRetention.governance(Duration.days(settings.lockDays)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `backup-bucket/${props.serviceName}/`,
      lifecycleRules: [
        {
          id: 'expire-backups',
          expiration: settings.retention,
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      replicationRules: replication
        ? [
            {
              destination: s3.Bucket.fromBucketArn(this, 'ReplicaBucket', replication.destinationBucketArn),
              kmsKey: kms.Key.fromKeyArn(this, 'ReplicaKey', replication.destinationKmsKeyArn),
              sseKmsEncryptedObjects: true,
              storageClass: replication.storageClass,
              priority: 1,
              deleteMarkerReplication: false,
            },
          ]
        : undefined,
      removalPolicy,
    });
    if (!replication)
      acknowledgeCompliance(bucket, {
        S3BucketReplicationEnabled:
          'No replication prop: backups stay in this Region (Object Lock, versioned, SSE-KMS); give replication (a bucket and key in the DR Region) for a cross-Region copy.',
      });
    return bucket;
  }

  /**
   * Lets the bucket's replication role read the objects' retention and legal holds, and acknowledges the
   * wildcards replication needs.
   */
  private replicateObjectLock(replication: McpBackupReplication): void {
    const role = this.bucket.node.tryFindChild('ReplicationRole') as iam.Role | undefined;
    if (!role) throw new Error(`${OWNER}: internal: the bucket's replication role was not found (aws-cdk-lib changed)`);
    // S3 replicates locked objects and their retention only if the role may read both
    // (S3 user guide, "Using Object Lock with S3 Replication"); aws-cdk-lib does not add them.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReplicateObjectLock',
        actions: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObjectVersion*]',
        reason:
          'S3 replication needs the GetObjectVersion family (ForReplication, Acl, Tagging) on the source objects.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:Replicate*]',
        reason: 'S3 replication needs ReplicateObject, ReplicateDelete and ReplicateTags on the destination objects.',
      },
      {
        id: nagWildcardResourceId(this, this.bucket.arnForObjects('*')),
        reason: 'Replication reads every object version of the backup bucket.',
      },
      {
        id: nagWildcardResourceId(this, `${replication.destinationBucketArn}/*`),
        reason: 'Replication writes every object into the DR bucket.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Encrypting replicas with the DR key needs GenerateDataKey and its variants.',
      },
      {
        id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
        reason: 'Replication re-encrypts objects from the source key to the DR key.',
      },
    );
    acknowledgeCompliance(role, {
      IAMNoInlinePolicy:
        "The policy of the backup bucket's own replication role (aws-cdk-lib's): read the backup objects, write the DR bucket with the DR key, attached to this one role and deleted with it",
    });
  }

  /**
   * Write-once, enforced by S3 and not only by the Lambda: nobody (the backup role included) may PUT under our
   * prefixes without If-None-Match, so an existing manifest or component object can never get a new current
   * version (S3 "Enforce conditional writes"). The Lambda always sends it; the restore workflow writes elsewhere
   * (restores/).
   */
  private enforceWriteOnce(): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WriteOnceBackupObjects',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: this.backupObjectArns(),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }

  /** The objects the Lambda writes once: manifests, component objects, cache export records. */
  private backupObjectArns(): string[] {
    return [MANIFEST_PREFIX, BACKUP_PREFIX, CACHE_EXPORT_RECORD_PREFIX].map((p) => this.bucket.arnForObjects(`${p}*`));
  }

  /**
   * `cacheBackup: EXPORT`: ElastiCache's regional service principal may write exports, only under our export
   * prefix, with the bucket key; synth warns that AWS documents this grant for opt-in Regions only.
   */
  private admitCacheExports(): void {
    const stack = Stack.of(this);
    const ecPrincipal = new iam.ServicePrincipal(`${stack.region}.elasticache-snapshot.amazonaws.com`);
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': stack.account } };
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElastiCacheExportBucket',
        principals: [ecPrincipal],
        actions: ['s3:GetBucketAcl', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
        conditions: sourceAccount,
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElastiCacheExportObjects',
        principals: [ecPrincipal],
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects(`${cacheExportPrefix(this.serviceName)}*`)],
        conditions: sourceAccount,
      }),
    );
    Annotations.of(this).addWarningV2(
      'mcp-ops:cacheExportUnverified',
      `${OWNER}: cacheBackup 'export' relies on the bucket policy for ${stack.region}.elasticache-snapshot.amazonaws.com. ` +
        "AWS documents that grant for opt-in Regions; in Regions enabled by default it documents a bucket ACL for ElastiCache's " +
        'canonical user, which this bucket (ACLs disabled, SSE-KMS, Object Lock) cannot carry. Run one export in your account ' +
        'before relying on it: a refused export pages (FailedRunAlarm) on every run. See docs/backup.md#elasticache-export.',
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElastiCacheExportEncrypt',
        principals: [ecPrincipal],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: sourceAccount,
      }),
    );
  }

  /** The Lambda's log group (a year, the stack's log key, retained). */
  private createFunctionLogs(retention: logs.RetentionDays | undefined): logs.LogGroup {
    return new logs.LogGroup(this, 'FunctionLogs', {
      retention: retention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: stackLogKey(this),
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The Lambda's own role: writes its log group; the grant* builders add the rest. */
  private createFunctionRole(logGroup: logs.LogGroup): iam.Role {
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Backup Lambda of ${this.serviceName}: write-once backup objects, our own snapshots only`,
    });
    logGroup.grantWrite(role);
    acknowledgeCompliance(role, {
      IAMNoInlinePolicy:
        "The backup function's own policy: write-once puts of its prefixes and snapshots of its own names, attached to this one role and deleted with it",
    });
    return role;
  }

  /**
   * Write-once puts and reads of our own prefixes, the bucket listing and its key. No s3:Delete* of any kind, no
   * version deletes, no retention or legal-hold changes. Returns the wildcards to acknowledge.
   */
  private grantBackupObjects(role: iam.Role): Wildcard[] {
    const objectArns = this.backupObjectArns();
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BackupObjects',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: objectArns,
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'BackupList', actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'BackupKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    );
    return [
      {
        arn: objectArns[0],
        reason: 'Manifests are written once per slot under manifests/: only PutObject and GetObject, no delete.',
      },
      {
        arn: objectArns[1],
        reason:
          'Component objects are written once per slot under backups/<id>/: only PutObject and GetObject, no delete.',
      },
      {
        arn: objectArns[2],
        reason:
          'Cache export records are written once per export under cache-exports/: only PutObject and GetObject, no delete.',
      },
    ];
  }

  /**
   * The database's restore point and our manual snapshots: describe the instance, create, tag and (our own, by
   * name and tag) delete snapshots, read the quota. Returns the wildcards to acknowledge.
   */
  private grantDatabaseSnapshots(role: iam.Role, database: rds.IDatabaseInstance): Wildcard[] {
    const stack = Stack.of(this);
    const { region, account, partition } = stack;
    const snapshotArnPattern = `arn:${partition}:rds:${region}:${account}:snapshot:${rdsSnapshotPrefix(this.serviceName)}*`;
    const dbArn = stack.formatArn({
      service: 'rds',
      resource: 'db',
      resourceName: database.instanceIdentifier,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'DatabaseDescribe', actions: ['rds:DescribeDBInstances'], resources: [dbArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DatabaseSnapshotsList',
        actions: ['rds:DescribeDBSnapshots'],
        resources: [dbArn, `arn:${partition}:rds:${region}:${account}:snapshot:*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DatabaseSnapshotCreate',
        actions: ['rds:CreateDBSnapshot'],
        resources: [dbArn, snapshotArnPattern],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DatabaseSnapshotTag',
        actions: ['rds:AddTagsToResource'],
        resources: [snapshotArnPattern],
        conditions: { StringEquals: { [`aws:RequestTag/${BACKUP_TAG_KEY}`]: this.serviceName } },
      }),
    );
    // Deletes only our own snapshots: our name prefix AND our tag.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DatabaseSnapshotPruneOwn',
        actions: ['rds:DeleteDBSnapshot'],
        resources: [snapshotArnPattern],
        conditions: { StringEquals: { [`aws:ResourceTag/${BACKUP_TAG_KEY}`]: this.serviceName } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DatabaseSnapshotQuota',
        actions: ['rds:DescribeAccountAttributes'],
        resources: ['*'],
      }),
    );
    return [
      {
        arn: snapshotArnPattern,
        reason:
          'Our manual snapshots are named <prefix><backup id>; delete is further limited to snapshots tagged with our service.',
      },
      {
        arn: `arn:${partition}:rds:${region}:${account}:snapshot:*`,
        reason:
          'rds:DescribeDBSnapshots (read-only) filtered by our instance is authorised against every snapshot it may return.',
      },
    ];
  }

  /**
   * The cache: describe the replication group and its nodes; with `EXPORT`, copy its automatic backups to the
   * bucket (and the S3 calls CopySnapshot's caller needs). Returns the wildcards to acknowledge.
   */
  private grantCache(role: iam.Role, cacheId: string, cacheMode: CacheBackupMode): Wildcard[] {
    const stack = Stack.of(this);
    const exportPrefix = cacheExportPrefix(this.serviceName);
    const ecArn = (resource: string, name: string) =>
      stack.formatArn({
        service: 'elasticache',
        resource,
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheDescribe',
        actions: ['elasticache:DescribeReplicationGroups'],
        resources: [ecArn('replicationgroup', cacheId)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheNodes',
        actions: ['elasticache:DescribeCacheClusters'],
        resources: [ecArn('cluster', `${cacheId}-*`)],
      }),
    );
    const wildcards: Wildcard[] = [
      {
        arn: ecArn('cluster', `${cacheId}-*`),
        reason:
          "The replication group's member nodes are named <group id>-NNN; DescribeCacheClusters (read-only) on them gives the engine version.",
      },
    ];
    if (cacheMode !== CacheBackupMode.EXPORT) return wildcards;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheSnapshotsList',
        actions: ['elasticache:DescribeSnapshots'],
        resources: [ecArn('replicationgroup', cacheId), ecArn('snapshot', '*')],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheExport',
        actions: ['elasticache:CopySnapshot'],
        resources: [ecArn('snapshot', `automatic.${cacheId}-*`), ecArn('snapshot', `${exportPrefix}*`)],
      }),
    );
    // The caller of CopySnapshot with a TargetBucket also needs these S3 permissions (ElastiCache
    // user guide, "Exporting a backup", step 3); s3:ListAllMyBuckets has no resource-level permission.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheExportBucketLocation',
        actions: ['s3:GetBucketLocation'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'CacheExportListBuckets',
        actions: ['s3:ListAllMyBuckets'],
        resources: ['*'],
      }),
    );
    return [
      ...wildcards,
      {
        arn: ecArn('snapshot', '*'),
        reason:
          'elasticache:DescribeSnapshots (read-only) for our replication group is authorised against every snapshot it may return.',
      },
      {
        arn: ecArn('snapshot', `automatic.${cacheId}-*`),
        reason:
          "The source of an export is one of our replication group's automatic daily backups, named automatic.<group id>-<date>.",
      },
      { arn: ecArn('snapshot', `${exportPrefix}*`), reason: 'Exports are named <prefix><backup id>.' },
    ];
  }

  /**
   * The configuration: the parameters under `ssmParameterPrefix` (read-only, SecureStrings not decrypted) and the
   * task definition. Returns the wildcards to acknowledge.
   */
  private grantConfiguration(role: iam.Role, props: McpBackupProps): Wildcard[] {
    const wildcards: Wildcard[] = [];
    if (props.ssmParameterPrefix) {
      const { region, account, partition } = Stack.of(this);
      const paramArn = (path: string) => `arn:${partition}:ssm:${region}:${account}:parameter${path}`;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ConfigurationParameters',
          actions: ['ssm:GetParametersByPath'],
          resources: [paramArn(props.ssmParameterPrefix), paramArn(`${props.ssmParameterPrefix}/*`)],
        }),
      );
      wildcards.push({
        arn: paramArn(`${props.ssmParameterPrefix}/*`),
        reason:
          "Every parameter under the service's configuration path is captured (read-only; SecureString values are not decrypted).",
      });
    }
    if (props.taskDefinition) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'ConfigurationTaskDefinition',
          actions: ['ecs:DescribeTaskDefinition'],
          resources: ['*'],
        }),
      );
    }
    return wildcards;
  }

  /** The backup Lambda, configured through its environment (lib/backup/handler-config.ts names the variables). */
  private createFunction(
    props: McpBackupProps,
    settings: BackupSettings,
    role: iam.Role,
    logGroup: logs.LogGroup,
  ): lambda.Function {
    return new McpOpsFunction(this, 'Function', {
      handlerName: 'backup',
      description: `Backs up ${props.serviceName} every ${settings.intervalMinutes} min (configuration, database, cache) and commits a manifest`,
      role,
      logGroup,
      timeout: Duration.minutes(5),
      memorySize: 512,
      outsideVpcReason:
        'Backs up through AWS APIs only (RDS and ElastiCache snapshots, SSM, S3): it connects to neither the database nor the cache',
      noDeadLetterQueueReason:
        'Invoked by its schedule (2 retries, events older than a slot dropped): a slot without a committed manifest is what the StaleAlarm and FailedRunAlarm page on',
      environment: this.functionEnvironment(props, settings),
    });
  }

  /** The handler's environment: bucket, service, slot, and what to capture with its cadences. */
  private functionEnvironment(props: McpBackupProps, settings: BackupSettings): Record<string, string> {
    const environment: Record<string, string> = {
      [BACKUP_ENV.bucket]: this.bucket.bucketName,
      [BACKUP_ENV.service]: props.serviceName,
      [BACKUP_ENV.intervalMinutes]: String(settings.intervalMinutes),
    };
    if (props.ssmParameterPrefix) environment[BACKUP_ENV.ssmParameterPrefix] = props.ssmParameterPrefix;
    if (props.taskDefinition) environment[BACKUP_ENV.taskDefinition] = props.taskDefinition.family;
    if (settings.secrets.length > 0)
      environment[BACKUP_ENV.secretArns] = settings.secrets.map((s) => s.secretArn).join(',');
    if (settings.database) {
      Object.assign(environment, {
        [BACKUP_ENV.dbInstanceId]: settings.database.instanceIdentifier,
        [BACKUP_ENV.dbSnapshotEveryHours]: String(settings.snapshotEveryHours),
        [BACKUP_ENV.dbSnapshotRetentionHours]: String(settings.snapshotRetentionHours),
        [BACKUP_ENV.dbKeepNewestSnapshots]: String(settings.keepNewestSnapshots),
        [BACKUP_ENV.dbSnapshotQuotaReserve]: String(settings.snapshotQuotaReserve),
      });
    }
    if (settings.cacheId !== undefined) {
      Object.assign(environment, {
        [BACKUP_ENV.cacheReplicationGroupId]: settings.cacheId,
        [BACKUP_ENV.cacheMode]: settings.cacheMode,
        [BACKUP_ENV.cacheExportEveryHours]: String(settings.cacheExportEveryHours),
        [BACKUP_ENV.cacheExportQuotaReserve]: String(settings.cacheExportQuotaReserve),
      });
    }
    return environment;
  }

  /** The schedule: every slot, 2 retries, events older than a slot (at most an hour) dropped. */
  private createSchedule(props: McpBackupProps): events.Rule {
    const rule = new events.Rule(this, 'Schedule', {
      description: `Backup of ${props.serviceName} (RPO ${this.rpo.toHumanString()})`,
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(1)),
      targets: [
        new targets.LambdaFunction(this.backupFunction, {
          retryAttempts: 2,
          maxEventAge: Duration.minutes(Math.min(this.intervalMinutes, 60)),
        }),
      ],
    });
    acknowledgeCompliance(rule, {
      EventBusDLQ:
        'A backup run that EventBridge cannot deliver leaves its slot without a manifest, which the StaleAlarm pages on; a DLQ would hold an event nobody replays (the next slot backs up anew)',
    });
    return rule;
  }

  /**
   * Checks every prop (the service name first), collects the problems and throws them once; warns about
   * settings that another setting makes ineffective. Returns the numbers the constructor builds from.
   */
  private validate(props: McpBackupProps): BackupSettings {
    const stack = Stack.of(this);
    const problems = new Problems(OWNER, this.node.path);
    const nameProblem = serviceNameProblem(props.serviceName);
    problems.add(nameProblem);
    if (!nameProblem) problems.add(claimServiceName(this, OWNER, props.serviceName));
    problems.check(
      !(props.dataTier && (props.database || props.cacheReplicationGroupId)),
      'pass either dataTier or database/cacheReplicationGroupId, not both',
    );
    if (props.ssmParameterPrefix !== undefined)
      problems.check(
        typeof props.ssmParameterPrefix === 'string' &&
          /^\/[A-Za-z0-9_.\-/]*[A-Za-z0-9_.-]$/.test(props.ssmParameterPrefix) &&
          !props.ssmParameterPrefix.includes('//'),
        `ssmParameterPrefix must be a parameter path like "/mcp/prod" (starts with "/", no trailing "/"), got ${JSON.stringify(props.ssmParameterPrefix)}`,
      );
    if (props.cacheReplicationGroupId !== undefined && !Token.isUnresolved(props.cacheReplicationGroupId))
      problems.pattern(
        'cacheReplicationGroupId',
        props.cacheReplicationGroupId,
        /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/,
        'an ElastiCache replication group id (1–40 lowercase letters, digits and single hyphens, starting with a letter)',
      );
    const schedule = props.schedule ?? events.Schedule.rate(Duration.hours(1));
    const minutes = (prop: string, d: Duration): number => {
      const m = d.toMinutes({ integral: false });
      problems.check(Number.isInteger(m), `${prop} must be a whole number of minutes, got ${d.toHumanString()}`);
      return m;
    };
    const intervalMinutes =
      props.slotInterval !== undefined
        ? minutes('slotInterval', props.slotInterval)
        : rateExpressionMinutes(schedule.expressionString);
    problems.check(
      intervalMinutes !== undefined,
      `slotInterval is required with a non-rate schedule, got schedule ${schedule.expressionString}`,
    );
    const rpo = props.rpo ?? Duration.hours(1);
    const retention = props.retention ?? Duration.days(30);
    const retentionDays = retention.toDays({ integral: false });
    const database = props.database ?? props.dataTier?.database;
    const cacheId = props.cacheReplicationGroupId ?? props.dataTier?.cache?.ref;
    const cacheMode: CacheBackupMode = props.cacheBackup ?? CacheBackupMode.REBUILDABLE;
    problems.check(
      cacheMode === CacheBackupMode.EXPORT || cacheMode === CacheBackupMode.REBUILDABLE,
      `cacheBackup must be "export" or "rebuildable", got ${JSON.stringify(cacheMode)}`,
    );
    const snapshotEveryHours = props.snapshotInterval?.toHours({ integral: false }) ?? 24;
    const snapshotRetentionHours = (props.snapshotRetention ?? retention).toHours({ integral: false });
    const keepNewestSnapshots = props.keepNewestSnapshots ?? 3;
    const snapshotQuotaReserve = props.snapshotQuotaReserve ?? 10;
    const cacheExportEveryHours = props.cacheExportInterval?.toHours({ integral: false }) ?? 24;
    const cacheExportQuotaReserve = props.cacheExportQuotaReserve ?? 2;
    const lockMode = props.objectLock?.mode ?? 'GOVERNANCE';
    problems.check(
      lockMode === 'GOVERNANCE' || lockMode === 'COMPLIANCE',
      `objectLock.mode must be "GOVERNANCE" or "COMPLIANCE", got ${JSON.stringify(lockMode)}`,
    );
    const lockDays = props.objectLock?.period?.toDays({ integral: false }) ?? retentionDays;
    problems.replaced(props, {
      snapshotEveryHours: 'snapshotInterval (a Duration: Duration.hours(n))',
      cacheExportEveryHours: 'cacheExportInterval (a Duration: Duration.hours(n))',
    });
    if (props.objectLock)
      problems.replaced(props.objectLock, { days: 'objectLock.period (a Duration: Duration.days(n))' });
    problems.integer('manualSnapshotQuota', props.manualSnapshotQuota, 1, 100000);
    if (intervalMinutes !== undefined)
      problems.capture(() =>
        checkBackupSettings({
          intervalMinutes,
          rpoMinutes: rpo.toMinutes({ integral: false }),
          retentionDays,
          objectLockDays: lockDays,
          hasDatabase: database !== undefined,
          snapshotEveryHours,
          snapshotRetentionHours,
          keepNewestSnapshots,
          snapshotQuotaReserve,
          manualSnapshotQuota: props.manualSnapshotQuota ?? RDS_MANUAL_SNAPSHOT_QUOTA,
          hasCacheExport: cacheId !== undefined && cacheMode === CacheBackupMode.EXPORT,
          cacheExportEveryHours,
          cacheExportQuotaReserve,
        }),
      );
    problems.check(
      !!(
        database ||
        cacheId !== undefined ||
        props.ssmParameterPrefix ||
        props.taskDefinition ||
        (props.secrets ?? []).length > 0 ||
        props.dataTier
      ),
      'nothing to back up: pass dataTier, database, cacheReplicationGroupId, ssmParameterPrefix, taskDefinition or secrets',
    );
    if (props.replication) this.checkReplication(problems, props.replication, stack);
    problems.throwIfAny();

    const ignored: Array<[boolean, string]> = [
      [
        !database &&
          [props.snapshotInterval, props.snapshotRetention, props.keepNewestSnapshots, props.snapshotQuotaReserve].some(
            (v) => v !== undefined,
          ),
        'the manual-snapshot settings (snapshotInterval, snapshotRetention, keepNewestSnapshots, snapshotQuotaReserve) are ignored: there is no database',
      ],
      [
        !(cacheId !== undefined && cacheMode === CacheBackupMode.EXPORT) &&
          (props.cacheExportInterval !== undefined || props.cacheExportQuotaReserve !== undefined),
        "cacheExportInterval and cacheExportQuotaReserve are ignored: they apply only with a cache and cacheBackup 'export'",
      ],
      [
        props.cacheBackup !== undefined && cacheId === undefined,
        'cacheBackup is ignored: there is no cache (dataTier without one, or no cacheReplicationGroupId)',
      ],
      [
        props.slotInterval !== undefined && rateExpressionMinutes(schedule.expressionString) !== undefined,
        'slotInterval is used instead of the rate of schedule; it is only needed with a cron schedule',
      ],
    ];
    for (const [applies, message] of ignored)
      if (applies) Annotations.of(this).addWarningV2('mcp-ops:settingIgnored', `${OWNER}: ${message}`);

    const secrets =
      props.secrets ??
      [props.dataTier?.databaseSecret, props.dataTier?.cacheAuthSecret].filter(
        (x): x is secretsmanager.ISecret => x !== undefined,
      );
    return {
      intervalMinutes: intervalMinutes!,
      rpo,
      retention,
      database,
      cacheId,
      cacheMode,
      secrets,
      snapshotEveryHours,
      snapshotRetentionHours,
      keepNewestSnapshots,
      snapshotQuotaReserve,
      cacheExportEveryHours,
      cacheExportQuotaReserve,
      lockMode,
      lockDays,
    };
  }

  /** replication: the destination bucket and key ARNs, and a key in another Region than the stack's. */
  private checkReplication(problems: Problems, r: McpBackupReplication, stack: Stack): void {
    if (!Token.isUnresolved(r.destinationBucketArn))
      problems.pattern(
        'replication.destinationBucketArn',
        r.destinationBucketArn,
        // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition
        /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        'an S3 bucket ARN (arn:<partition>:s3:::<bucket name>)',
      );
    if (Token.isUnresolved(r.destinationKmsKeyArn)) return;
    const keyOk = problems.pattern(
      'replication.destinationKmsKeyArn',
      r.destinationKmsKeyArn,
      // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
      'a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>; not an alias)',
    );
    const keyRegion = r.destinationKmsKeyArn.split(':')[3];
    if (keyOk && !Token.isUnresolved(stack.region) && keyRegion === stack.region)
      Annotations.of(this).addWarningV2(
        'mcp-ops:replicationSameRegion',
        `${OWNER}: replication.destinationKmsKeyArn is in the stack's own region ${stack.region}; replicas for disaster recovery belong in another Region`,
      );
  }

  /**
   * Lets a restore workflow read the backups: list the bucket, get manifests and component objects
   * (any version), decrypt with the bucket key. Nothing else: no put, no delete.
   */
  public grantRestoreRead(grantee: iam.IGrantable): iam.Grant {
    const objects = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [
        MANIFEST_PREFIX,
        BACKUP_PREFIX,
        CACHE_EXPORT_RECORD_PREFIX,
        cacheExportPrefix(this.serviceName),
      ].map((p) => this.bucket.arnForObjects(`${p}*`)),
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket', 's3:ListBucketVersions'],
      resourceArns: [this.bucket.bucketArn],
    });
    this.key.grantDecrypt(grantee);
    return objects;
  }

  /** The backup's alarms: RPO breached (critical), a failed run and Lambda errors (warnings). */
  private createAlarms(props: McpBackupProps): McpAlarm[] {
    const factory = alarmFactoryFor(this, OWNER, props.serviceName, props);
    const period = Duration.minutes(this.intervalMinutes);
    const periodWords = `one ${this.intervalMinutes}-minute period`;
    factory.metricAlarm(
      'BackupStale',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: BACKUP_RUNBOOK,
        summary: `no successful backup newer than the RPO (${this.rpo.toHumanString()})`,
        threshold: `BackupAgeSeconds (maximum) above ${this.rpo.toSeconds()} s in ${periodWords}; no data counts as breaching (the backup is not reporting)`,
        note: 'Critical: a failure now loses more than the RPO allows.',
        constructId: 'StaleAlarm',
      },
      {
        metric: this.metricBackupAge({ period, statistic: 'Maximum' }),
        threshold: this.rpo.toSeconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    factory.metricAlarm(
      'BackupRunFailed',
      {
        severity: AlarmSeverity.WARNING,
        runbook: BACKUP_RUNBOOK,
        summary:
          'a backup run failed (no manifest was committed, or the manual DB snapshot, the cache export or pruning failed around the commit)',
        threshold: `BackupSuccess of component run (minimum) below 1 in ${periodWords}`,
        note: 'Warning: the next run retries; BackupStale pages when the RPO is at risk.',
        constructId: 'FailedRunAlarm',
      },
      {
        metric: this.metricSuccess('run', { period, statistic: 'Minimum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    factory.metricAlarm(
      'BackupErrors',
      {
        severity: AlarmSeverity.WARNING,
        runbook: BACKUP_RUNBOOK,
        summary: 'the backup Lambda errored (crash, timeout or rejected event)',
        threshold: `Lambda Errors (sum) at or above 1 in ${periodWords}`,
        constructId: 'ErrorsAlarm',
      },
      {
        metric: this.backupFunction.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    return factory.alarms;
  }

  /** `BackupSuccess` (0/1) of a component (`configuration`, `database`, `cache`, `database-snapshot`, `cache-export`, `run`, `prune`). */
  public metricSuccess(component: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('BackupSuccess', { component }, props);
  }

  /** `BackupAgeSeconds`: age of the newest committed backup. */
  public metricBackupAge(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.metric('BackupAgeSeconds', {}, props);
  }

  /** Widgets for the service dashboard: success per component, backup age against the RPO, bytes and duration, alarm states. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    const period = Duration.minutes(this.intervalMinutes);
    const components = ['configuration', 'database', 'cache', 'database-snapshot', 'cache-export', 'run'];
    return [
      new cloudwatch.GraphWidget({
        title: 'Backup success by component (min)',
        left: components.map((c) => this.metricSuccess(c, { period, statistic: 'Minimum', label: c })),
        leftYAxis: { min: 0, max: 1 },
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Backup age (s)',
        left: [this.metricBackupAge({ period, statistic: 'Maximum', label: 'age of newest backup' })],
        leftAnnotations: [
          { value: this.rpo.toSeconds(), label: `RPO ${this.rpo.toHumanString()}`, color: cloudwatch.Color.RED },
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Backup bytes and duration',
        left: [
          this.metric(
            'BackupBytes',
            { component: 'configuration' },
            { period, statistic: 'Maximum', label: 'configuration bytes' },
          ),
          this.metric(
            'BackupBytes',
            { component: 'cache' },
            { period, statistic: 'Maximum', label: 'cache export bytes' },
          ),
        ],
        right: [
          this.metric(
            'BackupDurationMs',
            { component: 'run' },
            { period, statistic: 'Maximum', label: 'run duration (ms)' },
          ),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Backup alarms',
        alarms: this.alarms.map((a) => a.alarm),
        width: 24,
        height: 3,
      }),
    ];
  }

  private metric(name: string, dimensions: Record<string, string>, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: name,
      dimensionsMap: { service: this.serviceName, ...dimensions },
      ...props,
    });
  }

  /**
   * Acknowledges, one by one with their reasons, the wildcard resources our role cannot avoid.
   * Each ARN is rendered the way cdk-nag prints it (`<LogicalId>`, `<LogicalId.Attr>`, `<AWS::Partition>`).
   */
  private acknowledgeWildcards(role: iam.Role, wildcards: Wildcard[]): void {
    const acks = wildcards.map((w) => ({
      id: nagWildcardResourceId(this, w.arn),
      reason: w.reason,
    }));
    acks.push({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords, rds:DescribeAccountAttributes, ecs:DescribeTaskDefinition and s3:ListAllMyBuckets (needed by elasticache:CopySnapshot to a bucket) have no resource-level permissions.',
    });
    Validations.of(role).acknowledge(...acks);
  }
}
