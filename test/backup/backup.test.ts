import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { McpDataTier } from '../../lib/data/data-tier';
import { McpBackup, McpBackupProps } from '../../lib/backup/backup';
import { CacheBackupMode } from '../../lib/backup/cache-backup-mode';
import { rateExpressionMinutes } from '../../lib/backup/settings';

function fixture(stack: Stack) {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    flowLogs: { all: {} },
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const dataTier = new McpDataTier(stack, 'Data', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('mcp', {
    image: ecs.ContainerImage.fromRegistry('mcp'),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'mcp' }),
  });
  const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true, masterKey: dataTier.key });
  return { vpc, dataTier, taskDefinition, topic };
}

const REPLICATION = {
  destinationBucketArn: 'arn:aws:s3:::mcp-backups-dr',
  destinationKmsKeyArn: 'arn:aws:kms:eu-central-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

// Template assertions only: skip bundling the Lambda (its code is tested in test/lambda/backup); the nag test bundles.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The full setup, with the opt-in cache export (the default is `rebuildable`; see the defaults suite). */
function build(extra: Partial<McpBackupProps> = {}, context: Record<string, unknown> = NO_BUNDLING) {
  const app = testApp(context);
  const stack = testStack(app);
  const f = fixture(stack);
  const backup = new McpBackup(stack, 'Backup', {
    serviceName: 'mcp-server',
    dataTier: f.dataTier,
    taskDefinition: f.taskDefinition,
    ssmParameterPrefix: '/mcp/prod',
    alarmTopic: f.topic,
    cacheBackup: CacheBackupMode.EXPORT,
    ...extra,
  });
  return { app, stack, backup, ...f };
}

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('McpBackup (data tier, task definition, SSM prefix, alert topic)', () => {
  const { stack, backup, dataTier } = build();
  const t = Template.fromStack(stack);
  const bucketId = stack.resolve(
    backup.bucket.node.defaultChild && (backup.bucket.node.defaultChild as ec2.CfnVPC).logicalId,
  );
  const keyId = stack.resolve((backup.key.node.defaultChild as ec2.CfnVPC).logicalId);
  const roleId = stack.resolve((backup.backupFunction.role!.node.defaultChild as ec2.CfnVPC).logicalId);
  const policies = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }));
  const statements: Statement[] = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
  const actionsOf = (st: Statement) => [st.Action].flat();

  test('bucket: KMS, versioned, Object Lock GOVERNANCE 30 days, access logs, 30-day expiry, public access blocked', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 30 } },
      },
      LoggingConfiguration: {
        DestinationBucketName: { Ref: Match.stringLikeRegexp('BackupAccessLogs') },
        LogFilePrefix: 'backup-bucket/mcp-server/',
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'expire-backups',
            Status: 'Enabled',
            ExpirationInDays: 30,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
          Match.objectLike({ Id: 'remove-expired-delete-markers', ExpiredObjectDeleteMarker: true }),
        ]),
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    t.hasResource('AWS::S3::Bucket', { Properties: { ObjectLockEnabled: true }, DeletionPolicy: 'Retain' });
  });

  test('bucket policy: TLS only (and TLS ≥ 1.2); ElastiCache may write exports only under our prefix, from our account', () => {
    const policy = Object.values(
      t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }),
    )[0];
    const st: Statement[] = policy.Properties.PolicyDocument.Statement;
    expect(st).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      ]),
    );
    const exportObjects = st.find((s) => s.Sid === 'ElastiCacheExportObjects')!;
    expect(exportObjects.Resource).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/mcpops-mcp-server-cache-*']],
    });
    expect(exportObjects.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': '111111111111' } });
    expect(JSON.stringify(st)).not.toMatch(/s3:Delete/);
  });

  test('bucket policy: write-once enforced by S3: no PUT under manifests/, backups/ or cache-exports/ without If-None-Match, for anyone', () => {
    const policy = Object.values(
      t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }),
    )[0];
    const st: Statement[] = policy.Properties.PolicyDocument.Statement;
    const writeOnce = st.find((s) => s.Sid === 'WriteOnceBackupObjects')! as Statement & { Principal: unknown };
    expect(writeOnce).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { Null: { 's3:if-none-match': 'true' } },
    });
    const suffixes = (writeOnce.Resource as Array<{ 'Fn::Join': [string, [unknown, string]] }>).map((r) => {
      expect(r['Fn::Join'][1][0]).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
      return r['Fn::Join'][1][1];
    });
    expect(suffixes.sort()).toEqual(['/backups/*', '/cache-exports/*', '/manifests/*']);
  });

  test('the Lambda: hourly schedule, configuration in its environment (names and ARNs, never values)', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })],
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 300,
      Environment: {
        Variables: Match.objectLike({
          BACKUP_BUCKET: { Ref: bucketId },
          SERVICE_NAME: 'mcp-server',
          BACKUP_INTERVAL_MINUTES: '60',
          SSM_PARAMETER_PREFIX: '/mcp/prod',
          TASK_DEFINITION: Match.anyValue(),
          SECRET_ARNS: Match.anyValue(),
          DB_INSTANCE_ID: { Ref: stack.resolve((dataTier.database!.node.defaultChild as ec2.CfnVPC).logicalId) },
          DB_SNAPSHOT_EVERY_HOURS: '24',
          DB_SNAPSHOT_RETENTION_HOURS: '720',
          DB_KEEP_NEWEST_SNAPSHOTS: '3',
          CACHE_REPLICATION_GROUP_ID: { Ref: stack.resolve(dataTier.cache!.logicalId) },
          CACHE_BACKUP_MODE: 'export',
          CACHE_EXPORT_EVERY_HOURS: '24',
        }),
      },
    });
    const env = Object.values(
      t.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { SERVICE_NAME: 'mcp-server' } } },
      }),
    )[0].Properties.Environment.Variables;
    expect(env.S3_ENDPOINT).toBeUndefined();
  });

  test('least privilege: no S3 delete of any kind, no object-version, retention or legal-hold actions', () => {
    const all = statements.flatMap(actionsOf);
    // GetBucketLocation and ListAllMyBuckets: what the caller of CopySnapshot to a bucket needs (export only).
    expect(all.filter((a) => /^s3:/.test(a)).sort()).toEqual([
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListAllMyBuckets',
      's3:ListBucket',
      's3:PutObject',
    ]);
    expect(statements.find((s) => actionsOf(s).includes('s3:GetBucketLocation'))!.Resource).toEqual({
      'Fn::GetAtt': [bucketId, 'Arn'],
    });
    expect(all.filter((a) => /Delete/.test(a))).toEqual(['rds:DeleteDBSnapshot']);
    expect(all.some((a) => a.endsWith('*'))).toBe(false);
    // The role has no managed policies (no AWSLambdaBasicExecutionRole with logs:* on *).
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.anyValue(),
      ManagedPolicyArns: Match.absent(),
      Description: Match.stringLikeRegexp('Backup Lambda'),
    });
  });

  test("least privilege: the role's complete action list (anything new must be added here on purpose)", () => {
    // Read, describe, write-once PUT, snapshot/export creation, and one delete: our own tagged DB snapshots.
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'ecs:DescribeTaskDefinition',
      'elasticache:CopySnapshot',
      'elasticache:DescribeCacheClusters',
      'elasticache:DescribeReplicationGroups',
      'elasticache:DescribeSnapshots',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'rds:AddTagsToResource',
      'rds:CreateDBSnapshot',
      'rds:DeleteDBSnapshot',
      'rds:DescribeAccountAttributes',
      'rds:DescribeDBInstances',
      'rds:DescribeDBSnapshots',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListAllMyBuckets',
      's3:ListBucket',
      's3:PutObject',
      'ssm:GetParametersByPath',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('least privilege: S3 writes only under manifests/, backups/ and cache-exports/', () => {
    const put = statements.find((s) => actionsOf(s).includes('s3:PutObject'))!;
    const suffixes = (put.Resource as Array<{ 'Fn::Join': [string, [unknown, string]] }>).map((r) => {
      expect(r['Fn::Join'][1][0]).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
      return r['Fn::Join'][1][1];
    });
    expect(suffixes.sort()).toEqual(['/backups/*', '/cache-exports/*', '/manifests/*']);
  });

  test('least privilege: the backup role deletes only our own tagged snapshots', () => {
    const del = statements.find((s) => actionsOf(s).includes('rds:DeleteDBSnapshot'))!;
    expect(actionsOf(del)).toEqual(['rds:DeleteDBSnapshot']);
    expect(del.Resource).toBe('arn:aws:rds:eu-west-1:111111111111:snapshot:mcpops-mcp-server-db-*');
    expect(del.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/mcp-ops:backup-service': 'mcp-server' } });
    const tag = statements.find((s) => actionsOf(s).includes('rds:AddTagsToResource'))!;
    expect(tag.Condition).toEqual({ StringEquals: { 'aws:RequestTag/mcp-ops:backup-service': 'mcp-server' } });
  });

  test('least privilege: every statement names its resources; "*" only for actions without resource-level permissions', () => {
    const star = statements.filter(
      (s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')),
    );
    expect(star.flatMap(actionsOf).sort()).toEqual([
      'ecs:DescribeTaskDefinition',
      'rds:DescribeAccountAttributes',
      's3:ListAllMyBuckets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const copy = statements.find((s) => actionsOf(s).includes('elasticache:CopySnapshot'))!;
    expect(JSON.stringify(copy.Resource)).toMatch(/snapshot:automatic\./);
    expect(JSON.stringify(copy.Resource)).toMatch(/snapshot:mcpops-mcp-server-cache-\*/);
    const ssm = statements.find((s) => actionsOf(s).includes('ssm:GetParametersByPath'))!;
    expect(ssm.Resource).toEqual([
      'arn:aws:ssm:eu-west-1:111111111111:parameter/mcp/prod',
      'arn:aws:ssm:eu-west-1:111111111111:parameter/mcp/prod/*',
    ]);
    expect(statements.flatMap(actionsOf)).not.toContain('secretsmanager:GetSecretValue');
  });

  test('alarms: stale backup beyond the RPO (missing data breaches), failed run, Lambda errors; all notify the topic', () => {
    const topicRef = { Ref: Match.stringLikeRegexp('Alerts') };
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'McpOps',
      MetricName: 'BackupAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'mcp-server' }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'McpOps',
      MetricName: 'BackupSuccess',
      Dimensions: Match.arrayWith([
        { Name: 'component', Value: 'run' },
        { Name: 'service', Value: 'mcp-server' },
      ]),
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 1,
      AlarmActions: [topicRef],
    });
    expect(backup.alarms).toHaveLength(3);
  });

  test('dashboard widgets show success per component, age against the RPO, bytes, duration and the alarms', () => {
    const widgets = backup.dashboardWidgets();
    const json = JSON.stringify(stack.resolve(widgets.map((w) => w.toJson())));
    expect(widgets).toHaveLength(4);
    for (const c of ['configuration', 'database', 'cache', 'database-snapshot', 'cache-export', 'run'])
      expect(json).toContain(`"component","${c}"`);
    expect(json).toContain('BackupAgeSeconds');
    expect(json).toContain('"value":3600');
    expect(json).toContain('BackupBytes');
    expect(json).toContain('BackupDurationMs');
  });
});

describe('McpBackup defaults: the cache is rebuildable, no export machinery', () => {
  const app = testApp(NO_BUNDLING);
  const stack = testStack(app);
  const f = fixture(stack);
  const backup = new McpBackup(stack, 'Backup', {
    serviceName: 'mcp-server',
    dataTier: f.dataTier,
    taskDefinition: f.taskDefinition,
    alarmTopic: f.topic,
  });
  const t = Template.fromStack(stack);
  const json = JSON.stringify(t.toJSON());

  test('cacheBackup defaults to rebuildable: no CopySnapshot, no ElastiCache principal on the bucket or key, no bucket listing', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CACHE_BACKUP_MODE: 'rebuildable' }) },
    });
    expect(json).not.toContain('elasticache:CopySnapshot');
    expect(json).not.toContain('elasticache:DescribeSnapshots');
    expect(json).not.toContain('elasticache-snapshot.amazonaws.com');
    expect(json).not.toContain('s3:ListAllMyBuckets');
    expect(json).not.toContain('s3:GetBucketLocation');
    // The cache is still described (engine version for the manifest).
    expect(json).toContain('elasticache:DescribeReplicationGroups');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('cacheExportUnverified'))).toHaveLength(
      0,
    );
    expect(backup.alarms).toHaveLength(3);
  });

  test('choosing the export warns at synth that the bucket grant is unverified in Regions enabled by default', () => {
    const { stack: exportStack } = build();
    const warnings = Annotations.fromStack(exportStack).findWarning('*', Match.stringLikeRegexp('canonical user'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/eu-west-1\.elasticache-snapshot\.amazonaws\.com/);
  });
});

