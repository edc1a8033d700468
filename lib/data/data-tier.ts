import { Annotations, ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  ConnectionBudget,
  ConnectionBudgetClientOptions,
  ConnectionBudgetOptions,
  ConnectionBudgetSettings,
  connectionBudget,
  connectionBudgetError,
} from '../capacity/connections';
import { alarmFactoryFor } from '../internal/alarm-factory';
import { acknowledgeCompliance } from '../internal/compliance';
import { serviceNameProblem } from '../internal/service-name';
import { checkThat, Problems } from '../internal/validate';
import { reservedPostgresNameProblem } from './reserved';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import {
  CacheAlarmTarget,
  DatabaseAlarmTarget,
  cacheWidgets,
  createCacheAlarms,
  createDatabaseAlarms,
  databaseWidgets,
} from './data-tier-alarms';
import { cacheThresholds, databaseThresholds } from './saturation';
import { parseDailyWindow, windowMinutes } from './windows';
import { McpEndpointParameters } from './endpoint-parameters';
import { RecoveredEndpoints, isDbInstanceIdentifier, isReplicationGroupId } from './endpoint-names';
import { McpCacheEngine } from './cache-engine';

const OWNER = 'McpDataTier';
/** The pool of the operations guide (`pool_size=20, max_overflow=10`), the reference server's defaults. */
const DEFAULT_POOL_SIZE = 20;
const DEFAULT_POOL_MAX_OVERFLOW = 10;
/** The reference server's ceiling on size + overflow (service/src/config.ts MAX_POOL_CONNECTIONS). */
const MAX_POOL_CONNECTIONS = 1000;
/** Where the connection budget's fixes are applied: this construct's props and the default app's context keys. */
const BUDGET_SETTINGS: ConnectionBudgetSettings = {
  instanceClass: (cls) =>
    `database.instanceType ${cls.replace(/^db\./, '')} (default app: -c databaseInstanceClass=${cls})`,
  pool: (size, overflow) =>
    `database.poolSize ${size} and database.poolMaxOverflow ${overflow} (default app: -c databasePoolSize=${size} -c databasePoolMaxOverflow=${overflow})`,
};
/** Weekly maintenance window of the cache (after the default daily snapshot window). */
const CACHE_MAINTENANCE_WINDOW = 'sun:05:00-sun:06:00';

/** Options of the RDS PostgreSQL database, and whether to create it. */
export interface McpDatabaseOptions {
  /**
   * Create the database; `false` leaves it out (the other options are then ignored, with a warning).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Instance class.
   * @default db.m7g.large (Graviton, general purpose; burstable classes are not for production)
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * A standby in a second availability zone with automatic failover.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Automated-backup retention: the point-in-time-recovery window. 1 to 35 days.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Initial storage in GiB (gp3), 20 to 65536.
   * @default 50
   */
  readonly allocatedStorage?: number;
  /**
   * Upper bound for storage autoscaling in GiB; from allocatedStorage to 65536.
   * @default 4 × allocatedStorage, at most 65536
   */
  readonly maxAllocatedStorage?: number;
  /**
   * PostgreSQL engine version.
   * @default rds.PostgresEngineVersion.VER_16_13
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Name of the database created in the instance (`DATABASE_NAME`).
   * @default 'mcp'
   */
  readonly databaseName?: string;
  /**
   * Master user name stored in the generated secret.
   * @default 'mcp_admin'
   */
  readonly username?: string;
  /**
   * TCP port (`DATABASE_PORT`).
   * @default 5432
   */
  readonly port?: number;
  /**
   * Deletion protection on the instance. `false` (e.g. for a test stack that must be deletable) is
   * acknowledged to cdk-nag (AwsSolutions-RDS10) with that reason.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Daily automated-backup window (UTC, `hh24:mi-hh24:mi`, at least 30 minutes).
   * @default '02:00-02:30'
   */
  readonly preferredBackupWindow?: string;
  /**
   * Connections each service process keeps open in its pool (`DATABASE_POOL_SIZE`, the guide's `pool_size`).
   * Passed to the service's container in `containerEnvironment` and counted by {@link McpDataTier.checkConnectionBudget}.
   * 1 to 1000.
   * @default 20
   */
  readonly poolSize?: number;
  /**
   * Further connections each process may open under load (`DATABASE_POOL_MAX_OVERFLOW`, the guide's
   * `max_overflow`). 0 to 1000; poolSize + poolMaxOverflow at most 1000.
   * @default 10
   */
  readonly poolMaxOverflow?: number;
  /**
   * PostgreSQL `max_connections`, set in the instance's parameter group. The connection budget and the connection
   * alarms use it instead of RDS's default formula. 10 to 262143.
   * @default RDS's default, LEAST({DBInstanceClassMemory/9531392}, 5000)
   */
  readonly maxConnections?: number;
  /**
   * CloudWatch Database Insights mode. Performance Insights is always on (the guide's "slow queries" step):
   * STANDARD keeps 7 days of it (the free retention); ADVANCED keeps 15 months, adds execution plans and lock
   * analysis, and is billed per vCPU (CloudWatch pricing).
   * @default rds.DatabaseInsightsMode.STANDARD
   */
  readonly databaseInsights?: rds.DatabaseInsightsMode;
  /**
   * Replicate the automated backups (snapshots and transaction logs) to another Region, so that a
   * point-in-time restore works there after the loss of this Region (CloudFormation
   * `AutomaticBackupReplicationRegion`, `AutomaticBackupReplicationKmsKeyId`,
   * `AutomaticBackupReplicationRetentionPeriod`).
   * @default no cross-Region replication
   */
  readonly backupReplication?: McpDatabaseBackupReplication;
  /**
   * Interval of RDS Enhanced Monitoring (OS metrics: CPU steal, memory, swap, per-process), or
   * `Duration.seconds(0)` for none. On by default: the guide's database runbooks start from OS metrics that
   * CloudWatch's instance metrics lack, and a minute costs a few CloudWatch Logs events per instance.
   * One of 1, 5, 10, 15, 30 or 60 seconds.
   * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html
   * @default Duration.seconds(60)
   */
  readonly enhancedMonitoringInterval?: Duration;
}

