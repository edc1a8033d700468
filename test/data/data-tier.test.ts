import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { McpDataTier, McpDataTierProps } from '../../lib/data/data-tier';
import { McpCacheEngine } from '../../lib/data/cache-engine';

/** A VPC like the service's: public, private-with-egress and isolated "data" subnets, with flow logs. */
export function fixtureVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    flowLogs: { all: {} },
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

function build(props: Partial<McpDataTierProps> = {}) {
  const app = testApp();
  const stack = testStack(app);
  const vpc = fixtureVpc(stack);
  const tasks = new ec2.SecurityGroup(stack, 'Tasks', { vpc, description: 'service tasks' });
  const data = new McpDataTier(stack, 'Data', { vpc, ...props });
  data.allowFrom(tasks);
  return { app, stack, vpc, tasks, data };
}

describe('McpDataTier (defaults)', () => {
  const { stack, data, tasks } = build();
  const t = Template.fromStack(stack);
  const keyId = stack.resolve((data.key.node.defaultChild as ec2.CfnVPC).logicalId);

  test('PostgreSQL: customer KMS key, Multi-AZ, PITR 7 days, deletion protection, private, TLS forced', () => {
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: '16.13',
      DBInstanceClass: 'db.m7g.large',
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      MultiAZ: true,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
      PubliclyAccessible: false,
      DeleteAutomatedBackups: false,
      CopyTagsToSnapshot: true,
      Port: '5432',
      DBName: 'mcp',
      EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
      PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    t.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    t.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the database and cache live in the isolated subnets', () => {
    const isolated = Template.fromStack(stack).findResources('AWS::EC2::Subnet', {
      Properties: { Tags: Match.arrayWith([{ Key: 'aws-cdk:subnet-name', Value: 'data' }]) },
    });
    const ids = Object.keys(isolated).sort();
    expect(ids).toHaveLength(2);
    t.hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: ids.map((id) => ({ Ref: id })) });
    t.hasResourceProperties('AWS::ElastiCache::SubnetGroup', { SubnetIds: ids.map((id) => ({ Ref: id })) });
  });

  test('credentials are generated into Secrets Manager, encrypted with the key', () => {
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"username":"mcp_admin"}',
        GenerateStringKey: 'password',
      }),
    });
  });

  test('cache: Valkey, encrypted at rest (customer key) and in transit, AUTH token from a secret, Multi-AZ, daily backups', () => {
    const secretId = stack.resolve((data.cacheAuthSecret!.node.defaultChild as ec2.CfnVPC).logicalId);
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      EngineVersion: '8.0',
      CacheNodeType: 'cache.m7g.large',
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: true,
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] },
      SnapshotRetentionLimit: 7,
      SnapshotWindow: '03:00-04:00',
      Port: 6379,
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  test('only the peers passed to allowFrom reach the database (5432) and the cache (6379)', () => {
    const ingress = t.findResources('AWS::EC2::SecurityGroupIngress');
    const rules = Object.values(ingress).map((r) => r.Properties);
    const tasksId = stack.resolve((tasks.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
    const toDb = rules.filter((r) => r.FromPort === 5432);
    const toCache = rules.filter((r) => r.FromPort === 6379);
    expect(toDb).toHaveLength(1);
    expect(toCache).toHaveLength(1);
    for (const r of [...toDb, ...toCache]) {
      expect(r.ToPort).toBe(r.FromPort);
      expect(r.SourceSecurityGroupId).toEqual({ 'Fn::GetAtt': [tasksId, 'GroupId'] });
      expect(r.CidrIp).toBeUndefined();
    }
    // Nothing else opens the data tier's groups, and they send nothing out.
    t.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { SecurityGroupIngress: Match.anyValue() }, 0);
    for (const sg of [data.databaseSecurityGroup!, data.cacheSecurityGroup!]) {
      const id = stack.resolve((sg.node.defaultChild as ec2.CfnSecurityGroup).logicalId);
      expect(t.toJSON().Resources[id].Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
      ]);
    }
  });

  test('container environment and secrets follow the operational contract', () => {
    expect(Object.keys(data.containerEnvironment).sort()).toEqual([
      'CACHE_HOST',
      'CACHE_PORT',
      'CACHE_TLS',
      'DATABASE_HOST',
      'DATABASE_NAME',
      'DATABASE_POOL_MAX_OVERFLOW',
      'DATABASE_POOL_SIZE',
      'DATABASE_PORT',
    ]);
    // The guide's pool, which the budget counts (test/data/connection-budget.test.ts).
    expect([
      data.containerEnvironment.DATABASE_POOL_SIZE,
      data.containerEnvironment.DATABASE_POOL_MAX_OVERFLOW,
    ]).toEqual(['20', '10']);
    expect(data.containerEnvironment.CACHE_TLS).toBe('true');
    expect(data.containerEnvironment.DATABASE_NAME).toBe('mcp');
    expect(Object.keys(data.containerSecrets).sort()).toEqual([
      'CACHE_AUTH_TOKEN',
      'DATABASE_PASSWORD',
      'DATABASE_USERNAME',
    ]);
  });
});