describe('McpBackup with existing resources, a rebuildable cache and DR replication', () => {
  const app = testApp(NO_BUNDLING);
  const stack = testStack(app);
  const database = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
    instanceIdentifier: 'legacy-db',
    instanceEndpointAddress: 'legacy-db.example',
    port: 5432,
    securityGroups: [],
  });
  const backup = new McpBackup(stack, 'Backup', {
    serviceName: 'legacy',
    database,
    cacheReplicationGroupId: 'legacy-cache',
    cacheBackup: CacheBackupMode.REBUILDABLE,
    schedule: events.Schedule.rate(Duration.minutes(30)),
    retention: Duration.days(14),
    objectLock: { mode: s3.ObjectLockMode.COMPLIANCE, period: Duration.days(7) },
    replication: REPLICATION,
  });
  const t = Template.fromStack(stack);

  test('names the existing instance and replication group; no export rights, no ElastiCache bucket access', () => {
    const json = JSON.stringify(t.toJSON());
    expect(json).toContain('arn:aws:rds:eu-west-1:111111111111:db:legacy-db');
    expect(json).toContain('arn:aws:elasticache:eu-west-1:111111111111:replicationgroup:legacy-cache');
    expect(json).not.toContain('elasticache:CopySnapshot');
    expect(json).not.toContain('elasticache-snapshot.amazonaws.com');
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          BACKUP_INTERVAL_MINUTES: '30',
          CACHE_BACKUP_MODE: 'rebuildable',
          DB_INSTANCE_ID: 'legacy-db',
        }),
      },
    });
    expect(backup.intervalMinutes).toBe(30);
  });

  test('the replication role may read Object Lock retention and legal holds of the source objects (S3 requires both to replicate locked objects)', () => {
    const roleId = stack.resolve(
      (backup.bucket.node.findChild('ReplicationRole').node.defaultChild as ec2.CfnVPC).logicalId,
    );
    const policy = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }))[0];
    const bucketId = stack.resolve((backup.bucket.node.defaultChild as ec2.CfnVPC).logicalId);
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Sid: 'ReplicateObjectLock',
        Action: ['s3:GetObjectLegalHold', 's3:GetObjectRetention'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
      }),
    );
  });

  test('Object Lock COMPLIANCE 7 days, 14-day expiry, replication of KMS objects to the DR bucket and key', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 } },
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 14 })]) },
      ReplicationConfiguration: {
        Role: Match.anyValue(),
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            Destination: Match.objectLike({
              Bucket: REPLICATION.destinationBucketArn,
              EncryptionConfiguration: { ReplicaKmsKeyID: REPLICATION.destinationKmsKeyArn },
            }),
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            DeleteMarkerReplication: { Status: 'Disabled' },
          }),
        ],
      },
    });
  });
});