/**
 * Cross-Region replication of a DB instance's automated backups
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-rds-dbinstance.html#cfn-rds-dbinstance-automaticbackupreplicationregion).
 */
export interface McpDatabaseBackupReplication {
  /** The destination Region, e.g. `eu-central-1`; not the instance's own. */
  readonly region: string;
  /**
   * ARN of the KMS key **in the destination Region** that encrypts the replicas. CloudFormation takes the key
   * ARN (not an alias): "the Amazon Resource Name (ARN) for the KMS encryption key in the destination AWS
   * Region" (AutomaticBackupReplicationKmsKeyId). The default app reads it from the SSM parameter the
   * recovery stack writes (see `McpRecoveryRegionReference`).
   */
  readonly kmsKeyArn: string;
  /**
   * Retention of the replicated backups, 1 to 35 days.
   * @default the instance's backupRetention (CloudFormation's default)
   */
  readonly retention?: Duration;
}

/** Options of the ElastiCache (Valkey or Redis OSS) cache, and whether to create it. */
export interface McpCacheOptions {
  /**
   * Create the cache; `false` leaves it out (the other options are then ignored, with a warning).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Engine.
   * @default McpCacheEngine.VALKEY
   */
  readonly engine?: McpCacheEngine;
  /**
   * Engine version.
   * @default '8.0' for valkey, '7.1' for redis
   */
  readonly engineVersion?: string;
  /**
   * Node type.
   * @default 'cache.m7g.large'
   */
  readonly nodeType?: string;
  /**
   * Read replicas beside the primary (0–5). At least 1 for Multi-AZ.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Multi-AZ with automatic failover (needs replicas ≥ 1).
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * How long ElastiCache keeps its automatic daily backups: whole days, 1 to 35. A week by default: the cache
   * holds data the service can rebuild, and McpBackup exports it on its own schedule; NIST 800-53 and HIPAA
   * packs ask for 15 days or more (below 15 their finding is acknowledged with this reason).
   * @default Duration.days(7)
   */
  readonly snapshotRetention?: Duration;
  /**
   * Daily backup window (UTC, `hh24:mi-hh24:mi`, at least 60 minutes; the cache's weekly
   * maintenance window is Sunday 05:00–06:00 UTC).
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;
  /**
   * TCP port (`CACHE_PORT`).
   * @default 6379
   */
  readonly port?: number;
}

/** Props for {@link McpDataTier}. */
export interface McpDataTierProps extends McpAlarmOptions {
  /**
   * The service the data tier serves: the middle part of its alarm names (`<prefix>-<serviceName>-Database…`).
   * @default 'mcp-server' (McpService's default)
   */
  readonly serviceName?: string;
  /** The VPC the database and cache live in (the service's VPC). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets for the database and the cache.
   * @default the VPC's isolated subnets when it has any, else its private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * The PostgreSQL database: its options; `{ enabled: false }` leaves it out.
   * @default a database with the defaults of McpDatabaseOptions
   */
  readonly database?: McpDatabaseOptions;
  /**
   * The cache: its options; `{ enabled: false }` leaves it out.
   * @default a cache with the defaults of McpCacheOptions
   */
  readonly cache?: McpCacheOptions;
  /**
   * Customer-managed KMS key for the database storage, Performance Insights, the cache at rest
   * and the secrets.
   * @default a new key with rotation, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * What happens to the database and cache when they leave the stack.
   * @default RemovalPolicy.SNAPSHOT (a final snapshot is kept)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Publish the database and cache endpoints as SSM parameters ({@link McpEndpointParameters}) and give them
   * to the container as ECS secrets instead of plain environment variables, so the disaster-recovery
   * cut-over can move the service by rewriting them. With `recovered`, the parameters name the restored
   * resources instead of this tier's own (the stack's post-recovery state: the next deploy keeps them).
   * @default endpoints as plain environment variables
   */
  readonly endpointParameters?: McpDataTierEndpointOptions;
}

/** Endpoint parameters of a {@link McpDataTier}. */
export interface McpDataTierEndpointOptions {
  /** The service (part of the parameter path). */
  readonly serviceName: string;
  /**
   * Path of the parameters.
   * @default `/mcp-ops/<stack name>/<serviceName>/endpoints`
   */
  readonly parameterPath?: string;
  /**
   * Restored resources the service uses instead of this tier's own, after a recovery.
   * @default none: the parameters name this tier's database and cache
   */
  readonly recovered?: RecoveredEndpoints;
}