describe('McpDataTier wiring into a task definition', () => {
  test('the secrets are injected as ECS secrets (JSON keys) and the execution role may read and decrypt them', () => {
    const { stack, data } = build();
    const td = new ecs.FargateTaskDefinition(stack, 'Task');
    td.addContainer('mcp', {
      image: ecs.ContainerImage.fromRegistry('mcp'),
      environment: data.containerEnvironment,
      secrets: data.containerSecrets,
    });
    const t = Template.fromStack(stack);
    const secretId = stack.resolve((data.database!.node.findChild('Secret').node.defaultChild as ec2.CfnVPC).logicalId);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Secrets: Match.arrayWith([
            {
              Name: 'DATABASE_PASSWORD',
              ValueFrom: {
                'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('DataDatabaseSecretAttachment') }, ':password::']],
              },
            },
          ]),
          Environment: Match.arrayWith([{ Name: 'CACHE_TLS', Value: 'true' }]),
        }),
      ],
    });
    expect(secretId).toMatch(/DataDatabaseSecret/);
    const execPolicies = Object.values(
      t.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('TaskExecutionRole') }] },
      }),
    );
    const statements = execPolicies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((st: { Action: string | string[] }) => [st.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    // The secrets are encrypted with the data tier's key: its key policy lets the execution role decrypt.
    const keyPolicy = JSON.stringify(Object.values(t.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy);
    expect(keyPolicy).toMatch(/"Action":"kms:Decrypt".*TaskExecutionRole|TaskExecutionRole.*"kms:Decrypt"/);
  });
});