describe('McpBackup.grantRestoreRead', () => {
  test('gives a restore role read of manifests and components, list, decrypt; no put, no delete', () => {
    const { stack, backup } = build();
    const iamMod = jest.requireActual('aws-cdk-lib/aws-iam');
    const restore = new iamMod.Role(stack, 'Restore', {
      assumedBy: new iamMod.ServicePrincipal('states.amazonaws.com'),
    });
    backup.grantRestoreRead(restore);
    const t = Template.fromStack(stack);
    const roleId = stack.resolve(restore.node.defaultChild.logicalId);
    const st: Statement[] = Object.values(
      t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
    ).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = st.flatMap((x) => [x.Action].flat()).sort();
    expect(actions).toEqual([
      'kms:Decrypt',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:ListBucketVersions',
    ]);
    const keyId = stack.resolve((backup.key.node.defaultChild as ec2.CfnVPC).logicalId);
    expect(st.find((x) => x.Action === 'kms:Decrypt')!.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

describe('McpBackup validation', () => {
  test.each<[Partial<McpBackupProps>, string]>([
    [
      { serviceName: 'My Service' },
      'McpBackup: serviceName must be 1–20 characters of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got "My Service"',
    ],
    [
      { objectLock: { period: Duration.days(45) } },
      'McpBackup: objectLock.period (45 days) must not exceed retention (30 days): locked objects could not expire',
    ],
    [
      { snapshotInterval: Duration.hours(1) },
      'McpBackup: a snapshot every 1 h kept 720 h holds 721 manual snapshots, more than the 90 the RDS quota (100 per region) leaves after snapshotQuotaReserve 10',
    ],
    [
      { cacheExportInterval: Duration.hours(1) },
      'McpBackup: a cache export every 1 h is 24 per day, more than the 18 ElastiCache allows per node per day after cacheExportQuotaReserve 2',
    ],
    [
      { schedule: events.Schedule.cron({ minute: '0' }) },
      'McpBackup: slotInterval is required with a non-rate schedule, got schedule cron(0 * * * ? *)',
    ],
    [
      { schedule: events.Schedule.rate(Duration.hours(2)) },
      'McpBackup: the schedule (every 120 min) must run at least once per rpo (60 min)',
    ],
    [{ schedule: events.Schedule.rate(Duration.minutes(7)) }, 'McpBackup: schedule interval must divide a day evenly'],
    [{ ssmParameterPrefix: 'mcp/prod/' }, 'McpBackup: ssmParameterPrefix must be a parameter path like "/mcp/prod"'],
    [{ cacheReplicationGroupId: 'x' }, 'McpBackup: pass either dataTier or database/cacheReplicationGroupId, not both'],
    [{ retention: Duration.hours(36) }, 'McpBackup: retention (days) must be an integer from 1 to 3650, got 1.5'],
    [{ rpo: Duration.seconds(90) }, 'McpBackup: rpo (minutes) must be an integer from 5 to 10080, got 1.5'],
    [
      { snapshotRetention: Duration.minutes(90) },
      'McpBackup: snapshotRetention (hours) must be an integer from 1 to 87600, got 1.5',
    ],
    [{ keepNewestSnapshots: 0 }, 'McpBackup: keepNewestSnapshots must be an integer from 1 to 50, got 0'],
  ])('rejects %j', (props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('rejects a backup with nothing to back up', () => {
    const stack = testStack(testApp(NO_BUNDLING));
    expect(() => new McpBackup(stack, 'Backup', { serviceName: 'empty' })).toThrow(
      'McpBackup: nothing to back up: pass dataTier, database, cacheReplicationGroupId, ssmParameterPrefix, taskDefinition or secrets',
    );
  });

  test('rate expressions', () => {
    expect(rateExpressionMinutes('rate(1 hour)')).toBe(60);
    expect(rateExpressionMinutes('rate(15 minutes)')).toBe(15);
    expect(rateExpressionMinutes('rate(1 day)')).toBe(1440);
    expect(rateExpressionMinutes('cron(0 * * * ? *)')).toBeUndefined();
  });
});

describe('McpBackup cdk-nag', () => {
  test('AwsSolutions finds nothing unacknowledged (data tier, export, replication)', () => {
    const { app } = build({ replication: REPLICATION }, {});
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });

  test('AwsSolutions finds nothing unacknowledged with the defaults (rebuildable cache, no replication)', () => {
    const { app } = build({ cacheBackup: undefined }, {});
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});