/**
 * The data tier of an MCP service: RDS PostgreSQL (customer-KMS-encrypted, Multi-AZ, point-in-time
 * recovery, deletion protection, TLS enforced, credentials in Secrets Manager) and an ElastiCache
 * Valkey/Redis replication group (encrypted at rest and in transit, AUTH token, automatic daily
 * backups). Nothing can reach either until {@link allowFrom} opens it to the service's tasks or our Lambdas.
 */
export class McpDataTier extends Construct implements IMcpMonitoringSegment {
  /** Title of the data tier's dashboard rows. */
  public readonly segmentTitle = 'Data tier';
  /** The saturation alarms of the database and the cache (see docs/monitoring.md, "Data tier"). */
  public readonly alarms: McpAlarm[];
  /** Connections each process keeps in its pool (`DATABASE_POOL_SIZE`), when a database is created. */
  public readonly poolSize?: number;
  /** Further connections each process may open (`DATABASE_POOL_MAX_OVERFLOW`), when a database is created. */
  public readonly poolMaxOverflow?: number;
  /** max_connections when `database.maxConnections` sets it. */
  public readonly maxConnections?: number;
  /** The database, when created. */
  public readonly database?: rds.DatabaseInstance;
  /** The database credentials (`username`, `password`, `host`, `port`, `dbname`), when a database is created. */
  public readonly databaseSecret?: secretsmanager.ISecret;
  /** The cache replication group, when created. */
  public readonly cache?: elasticache.CfnReplicationGroup;
  /** The cache AUTH token, when a cache is created. */
  public readonly cacheAuthSecret?: secretsmanager.Secret;
  /** The database's security group (no rules until {@link allowFrom}), when a database is created. */
  public readonly databaseSecurityGroup?: ec2.SecurityGroup;
  /** The cache's security group, when a cache is created. */
  public readonly cacheSecurityGroup?: ec2.SecurityGroup;
  /** The key encrypting the data tier. */
  public readonly key: kms.IKey;
  /** Non-secret environment for the service's container: DATABASE_HOST/PORT/NAME, CACHE_HOST/PORT/TLS. */
  public readonly containerEnvironment: Record<string, string>;
  /** Secrets for the service's container: DATABASE_USERNAME/PASSWORD, CACHE_AUTH_TOKEN. */
  public readonly containerSecrets: Record<string, ecs.Secret>;
  /** PostgreSQL port. */
  public readonly databasePort: number;
  /** Cache port. */
  public readonly cachePort: number;
  /** The endpoint parameters, with `endpointParameters`. */
  public readonly endpointParameters?: McpEndpointParameters;
  /** The database's instance class, e.g. `db.m7g.large`, when a database is created. */
  public readonly databaseInstanceClass?: string;

  private readonly databaseTarget?: DatabaseAlarmTarget;
  private readonly cacheTarget?: CacheAlarmTarget;