describe('McpDataTier options', () => {
  test('none: no database, no cache, empty environment', () => {
    const { stack, data } = build({ database: { enabled: false }, cache: { enabled: false } });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::RDS::DBInstance', 0);
    t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    expect(data.containerEnvironment).toEqual({});
    expect(data.containerSecrets).toEqual({});
  });

  test('{} and { enabled: true } are the defaults; { enabled: false } leaves out only that part', () => {
    const template = (props: Partial<McpDataTierProps>) => Template.fromStack(build(props).stack).toJSON();
    const defaults = template({});
    expect(template({ database: {}, cache: {} })).toEqual(defaults);
    expect(template({ database: { enabled: true }, cache: { enabled: true } })).toEqual(defaults);
    const noCache = build({ cache: { enabled: false } });
    const t = Template.fromStack(noCache.stack);
    t.resourceCountIs('AWS::RDS::DBInstance', 1);
    t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
    expect(noCache.data.cache).toBeUndefined();
    expect(Object.keys(noCache.data.containerEnvironment).filter((k) => k.startsWith('CACHE_'))).toEqual([]);
    expect(noCache.data.containerSecrets.DATABASE_PASSWORD).toBeDefined();
  });

  test('options beside enabled: false are ignored with a warning naming them', () => {
    const { data } = build({ database: { enabled: false, poolSize: 5, port: 6000 }, cache: { enabled: false } });
    const warnings = data.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringContaining('McpDataTier: database.poolSize, database.port are ignored: database.enabled is false'),
    ]);
    expect(data.database).toBeUndefined();
  });

  test.each([true, false])('the old boolean form %s fails with the options form in the message', (old) => {
    for (const prop of ['database', 'cache'] as const) {
      expect(() => build({ [prop]: old as never })).toThrow(
        `${prop} must be an options object: give ${prop}: {} for the defaults, or ${prop}: { enabled: false } to leave it out; got ${old}`,
      );
    }
  });

  test('database options are applied; a given key is used and no key is created', () => {
    const app = testApp();
    const stack = testStack(app);
    const vpc = fixtureVpc(stack);
    const kmsMod = jest.requireActual('aws-cdk-lib/aws-kms');
    const key = new kmsMod.Key(stack, 'OwnKey', { enableKeyRotation: true });
    new McpDataTier(stack, 'Data', {
      vpc,
      encryptionKey: key,
      cache: { engine: McpCacheEngine.REDIS, replicas: 0, multiAz: false },
      database: {
        backupRetention: Duration.days(14),
        multiAz: false,
        allocatedStorage: 100,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE),
      },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      BackupRetentionPeriod: 14,
      MultiAZ: false,
      AllocatedStorage: '100',
      MaxAllocatedStorage: 400,
      DBInstanceClass: 'db.r7g.xlarge',
    });
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'redis',
      EngineVersion: '7.1',
      NumCacheClusters: 1,
      MultiAZEnabled: false,
      AutomaticFailoverEnabled: false,
    });
  });

  test('storage autoscaling defaults to 4 × the allocated storage, capped at the RDS maximum; windows that wrap midnight are accepted', () => {
    const { stack } = build({
      database: { allocatedStorage: 20000, preferredBackupWindow: '23:45-00:15' },
      cache: { snapshotWindow: '23:30-00:30' },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::RDS::DBInstance', {
      AllocatedStorage: '20000',
      MaxAllocatedStorage: 65536,
      PreferredBackupWindow: '23:45-00:15',
    });
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      SnapshotWindow: '23:30-00:30',
      PreferredMaintenanceWindow: 'sun:05:00-sun:06:00',
    });
  });

  test.each([
    [
      { database: { backupRetention: Duration.days(40) } },
      'McpDataTier: database.backupRetention (days) must be an integer from 1 to 35, got 40',
    ],
    [
      { database: { backupRetention: Duration.hours(36) } },
      'McpDataTier: database.backupRetention (days) must be an integer from 1 to 35, got 1.5',
    ],
    [
      { database: { allocatedStorage: 10 } },
      'McpDataTier: database.allocatedStorage must be an integer from 20 to 65536, got 10',
    ],
    [
      { database: { databaseName: 'My-DB' } },
      'McpDataTier: database.databaseName must be a lowercase PostgreSQL identifier',
    ],
    [{ cache: { replicas: 0 } }, 'McpDataTier: cache.multiAz needs cache.replicas ≥ 1, got replicas 0'],
    [
      { cache: { snapshotRetention: Duration.days(0) } },
      'McpDataTier: cache.snapshotRetention (days) must be an integer from 1 to 35, got 0',
    ],
    [
      { cache: { nodeType: 'm5.large' } },
      'McpDataTier: cache.nodeType must be an ElastiCache node type such as cache.m7g.large, got "m5.large"',
    ],
    [
      { database: { preferredBackupWindow: '02:00-02:20' } },
      'McpDataTier: database.preferredBackupWindow must last at least 30 minutes (RDS), got "02:00-02:20" (20 min)',
    ],
    [
      { database: { preferredBackupWindow: '2am' } },
      'McpDataTier: database.preferredBackupWindow must be hh24:mi-hh24:mi (UTC), got "2am"',
    ],
    [
      { cache: { snapshotWindow: '23:30-00:15' } },
      'McpDataTier: cache.snapshotWindow must last at least 60 minutes (ElastiCache), got "23:30-00:15" (45 min)',
    ],
    [
      { database: { allocatedStorage: 100, maxAllocatedStorage: 50 } },
      'McpDataTier: database.maxAllocatedStorage must be an integer from 100 to 65536, got 50',
    ],
  ])('rejects %j', (props, message) => {
    expect(() => build(props as Partial<McpDataTierProps>)).toThrow(message);
  });
});

describe('McpDataTier cdk-nag', () => {
  test('AwsSolutions finds nothing unacknowledged', () => {
    const { app } = build();
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});