  constructor(scope: Construct, id: string, props: McpDataTierProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const options = this.checkProps(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;
    const vpcSubnets = props.vpcSubnets ?? defaultSubnets(props.vpc);
    this.key = props.encryptionKey ?? this.createKey();
    this.databasePort = options.database?.port ?? 5432;
    this.cachePort = options.cache?.port ?? 6379;

    const database = options.database
      ? this.createDatabase(props.vpc, vpcSubnets, options.database, removalPolicy)
      : undefined;
    this.database = database?.instance;
    this.databaseSecret = database?.instance.secret;
    this.databaseSecurityGroup = database?.securityGroup;
    this.databaseInstanceClass = database?.target.instanceClass;
    this.databaseTarget = database?.target;
    this.poolSize = database?.poolSize;
    this.poolMaxOverflow = database?.poolMaxOverflow;
    this.maxConnections = options.database?.maxConnections;

    const cache = options.cache ? this.createCache(props.vpc, vpcSubnets, options.cache, removalPolicy) : undefined;
    this.cache = cache?.replicationGroup;
    this.cacheAuthSecret = cache?.authSecret;
    this.cacheSecurityGroup = cache?.securityGroup;
    this.cacheTarget = cache?.target;

    const env: Record<string, string> = { ...database?.environment, ...cache?.environment };
    const secrets: Record<string, ecs.Secret> = { ...database?.secrets, ...cache?.secrets };
    if (props.endpointParameters) {
      this.endpointParameters = this.publishEndpoints(props.endpointParameters, env, secrets);
    }
    this.containerEnvironment = env;
    this.containerSecrets = secrets;
    this.alarms = this.createAlarms(props);
  }

  /**
   * Checks every prop (all problems in one error) and returns the options of what is created: undefined for a
   * database or cache left out with `enabled: false`.
   */
  private checkProps(props: McpDataTierProps): { database?: McpDatabaseOptions; cache?: McpCacheOptions } {
    const problems = new Problems(OWNER, this.node.path);
    problems.add(serviceNameProblem(props.serviceName ?? 'mcp-server'));
    // Before jsii (issue 16) these props also took `true` or `false`; JavaScript callers may still pass them.
    for (const prop of ['database', 'cache'] as const) {
      const given = props[prop] as unknown;
      problems.check(
        given === undefined || (typeof given === 'object' && given !== null && !Array.isArray(given)),
        `${prop} must be an options object: give ${prop}: {} for the defaults, or ${prop}: { enabled: false } to leave it out; got ${JSON.stringify(given)}`,
      );
    }
    const database = enabledOptions(props.database);
    const cache = enabledOptions(props.cache);
    validate(problems, database, cache, props.endpointParameters);
    problems.throwIfAny();
    for (const prop of ['database', 'cache'] as const) {
      const given = props[prop];
      const ignored = given?.enabled === false ? Object.keys(given).filter((k) => k !== 'enabled') : [];
      if (ignored.length > 0)
        Annotations.of(this).addWarningV2(
          'mcp-ops:settingIgnored',
          `${OWNER}: ${ignored.map((k) => `${prop}.${k}`).join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored: ${prop}.enabled is false`,
        );
    }
    return { database, cache };
  }

  /** The data tier's own key (database storage, Performance Insights, cache at rest, secrets), when none is given. */
  private createKey(): kms.Key {
    return new kms.Key(this, 'Key', {
      description: `Encrypts the MCP data tier (database, cache, secrets) of ${Stack.of(this).stackName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The PostgreSQL instance with its parameter group and security group, its acknowledged findings, and what the
   * service's container gets from it.
   */
  private createDatabase(
    vpc: ec2.IVpc,
    vpcSubnets: ec2.SubnetSelection,
    opts: McpDatabaseOptions,
    removalPolicy: RemovalPolicy,
  ): DatabaseParts {
    const databaseName = opts.databaseName ?? 'mcp';
    const allocatedStorage = opts.allocatedStorage ?? 50;
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: opts.engineVersion ?? rds.PostgresEngineVersion.VER_16_13,
    });
    const parameterGroup = this.createDatabaseParameters(engine, opts);
    const securityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description: 'MCP database: only the service tasks and our Lambdas',
      allowAllOutbound: false,
    });
    const instanceType = opts.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.M7G, ec2.InstanceSize.LARGE);
    const instanceClass = `db.${instanceType.toString().replace(/^db\./, '')}`;
    const enhancedMonitoringInterval = opts.enhancedMonitoringInterval ?? Duration.seconds(60);
    const instance = new rds.DatabaseInstance(this, 'Database', {
      securityGroups: [securityGroup],
      engine,
      instanceType,
      vpc,
      vpcSubnets,
      multiAz: opts.multiAz ?? true,
      port: this.databasePort,
      databaseName,
      credentials: rds.Credentials.fromGeneratedSecret(opts.username ?? 'mcp_admin', { encryptionKey: this.key }),
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      storageType: rds.StorageType.GP3,
      allocatedStorage,
      maxAllocatedStorage: opts.maxAllocatedStorage ?? Math.min(allocatedStorage * 4, 65536),
      backupRetention: opts.backupRetention ?? Duration.days(7),
      preferredBackupWindow: opts.preferredBackupWindow ?? '02:00-02:30',
      deleteAutomatedBackups: false,
      deletionProtection: opts.deletionProtection ?? true,
      copyTagsToSnapshot: true,
      parameterGroup,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: this.key,
      ...databaseInsights(opts.databaseInsights),
      ...(enhancedMonitoringInterval.toSeconds() > 0 ? { monitoringInterval: enhancedMonitoringInterval } : {}),
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      removalPolicy,
    });
    if (opts.backupReplication) this.replicateBackups(instance, opts.backupReplication);
    this.acknowledgeDatabaseCompliance(instance, enhancedMonitoringInterval);
    this.acknowledgeDatabaseFindings(instance, opts);
    const poolSize = opts.poolSize ?? DEFAULT_POOL_SIZE;
    const poolMaxOverflow = opts.poolMaxOverflow ?? DEFAULT_POOL_MAX_OVERFLOW;
    return {
      instance,
      securityGroup,
      poolSize,
      poolMaxOverflow,
      target: {
        instance,
        instanceClass,
        allocatedStorageGiB: allocatedStorage,
        thresholds: databaseThresholds({
          instanceClass,
          allocatedStorageGiB: allocatedStorage,
          maxConnections: opts.maxConnections,
        }),
      },
      environment: {
        DATABASE_HOST: instance.dbInstanceEndpointAddress,
        DATABASE_PORT: instance.dbInstanceEndpointPort,
        DATABASE_NAME: databaseName,
        DATABASE_POOL_SIZE: String(poolSize),
        DATABASE_POOL_MAX_OVERFLOW: String(poolMaxOverflow),
      },
      secrets: {
        DATABASE_USERNAME: ecs.Secret.fromSecretsManager(instance.secret!, 'username'),
        DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(instance.secret!, 'password'),
      },
    };
  }

  /** The database's parameter group: TLS required, statements over a second logged, `max_connections` when set. */
  private createDatabaseParameters(engine: rds.IInstanceEngine, opts: McpDatabaseOptions): rds.ParameterGroup {
    return new rds.ParameterGroup(this, 'DatabaseParameters', {
      engine,
      description: 'MCP data tier: TLS required, slow statements logged',
      parameters: {
        'rds.force_ssl': '1',
        log_min_duration_statement: '1000',
        ...(opts.maxConnections !== undefined ? { max_connections: String(opts.maxConnections) } : {}),
      },
    });
  }

  /** The AwsSolutions findings of the database that its options make deliberate, each with its reason. */
  private acknowledgeDatabaseFindings(db: rds.DatabaseInstance, opts: McpDatabaseOptions): void {
    // The generated secret is a child of the instance (db.secret is its attachment): acknowledge on the instance.
    Validations.of(db).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Tasks read the credentials once at start (ECS secrets); automatic rotation would break running tasks until redeployed. Rotate with a deployment (documented in docs/backup.md).',
    });
    if (this.databasePort === 5432) {
      Validations.of(db).acknowledge({
        id: 'AwsSolutions-RDS11',
        reason:
          "The contract (docs/operational-contract.md) uses PostgreSQL's port; the instance is in isolated subnets and its security group admits only the service's tasks and our Lambdas.",
      });
    }
    if (opts.deletionProtection === false) {
      const reason =
        'Deletion protection switched off explicitly by the deletionProtection prop (the default app: -c deletionProtection=false), e.g. for a test stack that must be deletable; removal still keeps a final snapshot (removalPolicy SNAPSHOT by default).';
      Validations.of(db).acknowledge({ id: 'AwsSolutions-RDS10', reason });
      acknowledgeCompliance(db, { RDSInstanceDeletionProtectionEnabled: reason });
    }
    if (!(opts.multiAz ?? true)) {
      Validations.of(db).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Multi-AZ switched off explicitly by the multiAz prop (non-production).',
      });
    }
  }

  /**
   * The ElastiCache replication group with its subnet group, security group and AUTH token, its acknowledged
   * findings, and what the service's container gets from it.
   */
  private createCache(
    vpc: ec2.IVpc,
    vpcSubnets: ec2.SubnetSelection,
    opts: McpCacheOptions,
    removalPolicy: RemovalPolicy,
  ): CacheParts {
    const stack = Stack.of(this);
    const engine = opts.engine ?? 'valkey';
    const replicas = opts.replicas ?? 1;
    const multiAz = opts.multiAz ?? true;
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'CacheSubnets', {
      description: 'MCP data tier cache subnets',
      subnetIds: vpc.selectSubnets(vpcSubnets).subnetIds,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'CacheSecurityGroup', {
      vpc,
      description: 'MCP cache: only the service tasks and our Lambdas',
      allowAllOutbound: false,
    });
    const authSecret = this.createCacheAuthToken();
    const replicationGroup = new elasticache.CfnReplicationGroup(this, 'Cache', {
      replicationGroupDescription: `MCP cache of ${stack.stackName}`,
      engine,
      engineVersion: opts.engineVersion ?? (engine === 'valkey' ? '8.0' : '7.1'),
      cacheNodeType: opts.nodeType ?? 'cache.m7g.large',
      numCacheClusters: replicas + 1,
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      port: this.cachePort,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      atRestEncryptionEnabled: true,
      kmsKeyId: this.key.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: authSecret.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: opts.snapshotRetention?.toDays() ?? 7,
      snapshotWindow: opts.snapshotWindow ?? '03:00-04:00',
      preferredMaintenanceWindow: CACHE_MAINTENANCE_WINDOW,
      autoMinorVersionUpgrade: true,
    });
    replicationGroup.applyRemovalPolicy(removalPolicy);
    this.acknowledgeCacheFindings(replicationGroup, opts);
    return {
      replicationGroup,
      authSecret,
      securityGroup,
      target: {
        replicationGroupId: replicationGroup.ref,
        nodeType: replicationGroup.cacheNodeType!,
        nodes: replicas + 1,
        thresholds: cacheThresholds({ replicas }),
      },
      environment: {
        CACHE_HOST: replicationGroup.attrPrimaryEndPointAddress,
        CACHE_PORT: replicationGroup.attrPrimaryEndPointPort,
        CACHE_TLS: 'true',
      },
      secrets: { CACHE_AUTH_TOKEN: ecs.Secret.fromSecretsManager(authSecret) },
    };
  }

  /** The cache's AUTH token, generated in Secrets Manager and encrypted with the data tier's key. */
  private createCacheAuthToken(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'CacheAuthToken', {
      description: `AUTH token of the MCP cache in ${Stack.of(this).stackName}`,
      encryptionKey: this.key,
      // ElastiCache AUTH tokens: 16–128 printable characters without @, " or /.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeCompliance(secret, {
      SecretsManagerRotationEnabled:
        'Tasks read the AUTH token once at start (ECS secret); rotation needs a ROTATE then SET AUTH token change coordinated with a deployment, which is a runbook step.',
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Tasks read the AUTH token once at start (ECS secret); rotation needs a ROTATE then SET AUTH token change coordinated with a deployment, which is a runbook step.',
    });
    return secret;
  }

  /** The findings of the cache that its options make deliberate (AwsSolutions and the compliance packs). */
  private acknowledgeCacheFindings(cache: elasticache.CfnReplicationGroup, opts: McpCacheOptions): void {
    if (this.cachePort === 6379) {
      Validations.of(cache).acknowledge({
        id: 'AwsSolutions-AEC5',
        reason:
          "The contract (docs/operational-contract.md) uses the standard port; the cache is in isolated subnets, needs TLS and an AUTH token, and its security group admits only the service's tasks and our Lambdas.",
      });
    }
    const snapshotDays = opts.snapshotRetention?.toDays() ?? 7;
    if (snapshotDays < 15)
      acknowledgeCompliance(cache, {
        ElastiCacheRedisClusterAutomaticBackup: `Daily backups kept ${snapshotDays} days (snapshotRetention): the cache holds data the service can rebuild, and McpBackup exports it on its own schedule; set snapshotRetention to 15 days or more to keep longer.`,
      });
    if (!(opts.multiAz ?? true)) {
      Validations.of(cache).acknowledge({
        id: 'AwsSolutions-AEC4',
        reason: 'Multi-AZ switched off explicitly by the multiAz prop (non-production).',
      });
    }
  }

  /** The compliance-pack findings of the database, each with its reason. */
  private acknowledgeDatabaseCompliance(db: rds.DatabaseInstance, enhancedMonitoringInterval: Duration): void {
    acknowledgeCompliance(db, {
      SecretsManagerRotationEnabled:
        'Tasks read the credentials once at start (ECS secrets); automatic rotation would break running tasks until redeployed. Rotate with a deployment (documented in docs/backup.md).',
      RDSInBackupPlan:
        'Backed up without AWS Backup: RDS automated backups (point-in-time recovery for backupRetention days) and the manual snapshots McpBackup takes, checks and prunes, which the restore workflow uses.',
      ...(enhancedMonitoringInterval.toSeconds() > 0
        ? {}
        : {
            RDSEnhancedMonitoringEnabled: 'Enhanced Monitoring switched off explicitly (enhancedMonitoringInterval 0).',
          }),
    });
    if (enhancedMonitoringInterval.toSeconds() > 0)
      Validations.of(db).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        reason:
          'The role RDS assumes to publish Enhanced Monitoring metrics: AWS documents this managed policy for it (logs writes on the RDSOSMetrics log group only).',
      });
  }
  /** The saturation alarms, from the one alarm factory (lib/data/data-tier-alarms.ts). */
  private createAlarms(props: McpDataTierProps): McpAlarm[] {
    const serviceName = props.serviceName ?? 'mcp-server';
    const factory = alarmFactoryFor(this, OWNER, serviceName, props);
    for (const note of this.databaseTarget?.thresholds.notes ?? []) {
      Annotations.of(this).addWarningV2('mcp-ops:dataTierAlarms', `${OWNER}: ${note}`);
    }
    return [
      ...(this.databaseTarget ? createDatabaseAlarms(factory, this.databaseTarget) : []),
      ...(this.cacheTarget ? createCacheAlarms(factory, this.cacheTarget) : []),
    ];
  }

  /** The data tier's dashboard rows: the database's, the cache's, then the alarms' states. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      ...(this.databaseTarget ? databaseWidgets(this.databaseTarget, this.alarms) : []),
      ...(this.cacheTarget ? cacheWidgets(this.cacheTarget, this.alarms) : []),
      ...(this.alarms.length
        ? [
            new cloudwatch.AlarmStatusWidget({
              title: 'Data tier alarms',
              alarms: this.alarms.map((a) => a.alarm),
              width: 24,
              height: 3,
            }),
          ]
        : []),
    ];
  }

  /** Cross-Region replication of the automated backups (CloudFormation properties of the DB instance). */
  private replicateBackups(db: rds.DatabaseInstance, r: McpDatabaseBackupReplication): void {
    const cfn = db.node.defaultChild as rds.CfnDBInstance;
    cfn.automaticBackupReplicationRegion = r.region;
    cfn.automaticBackupReplicationKmsKeyId = r.kmsKeyArn;
    if (r.retention) cfn.automaticBackupReplicationRetentionPeriod = r.retention.toDays();
  }

  /**
   * Moves DATABASE_HOST/PORT and CACHE_HOST/PORT from the environment into SSM parameters delivered as ECS
   * secrets, valued from the recovered resources when given, else from this tier's own.
   */
  private publishEndpoints(
    options: McpDataTierEndpointOptions,
    env: Record<string, string>,
    secrets: Record<string, ecs.Secret>,
  ): McpEndpointParameters {
    const recovered = options.recovered ?? {};
    const database =
      recovered.database ?? (env.DATABASE_HOST ? { host: env.DATABASE_HOST, port: env.DATABASE_PORT } : undefined);
    const cache = recovered.cache ?? (env.CACHE_HOST ? { host: env.CACHE_HOST, port: env.CACHE_PORT } : undefined);
    const parameters = new McpEndpointParameters(this, 'Endpoints', {
      serviceName: options.serviceName,
      parameterPath: options.parameterPath,
      database,
      cache,
    });
    for (const name of ['DATABASE_HOST', 'DATABASE_PORT', 'CACHE_HOST', 'CACHE_PORT']) delete env[name];
    Object.assign(secrets, parameters.containerSecrets());
    return parameters;
  }

  /** Opens the database (its port) and the cache (its port) to a peer: the service's tasks or one of our Lambdas. */
  public allowFrom(peer: ec2.IConnectable, description = 'MCP service or operations Lambda'): void {
    if (this.databaseSecurityGroup)
      this.databaseSecurityGroup.connections.allowFrom(
        peer,
        ec2.Port.tcp(this.databasePort),
        `PostgreSQL from ${description}`,
      );
    if (this.cacheSecurityGroup)
      this.cacheSecurityGroup.connections.allowFrom(peer, ec2.Port.tcp(this.cachePort), `Cache from ${description}`);
  }

  /**
   * Checks that the service's connection pools at its maximum task count, plus our other database clients,
   * fit the database's `max_connections` with margin (lib/capacity/connections.ts). The pool is this data
   * tier's (`database.poolSize` + `database.poolMaxOverflow`, the numbers its container environment passes),
   * and so is max_connections (`database.maxConnections` or RDS's formula). Throws a synth-time error naming the
   * numbers, the fixes (larger class, smaller pool, RDS Proxy, fewer tasks) and the settings that apply them when
   * they do not fit. Returns the budget, or undefined without a database.
   */
  public checkConnectionBudget(options: ConnectionBudgetClientOptions): ConnectionBudget | undefined {
    if (!this.databaseInstanceClass) return undefined;
    for (const key of ['poolSize', 'maxOverflow', 'maxConnections'] as const) {
      checkThat(
        OWNER,
        (options as ConnectionBudgetOptions)[key] === undefined,
        `checkConnectionBudget: ${key} is the data tier's own setting (database.${key === 'maxOverflow' ? 'poolMaxOverflow' : key}), so the budget and the container use the same number; got ${JSON.stringify((options as ConnectionBudgetOptions)[key])}`,
      );
    }
    const budget = connectionBudget({
      ...options,
      poolSize: this.poolSize,
      maxOverflow: this.poolMaxOverflow,
      maxConnections: this.maxConnections,
      instanceClass: this.databaseInstanceClass,
    });
    checkThat(OWNER, budget.fits, connectionBudgetError(budget, BUDGET_SETTINGS));
    return budget;
  }

  /** ARN of the cache replication group, when a cache is created. */
  public get cacheReplicationGroupArn(): string | undefined {
    if (!this.cache) return undefined;
    return Stack.of(this).formatArn({
      service: 'elasticache',
      resource: 'replicationgroup',
      resourceName: this.cache.ref,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}

/** What {@link McpDataTier.createDatabase} builds, for the construct's members and the container. */
interface DatabaseParts {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;
  readonly poolSize: number;
  readonly poolMaxOverflow: number;
  readonly target: DatabaseAlarmTarget;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
}

/** What {@link McpDataTier.createCache} builds, for the construct's members and the container. */
interface CacheParts {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authSecret: secretsmanager.Secret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly target: CacheAlarmTarget;
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, ecs.Secret>;
}

/** The options of a database or cache that is created: `{}` when not given, undefined with `enabled: false` (or not an object). */
function enabledOptions<T extends { readonly enabled?: boolean }>(given: T | undefined): T | undefined {
  if (given === undefined) return {} as T;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return undefined;
  return given.enabled === false ? undefined : given;
}

/** The VPC's isolated subnets when it has any, else its private subnets with egress. */
function defaultSubnets(vpc: ec2.IVpc): ec2.SubnetSelection {
  return vpc.isolatedSubnets.length > 0
    ? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }
    : { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
}

/** Performance Insights retention for a Database Insights mode: Advanced needs 15 months (465 days). */
function databaseInsights(mode: rds.DatabaseInsightsMode | undefined) {
  // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Considerations.html
  const m = mode ?? rds.DatabaseInsightsMode.STANDARD;
  return {
    databaseInsightsMode: m,
    performanceInsightRetention:
      m === rds.DatabaseInsightsMode.ADVANCED
        ? rds.PerformanceInsightRetention.MONTHS_15
        : rds.PerformanceInsightRetention.DEFAULT,
  };
}

/** Every PostgresEngineVersion aws-cdk-lib names (its static members), by full version. */
function knownPostgresVersions(): Set<string> {
  const known = new Set<string>();
  for (const key of Object.getOwnPropertyNames(rds.PostgresEngineVersion)) {
    const v = (rds.PostgresEngineVersion as unknown as Record<string, unknown>)[key];
    if (v instanceof rds.PostgresEngineVersion) known.add(v.postgresFullVersion);
  }
  return known;
}

/** Checks the database and cache options, recording every problem. */
function validate(
  problems: Problems,
  db: McpDatabaseOptions | undefined,
  cache: McpCacheOptions | undefined,
  endpoints: McpDataTierEndpointOptions | undefined,
): void {
  const recovered = endpoints?.recovered;
  if (recovered?.database) {
    problems.check(db !== undefined, 'endpointParameters.recovered.database needs a database in this tier');
    problems.check(
      isDbInstanceIdentifier(recovered.database.instanceIdentifier),
      `endpointParameters.recovered.database.instanceIdentifier must be a DB instance identifier, got ${JSON.stringify(recovered.database.instanceIdentifier)}`,
    );
  }
  if (recovered?.cache) {
    problems.check(cache !== undefined, 'endpointParameters.recovered.cache needs a cache in this tier');
    problems.check(
      isReplicationGroupId(recovered.cache.replicationGroupId),
      `endpointParameters.recovered.cache.replicationGroupId must be a replication group id, got ${JSON.stringify(recovered.cache.replicationGroupId)}`,
    );
  }
  if (db?.backupReplication) {
    const r = db.backupReplication;
    problems.pattern(
      'database.backupReplication.region',
      r.region,
      /^[a-z]{2}(-[a-z]+)+-\d$/,
      'a Region such as eu-central-1',
    );
    problems.integer('database.backupReplication.retention (days)', r.retention?.toDays({ integral: false }), 1, 35);
    if (!Token.isUnresolved(r.kmsKeyArn))
      problems.pattern(
        'database.backupReplication.kmsKeyArn',
        r.kmsKeyArn,
        // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition
        new RegExp(`^arn:aws[a-z-]*:kms:${r.region}:\\d{12}:key/[A-Za-z0-9-]+$`),
        `the ARN of a KMS key in ${r.region} (CloudFormation takes a key ARN, not an alias)`,
      );
  }
  if (db) {
    problems.integer('database.poolSize', db.poolSize, 1, MAX_POOL_CONNECTIONS);
    problems.integer('database.poolMaxOverflow', db.poolMaxOverflow, 0, MAX_POOL_CONNECTIONS);
    const pool = (db.poolSize ?? DEFAULT_POOL_SIZE) + (db.poolMaxOverflow ?? DEFAULT_POOL_MAX_OVERFLOW);
    problems.check(
      pool <= MAX_POOL_CONNECTIONS,
      `database.poolSize + database.poolMaxOverflow must be at most ${MAX_POOL_CONNECTIONS} connections (the reference server's limit), got ${pool}`,
    );
    problems.integer('database.maxConnections', db.maxConnections, 10, 262143);
    if (db.enhancedMonitoringInterval !== undefined) {
      const seconds = db.enhancedMonitoringInterval.toSeconds({ integral: false });
      problems.check(
        [0, 1, 5, 10, 15, 30, 60].includes(seconds),
        `database.enhancedMonitoringInterval must be 0 (off), 1, 5, 10, 15, 30 or 60 seconds, got ${seconds} s`,
      );
    }
    if (db.databaseInsights !== undefined)
      problems.check(
        Object.values(rds.DatabaseInsightsMode).includes(db.databaseInsights),
        `database.databaseInsights must be rds.DatabaseInsightsMode.STANDARD or ADVANCED, got ${JSON.stringify(db.databaseInsights)}`,
      );
    const days = db.backupRetention?.toDays({ integral: false });
    problems.integer('database.backupRetention (days)', days, 1, 35);
    problems.integer('database.allocatedStorage', db.allocatedStorage, 20, 65536);
    problems.integer('database.maxAllocatedStorage', db.maxAllocatedStorage, db.allocatedStorage ?? 50, 65536);
    problems.integer('database.port', db.port, 1150, 65535);
    if (
      problems.pattern(
        'database.databaseName',
        db.databaseName,
        /^[a-z][a-z0-9_]{0,62}$/,
        'a lowercase PostgreSQL identifier (letters, digits, _; starts with a letter; at most 63)',
      ) &&
      db.databaseName !== undefined
    )
      problems.add(reservedPostgresNameProblem('database.databaseName', db.databaseName));
    if (
      problems.pattern(
        'database.username',
        db.username,
        /^[a-z][a-z0-9_]{0,15}$/,
        'a lowercase identifier of at most 16 characters (letters, digits, _; starts with a letter)',
      ) &&
      db.username !== undefined
    )
      problems.add(reservedPostgresNameProblem('database.username', db.username));
    if (db.engineVersion !== undefined) {
      const known = knownPostgresVersions();
      const full = db.engineVersion.postgresFullVersion;
      problems.check(
        known.has(full),
        `database.engineVersion must be a PostgreSQL version aws-cdk-lib knows (rds.PostgresEngineVersion.VER_…), got ${JSON.stringify(full)}; upgrade aws-cdk-lib for a newer version`,
      );
    }
    if (
      problems.pattern(
        'database.preferredBackupWindow',
        db.preferredBackupWindow,
        /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
        'hh24:mi-hh24:mi (UTC)',
      ) &&
      db.preferredBackupWindow !== undefined
    ) {
      const w = parseDailyWindow(db.preferredBackupWindow)!;
      problems.check(
        windowMinutes(w) >= 30,
        `database.preferredBackupWindow must last at least 30 minutes (RDS), got ${JSON.stringify(db.preferredBackupWindow)} (${windowMinutes(w)} min)`,
      );
    }
  }
  if (cache) {
    problems.integer('cache.replicas', cache.replicas, 0, 5);
    problems.integer('cache.snapshotRetention (days)', cache.snapshotRetention?.toDays({ integral: false }), 1, 35);
    problems.replaced(cache, { snapshotRetentionDays: 'cache.snapshotRetention (a Duration: Duration.days(n))' });
    problems.integer('cache.port', cache.port, 1024, 65535);
    problems.pattern(
      'cache.nodeType',
      cache.nodeType,
      /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
      'an ElastiCache node type such as cache.m7g.large',
    );
    if (
      problems.pattern(
        'cache.snapshotWindow',
        cache.snapshotWindow,
        /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
        'hh24:mi-hh24:mi (UTC)',
      ) &&
      cache.snapshotWindow !== undefined
    ) {
      const w = parseDailyWindow(cache.snapshotWindow)!;
      problems.check(
        windowMinutes(w) >= 60,
        `cache.snapshotWindow must last at least 60 minutes (ElastiCache), got ${JSON.stringify(cache.snapshotWindow)} (${windowMinutes(w)} min)`,
      );
    }
    if (cache.engine !== undefined)
      problems.check(
        cache.engine === 'valkey' || cache.engine === 'redis',
        `cache.engine must be "valkey" or "redis", got ${JSON.stringify(cache.engine)}`,
      );
    problems.pattern(
      'cache.engineVersion',
      cache.engineVersion,
      /^\d+\.\d+$/,
      'an engine version such as 8.0 (valkey) or 7.1 (redis)',
    );
    problems.check(
      !((cache.multiAz ?? true) && (cache.replicas ?? 1) < 1),
      `cache.multiAz needs cache.replicas ≥ 1, got replicas ${cache.replicas}`,
    );
  }
}
