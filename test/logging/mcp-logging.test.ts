import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sns from 'aws-cdk-lib/aws-sns';
import { McpLogging } from '../../lib/logging/mcp-logging';
import { OpenSearchIndexRotation } from '../../lib/logging/index-rotation';
import { AUDIT_FILTER_PATTERN, METRIC_FILTERS } from '../../lib/logging/log-contract';
import { renderInsightsQuery, SAVED_QUERIES } from '../../lib/logging/insights';
import { testApp, testStack } from '../support/app';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

// Template assertions only: skip bundling the audit indexer (its code is tested in test/lambda/log-transform).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

// One synthesized template for the default pipeline bound to a task, shared by the tests below.
const stack = testStack(testApp(NO_BUNDLING));
const topic = new sns.Topic(stack, 'Topic');
const logging = new McpLogging(stack, 'Logging', { serviceName: 'mcp-server', alarmTopic: topic });
const task = new ecs.FargateTaskDefinition(stack, 'Task');
const container = task.addContainer('mcp', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/mcp:1'),
  logging: logging.logDriver(),
});
logging.bindToTaskDefinition(task, container);
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Resources;

const id = (c: { node: { defaultChild?: unknown } } | unknown): string =>
  stack.getLogicalId((c as any).node.defaultChild ?? c);
const auditBucketId = id(logging.auditBucket);
const logBucketId = id(logging.logBucket);
const keyId = id(logging.encryptionKey);
const appGroupId = id(logging.applicationLogGroup);

function ofType(type: string): Array<[string, Record<string, any>]> {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === type)
    .map(([k, r]) => [k, r.Properties]);
}
const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('log groups', () => {
  test('application: fixed name, 30 days, KMS', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/mcp/TestStack/mcp-server/application',
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });
  test('audit: fixed name, 400 days (13 months), KMS', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/mcp/TestStack/mcp-server/audit',
      RetentionInDays: 400,
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });
  test('the key lets CloudWatch Logs use it for exactly our log groups', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'kms:EncryptionContext:aws:logs:arn': [
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/mcp/TestStack/mcp-server/application',
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/mcp/TestStack/mcp-server/audit',
                  'arn:aws:logs:eu-west-1:111111111111:log-group:/mcp/TestStack/mcp-server/log-delivery',
                ],
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('container wiring', () => {
  test('the container logs with awslogs into the application log group, non-blocking with a 25 MiB buffer', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: {
              'awslogs-group': { Ref: appGroupId },
              'awslogs-stream-prefix': 'mcp',
              'awslogs-region': 'eu-west-1',
              mode: 'non-blocking',
              'max-buffer-size': '26214400b',
            },
          },
        }),
      ],
    });
  });
  test('the task role is explicitly denied tampering with the audit bucket and the log groups', () => {
    const taskRoleId = id(task.taskRole);
    const policies = ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Roles).includes(taskRoleId));
    const statements = policies.flatMap(([, p]) => p.PolicyDocument.Statement);
    const s3Deny = statements.find((s) => s.Sid === 'DenyAuditTrailTampering');
    expect(s3Deny.Effect).toBe('Deny');
    expect(s3Deny.Action).toEqual(
      expect.arrayContaining([
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutObjectRetention',
        's3:BypassGovernanceRetention',
        's3:PutBucketPolicy',
      ]),
    );
    expect(JSON.stringify(s3Deny.Resource)).toContain(auditBucketId);
    // Loosening the lock for future objects, or suspending versioning, is a slower delete path.
    expect(s3Deny.Action).toEqual(
      expect.arrayContaining(['s3:PutBucketObjectLockConfiguration', 's3:PutBucketVersioning', 's3:PutObject']),
    );
    const logsDeny = statements.find((s) => s.Sid === 'DenyLogGroupTampering');
    expect(logsDeny.Action).toEqual(
      expect.arrayContaining(['logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteSubscriptionFilter']),
    );
    // Rewriting events at ingestion (transformer, data protection) could hide audit entries from the subscription.
    expect(logsDeny.Action).toEqual(
      expect.arrayContaining(['logs:PutTransformer', 'logs:PutDataProtectionPolicy', 'logs:PutMetricFilter']),
    );
    expect(logsDeny.Resource).toEqual([
      { 'Fn::GetAtt': [appGroupId, 'Arn'] },
      { 'Fn::GetAtt': [id(logging.auditLogGroup), 'Arn'] },
    ]);
    // Redirecting or deleting the audit stream would drop entries before they reach the bucket.
    const firehoseDeny = statements.find((s) => s.Sid === 'DenyLogDeliveryTampering');
    expect(firehoseDeny.Effect).toBe('Deny');
    expect(firehoseDeny.Action).toEqual(
      expect.arrayContaining(['firehose:DeleteDeliveryStream', 'firehose:UpdateDestination']),
    );
    expect(firehoseDeny.Resource).toEqual([
      { 'Fn::GetAtt': [id(logging.applicationDeliveryStream), 'Arn'] },
      { 'Fn::GetAtt': [id(logging.auditDeliveryStream), 'Arn'] },
    ]);
    // Deleting or disabling the key would make every audit object unreadable: a delete path by other means.
    const kmsDeny = statements.find((s) => s.Sid === 'DenyAuditKeyDestruction');
    expect(kmsDeny).toEqual(expect.objectContaining({ Effect: 'Deny', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
    expect(kmsDeny.Action).toEqual(
      expect.arrayContaining(['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy']),
    );
  });
  test('bindToTaskDefinition rejects a container of another task definition', () => {
    const other = new ecs.FargateTaskDefinition(stack, 'Other');
    const c = other.addContainer('x', { image: ecs.ContainerImage.fromRegistry('x') });
    expect(() => logging.bindToTaskDefinition(task, c)).toThrow(/does not belong to the task definition/);
  });
});

describe('audit bucket', () => {
  test('versioned, Object Lock in compliance mode (400 days), KMS, no public access, access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
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
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'audit-bucket/' }),
    });
  });
  test('TLS only, and nobody may delete objects or versions or loosen the lock', () => {
    const [, policy] = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Bucket.Ref === auditBucketId)!;
    const st = policy.PolicyDocument.Statement;
    expect(st).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(st).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
      }),
    );
    const deny = st.find((s: any) => s.Sid === 'DenyAuditDeletion');
    expect(deny).toEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' } }));
    expect(deny.Action).toEqual(['s3:BypassGovernanceRetention', 's3:DeleteObject', 's3:DeleteObjectVersion']);
    expect(deny.Resource).toEqual([
      { 'Fn::GetAtt': [auditBucketId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [auditBucketId, 'Arn'] }, '/*']] },
    ]);
  });
  test('by default nothing ever expires audit objects: the lifecycle only aborts incomplete uploads', () => {
    expect(resources[auditBucketId].Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'audit-housekeeping', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
    ]);
  });
  test('no IAM policy in the stack allows deleting anything in the audit bucket', () => {
    for (const [name, p] of ofType('AWS::IAM::Policy')) {
      for (const s of p.PolicyDocument.Statement) {
        if (s.Effect !== 'Allow' || !JSON.stringify(s.Resource).includes(auditBucketId)) continue;
        for (const a of asArray<string>(s.Action)) {
          expect(`${name}: ${a}`).not.toMatch(/s3:(Delete|\*|PutObjectRetention|PutBucketPolicy|BypassGovernance)/);
        }
      }
    }
  });
});

describe('Firehose streams', () => {
  const streams = Object.fromEntries(
    ofType('AWS::KinesisFirehose::DeliveryStream').map(([, p]) => [p.DeliveryStreamName, p]),
  );

  test.each([
    ['TestStack-mcp-server-logs', logBucketId, 'logs/'],
    ['TestStack-mcp-server-audit', auditBucketId, 'audit/'],
  ])(
    '%s: S3, GZIP, date partitions, error prefix, 10 s buffer, CloudWatch Logs processors, SSE-KMS',
    (name, bucketId, prefix) => {
      const s = streams[name];
      expect(s.DeliveryStreamEncryptionConfigurationInput).toEqual({
        KeyType: 'CUSTOMER_MANAGED_CMK',
        KeyARN: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      const d = s.ExtendedS3DestinationConfiguration;
      expect(d.BucketARN).toEqual({ 'Fn::GetAtt': [bucketId, 'Arn'] });
      expect(d.CompressionFormat).toBe('GZIP');
      expect(d.Prefix).toBe(`${prefix}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/`);
      expect(d.ErrorOutputPrefix).toBe(
        'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
      );
      expect(d.BufferingHints).toEqual({ IntervalInSeconds: 10, SizeInMBs: 5 });
      expect(d.EncryptionConfiguration).toEqual({
        KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      });
      expect(d.ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual([
        'Decompression',
        'CloudWatchLogProcessing',
        'AppendDelimiterToRecord',
      ]);
      expect(d.CloudWatchLoggingOptions.Enabled).toBe(true);
    },
  );

  test('each Firehose role reaches only its own bucket, writes without delete, and uses the key only through S3', () => {
    for (const [name, bucketId, otherId] of [
      ['ApplicationDelivery', logBucketId, auditBucketId],
      ['AuditDelivery', auditBucketId, logBucketId],
    ]) {
      const [, policy] = ofType('AWS::IAM::Policy').find(([k]) => k.startsWith(`Logging${name}Policy`))!;
      const st = policy.PolicyDocument.Statement;
      const text = JSON.stringify(st);
      expect(text).toContain(bucketId);
      expect(text).not.toContain(otherId);
      expect(text).not.toMatch(/Delete|s3:\*/);
      expect(st).toContainEqual(
        expect.objectContaining({
          Action: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
        }),
      );
      expect(st).toContainEqual(
        expect.objectContaining({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Condition: expect.objectContaining({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }),
        }),
      );
      // Its error log goes to exactly one stream of the delivery log group.
      const stream = name === 'ApplicationDelivery' ? 'application' : 'audit';
      const deliveryGroupId = Object.entries(resources).find(
        ([, r]) =>
          r.Type === 'AWS::Logs::LogGroup' && r.Properties.LogGroupName === '/mcp/TestStack/mcp-server/log-delivery',
      )![0];
      expect(st).toContainEqual({
        Effect: 'Allow',
        Action: 'logs:PutLogEvents',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:aws:logs:eu-west-1:111111111111:log-group:', { Ref: deliveryGroupId }, `:log-stream:${stream}`],
          ],
        },
      });
    }
  });
});

describe('subscriptions', () => {
  test('all events to the application stream; audit entries to the audit stream', () => {
    const filters = ofType('AWS::Logs::SubscriptionFilter').map(([, p]) => p);
    expect(filters).toHaveLength(2); // the quota is two per log group
    const byName = Object.fromEntries(filters.map((f) => [f.FilterName, f]));
    expect(byName['mcp-all-to-firehose'].FilterPattern).toBe('');
    expect(byName['mcp-all-to-firehose'].DestinationArn).toEqual({
      'Fn::GetAtt': [id(logging.applicationDeliveryStream), 'Arn'],
    });
    expect(byName['mcp-audit-to-firehose'].FilterPattern).toBe(AUDIT_FILTER_PATTERN);
    expect(byName['mcp-audit-to-firehose'].DestinationArn).toEqual({
      'Fn::GetAtt': [id(logging.auditDeliveryStream), 'Arn'],
    });
    for (const f of filters) expect(f.LogGroupName).toEqual({ Ref: appGroupId });
  });
  test('the subscription role is assumed by CloudWatch Logs of this account and may only put records into the two streams, with their key through Firehose', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:logs:eu-west-1:111111111111:*' } },
          }),
        ],
      },
    });
    const [, policy] = ofType('AWS::IAM::Policy').find(([k]) => k.startsWith('LoggingSubscriptionPolicy'))!;
    expect(policy.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        Resource: [
          { 'Fn::GetAtt': [id(logging.applicationDeliveryStream), 'Arn'] },
          { 'Fn::GetAtt': [id(logging.auditDeliveryStream), 'Arn'] },
        ],
      },
      // Producers of a stream encrypted with a customer-managed key need the key (AWS notice of 2026-04-20):
      // without it, creating the subscription filters (which send a test record) fails.
      {
        Sid: 'FirehoseProducerKey',
        Effect: 'Allow',
        Action: expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt']),
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'firehose.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(policy.PolicyDocument.Statement[1].Action).toHaveLength(2);
    // Both subscription filters wait for the grant.
    for (const [, f] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::SubscriptionFilter'))
      expect((f as any).DependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(/^LoggingSubscriptionPolicy/)]),
      );
  });
});

describe('metric filters and saved queries', () => {
  test('every metric filter of the contract, on the application log group, in McpOps', () => {
    const filters = ofType('AWS::Logs::MetricFilter').map(([, p]) => p);
    expect(filters).toHaveLength(METRIC_FILTERS.length);
    for (const spec of METRIC_FILTERS) {
      const f = filters.find((x) => x.MetricTransformations[0].MetricName === spec.metricName)!;
      expect(f.FilterPattern).toBe(spec.filterPattern);
      expect(f.LogGroupName).toEqual({ Ref: appGroupId });
      expect(f.MetricTransformations[0]).toEqual({
        MetricNamespace: 'McpOps',
        MetricName: spec.metricName,
        MetricValue: spec.metricValue,
        Unit: spec.unit,
        Dimensions: Object.entries(spec.dimensions).map(([Key, Value]) => ({ Key, Value })),
      });
    }
  });
  test('saved queries are the tested query text, on the application log group', () => {
    const defs = ofType('AWS::Logs::QueryDefinition').map(([, p]) => p);
    expect(defs.map((d) => d.Name).sort()).toEqual(
      SAVED_QUERIES.map((q) => `mcp/TestStack/mcp-server/${q.title}`).sort(),
    );
    for (const q of SAVED_QUERIES) {
      const d = defs.find((x) => x.Name === `mcp/TestStack/mcp-server/${q.title}`)!;
      expect(d.QueryString).toBe(renderInsightsQuery(q.parts));
      expect(d.LogGroupNames).toEqual([{ Ref: appGroupId }]);
    }
  });
});

describe('audit indexer', () => {
  test('invoked for new objects under audit/, with retries and an encrypted on-failure queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: auditBucketId },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'audit/' }] } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [id(logging.auditIndexerDeadLetterQueue), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ AUDIT_LOG_GROUP_NAME: '/mcp/TestStack/mcp-server/audit' }) },
    });
  });
  test('reads only audit/ objects and writes only audit log streams', () => {
    const roleId = id(logging.auditIndexer.role!);
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Roles).includes(roleId))!;
    const st = policy.PolicyDocument.Statement;
    expect(st).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [auditBucketId, 'Arn'] }, '/audit/*']] },
    });
    // The audit log group's streams, and (McpOpsFunction) the function's own log group: no other log group.
    expect(st).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [
        'arn:aws:logs:eu-west-1:111111111111:log-group:/mcp/TestStack/mcp-server/audit:log-stream:*',
        { 'Fn::GetAtt': [expect.stringMatching(/^LoggingAuditIndexerLogGroup/), 'Arn'] },
      ],
    });
    expect(JSON.stringify(st)).not.toMatch(/s3:Delete|s3:PutObject|logs:Delete/);
    expect(st).toContainEqual({
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': [
            { 'Fn::GetAtt': [auditBucketId, 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [auditBucketId, 'Arn'] }, '/*']] },
          ],
        },
      },
    });
  });
});

describe('alarms', () => {
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([, p]) => p);
  test('failed S3 deliveries and stale data of both streams alarm, notifying the topic on ALARM and OK', () => {
    for (const name of ['TestStack-mcp-server-logs', 'TestStack-mcp-server-audit']) {
      const streamId = Object.entries(resources).find(
        ([, r]) => r.Type === 'AWS::KinesisFirehose::DeliveryStream' && r.Properties.DeliveryStreamName === name,
      )![0];
      const mine = alarms.filter(
        (a) =>
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'DeliveryStreamName', Value: { Ref: streamId } }]),
      );
      expect(mine.map((a) => `${a.MetricName} ${a.ComparisonOperator} ${a.Threshold}`).sort()).toEqual([
        'DeliveryToS3.DataFreshness GreaterThanThreshold 900',
        'DeliveryToS3.Success LessThanThreshold 1',
      ]);
      for (const a of mine) {
        expect(a.AlarmActions).toEqual([{ Ref: id(topic) }]);
        expect(a.OKActions).toEqual([{ Ref: id(topic) }]);
        expect(a.TreatMissingData).toBe('notBreaching');
        expect(a.AlarmDescription).toMatch(
          /^\[(critical|warning)\] mcp-server: .*Runbook: https:\/\/\S+\/docs\/runbooks\/log-delivery\.md$/,
        );
      }
    }
  });
  test('alarm names are <stack>-<service>-<id>, audit delivery alarms are critical', () => {
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([
      'TestStack-mcp-server-AuditDeliveryFailed',
      'TestStack-mcp-server-AuditDeliveryStale',
      'TestStack-mcp-server-AuditErrorOutput',
      'TestStack-mcp-server-AuditIndexFailed',
      'TestStack-mcp-server-AuditSubscriptionErrors',
      'TestStack-mcp-server-LogDeliveryFailed',
      'TestStack-mcp-server-LogDeliveryStale',
      'TestStack-mcp-server-LogErrorOutput',
    ]);
    expect(alarms.find((a) => a.AlarmName.endsWith('AuditDeliveryFailed'))!.AlarmDescription).toMatch(/^\[critical\]/);
    expect(alarms.find((a) => a.AlarmName.endsWith('LogDeliveryFailed'))!.AlarmDescription).toMatch(/^\[warning\]/);
  });
  test('any object written under errors/ of either bucket alarms (S3 request metrics on the prefix)', () => {
    for (const bucketId of [logBucketId, auditBucketId]) {
      expect(resources[bucketId].Properties.MetricsConfigurations).toEqual([{ Id: 'ErrorOutput', Prefix: 'errors/' }]);
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/S3',
          MetricName: 'PutRequests',
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          Dimensions: [
            { Name: 'BucketName', Value: { Ref: bucketId } },
            { Name: 'FilterId', Value: 'ErrorOutput' },
          ],
        }),
      );
    }
  });
  test('audit subscription delivery errors and audit indexer failures alarm', () => {
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Logs',
        MetricName: 'DeliveryErrors',
        Dimensions: expect.arrayContaining([
          { Name: 'FilterName', Value: 'mcp-audit-to-firehose' },
          { Name: 'LogGroupName', Value: '/mcp/TestStack/mcp-server/application' },
        ]),
      }),
    );
    expect(alarms).toContainEqual(
      expect.objectContaining({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 }),
    );
  });
});

describe('dashboard metrics', () => {
  test('metric helpers point at the metric filter metrics', () => {
    const m = logging.metrics.toolsExecuted('echo') as cloudwatch.Metric;
    expect(m.namespace).toBe('McpOps');
    expect(m.metricName).toBe('log_tools_executed_total');
    expect(m.dimensions).toEqual({ service: 'mcp-server', tool: 'echo' });
    expect(m.statistic).toBe('Sum');
    const d = logging.metrics.requestDuration('p95');
    expect([d.metricName, d.statistic, d.dimensions]).toEqual([
      'log_request_duration_ms',
      'p95',
      { service: 'mcp-server' },
    ]);
    expect((logging.metrics.errorsByType('timeout') as cloudwatch.Metric).dimensions).toEqual({
      service: 'mcp-server',
      error_type: 'timeout',
    });
    expect(logging.metrics.toolDuration('search').dimensions).toEqual({ service: 'mcp-server', tool: 'search' });
  });
  test('totals and per-dimension series use SEARCH over the metric filter dimensions', () => {
    expect((logging.metrics.toolsExecuted() as cloudwatch.MathExpression).expression).toBe(
      'SUM(SEARCH(\'{McpOps,service,tool} MetricName="log_tools_executed_total" service="mcp-server"\', \'Sum\', 60))',
    );
    expect((logging.metrics.errorsByTypeAll(Duration.minutes(5)) as cloudwatch.MathExpression).expression).toBe(
      'SEARCH(\'{McpOps,service,error_type} MetricName="log_errors_total" service="mcp-server"\', \'Sum\', 300)',
    );
  });
});

describe('dashboard widgets', () => {
  test('errors by type, tools by tool, request duration from the metric filters, and every pipeline alarm', () => {
    const widgets = logging.dashboardWidgets().map((w) => JSON.stringify(stack.resolve(w.toJson())));
    expect(widgets).toHaveLength(4);
    expect(widgets[0]).toContain('MetricName=\\"log_errors_total\\"');
    expect(widgets[1]).toContain('MetricName=\\"log_tools_executed_total\\"');
    expect(widgets[2]).toContain('log_request_duration_ms');
    expect(widgets[2]).toMatch(/"stat":"p50"[\s\S]*"stat":"p99"/);
    const alarmStatus = stack.resolve(logging.dashboardWidgets()[3].toJson())[0];
    expect(alarmStatus.properties.alarms).toHaveLength(logging.alarms.length);
  });
});

describe('props', () => {
  let lastStack: Stack | undefined;
  const defaultStackForWarnings = stack;
  function build(
    props: Partial<ConstructorParameters<typeof McpLogging>[2]>,
    setup?: (s: Stack) => Partial<ConstructorParameters<typeof McpLogging>[2]>,
  ): Template {
    const s = testStack(testApp(NO_BUNDLING));
    lastStack = s;
    new McpLogging(s, 'Logging', { serviceName: 'svc', ...props, ...setup?.(s) });
    return Template.fromStack(s);
  }

  test('retention, lock, buffering and driver props reach the template', () => {
    const s = testStack(testApp(NO_BUNDLING));
    const l = new McpLogging(s, 'Logging', {
      serviceName: 'svc',
      applicationRetention: logs.RetentionDays.TWO_WEEKS,
      auditRetention: logs.RetentionDays.TEN_YEARS,
      auditObjectLockPeriod: Duration.days(2555),
      auditExpiration: Duration.days(2600),
      bufferInterval: Duration.seconds(0),
      bufferSize: Size.mebibytes(64),
      logDriverMode: ecs.AwsLogDriverMode.BLOCKING,
    });
    const td = new ecs.FargateTaskDefinition(s, 'T');
    td.addContainer('c', { image: ecs.ContainerImage.fromRegistry('x'), logging: l.logDriver() });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/mcp/TestStack/svc/application',
      RetentionInDays: 14,
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/mcp/TestStack/svc/audit', RetentionInDays: 3653 });
    t.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
      },
      // Versioned: the delete marker hides the object, and the hidden version goes one day later.
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 2600, NoncurrentVersionExpiration: { NoncurrentDays: 1 } })],
      },
    });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'TestStack-svc-audit',
      ExtendedS3DestinationConfiguration: Match.objectLike({ BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 64 } }),
    });
    const opts = t.findResources('AWS::ECS::TaskDefinition');
    const options = Object.values(opts)[0].Properties.ContainerDefinitions[0].LogConfiguration.Options;
    expect(options.mode).toBe('blocking');
    expect(options['max-buffer-size']).toBeUndefined();
  });

  test('stream names hold the stack and service names; one that would pass 64 characters is a synth error naming the limit', () => {
    const t = build({ serviceName: 'a'.repeat(20) });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: `TestStack-${'a'.repeat(20)}-audit`,
    });
    const s = new Stack(testApp(NO_BUNDLING), 'A'.repeat(40), {
      env: { account: '111111111111', region: 'eu-west-1' },
    });
    expect(() => new McpLogging(s, 'Logging', { serviceName: 'a'.repeat(20) })).toThrow(
      /the Firehose stream name "A{40}-a{20}-(logs|audit)" \(from the stack name and serviceName\) is \d+ characters, more than the 64 AWS allows/,
    );
  });

  test.each([
    [
      { bufferInterval: Duration.seconds(901) },
      'McpLogging: bufferInterval (seconds) must be an integer from 0 to 900, got 901',
    ],
    [
      { bufferInterval: Duration.millis(1500) },
      'McpLogging: bufferInterval (seconds) must be an integer from 0 to 900, got 1.5',
    ],
    [{ bufferSize: Size.gibibytes(1) }, 'McpLogging: bufferSize (MiB) must be an integer from 1 to 128, got 1024'],
    [{ serviceName: 'bad name' }, 'McpLogging: serviceName must be 1–20 characters of lowercase letters'],
    [{ auditRetention: logs.RetentionDays.SIX_MONTHS }, 'McpLogging: auditRetention must be at least one year'],
  ])('rejects %j at synth time', (props, message) => {
    expect(() => build(props as any)).toThrow(message);
  });

  test.each([
    [
      { indexRotation: 'Daily' },
      'McpLogging: openSearch.indexRotation must be one of NoRotation, OneHour, OneDay, OneWeek, OneMonth, got "Daily"',
    ],
    [
      { retryDuration: Duration.seconds(601) },
      'McpLogging: openSearch.retryDuration (seconds) must be an integer from 0 to 600, got 601',
    ],
    [
      { indexPrefix: 'Logs' },
      'McpLogging: openSearch.indexPrefix must be 1–80 characters of [a-z0-9_.-] starting with a letter or digit, got "Logs"',
    ],
  ])('rejects openSearch %j at synth time', (os, message) => {
    expect(() =>
      build({}, (s) => ({
        openSearch: {
          domain: opensearch.Domain.fromDomainEndpoint(s, 'D', 'https://search-x-abc.eu-west-1.es.amazonaws.com'),
          ...os,
        } as any,
      })),
    ).toThrow(message);
  });

  test('openSearch no longer narrows the Firehose buffer (the stream delivers to S3 only) and synthesizes without warnings', () => {
    const t = build({ bufferSize: Size.mebibytes(128), bufferInterval: Duration.seconds(0) }, (s) => ({
      openSearch: {
        domain: opensearch.Domain.fromDomainEndpoint(s, 'D', 'https://search-x-abc.eu-west-1.es.amazonaws.com'),
        indexRotation: OpenSearchIndexRotation.ONE_HOUR,
        retryDuration: Duration.seconds(60),
      },
    }));
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'TestStack-svc-logs',
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 128 },
      }),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 360,
      Environment: { Variables: Match.objectLike({ INDEX_ROTATION: 'OneHour', RETRY_DURATION_SECONDS: '60' }) },
    });
    expect(Annotations.fromStack(lastStack!).findWarning('*', Match.anyValue())).toEqual([]);
    expect(
      Annotations.fromStack(defaultStackForWarnings).findWarning('*', Match.stringLikeRegexp('openSearch')),
    ).toEqual([]);
  });
});

describe('OpenSearch indexing (openSearch prop)', () => {
  // One template for the OpenSearch variant: imported public domain, alarm topic.
  const osStack = testStack(testApp(NO_BUNDLING));
  const osTopic = new sns.Topic(osStack, 'Topic');
  // fromDomainAttributes: fromDomainEndpoint would derive the name `search-logs` (with the endpoint's prefix) for the ARN.
  const domain = opensearch.Domain.fromDomainAttributes(osStack, 'Domain', {
    domainArn: 'arn:aws:es:eu-west-1:111111111111:domain/logs',
    domainEndpoint: 'https://search-logs-abc123.eu-west-1.es.amazonaws.com',
  });
  const osLogging = new McpLogging(osStack, 'Logging', {
    serviceName: 'mcp-server',
    alarmTopic: osTopic,
    openSearch: { domain },
  });
  const osTemplate = Template.fromStack(osStack);
  const osResources = osTemplate.toJSON().Resources as Resources;
  const osId = (c: unknown): string => osStack.getLogicalId((c as any).node.defaultChild ?? c);
  const osLogBucketId = osId(osLogging.logBucket);
  const osKeyId = osId(osLogging.encryptionKey);
  const indexerId = osId(osLogging.logIndexer!);
  const domainArn = 'arn:aws:es:eu-west-1:111111111111:domain/logs';

  test('the application Firehose delivers to S3 only: no stream has an OpenSearch destination', () => {
    const streams = Object.values(osResources)
      .filter((r) => r.Type === 'AWS::KinesisFirehose::DeliveryStream')
      .map((r) => r.Properties);
    expect(streams).toHaveLength(2);
    for (const st of streams) {
      expect(Object.keys(st).filter((k) => k.endsWith('DestinationConfiguration'))).toEqual([
        'ExtendedS3DestinationConfiguration',
      ]);
    }
    const app = streams.find((st) => st.DeliveryStreamName === 'TestStack-mcp-server-logs')!;
    expect(app.ExtendedS3DestinationConfiguration.BucketARN).toEqual({ 'Fn::GetAtt': [osLogBucketId, 'Arn'] });
    expect(app.ExtendedS3DestinationConfiguration.ProcessingConfiguration.Processors.map((p: any) => p.Type)).toEqual([
      'Decompression',
      'CloudWatchLogProcessing',
      'AppendDelimiterToRecord',
    ]);
    // The Firehose role has no OpenSearch access any more.
    const [, policy] = Object.entries(osResources).find(
      ([k, r]) => r.Type === 'AWS::IAM::Policy' && k.startsWith('LoggingApplicationDeliveryPolicy'),
    )!;
    expect(JSON.stringify(policy.Properties)).not.toMatch(/es:/);
  });

  test('new objects under logs/ of the log bucket invoke the indexer (and audit/ still invokes the audit indexer)', () => {
    osTemplate.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: osLogBucketId },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'logs/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [indexerId, 'Arn'] },
          },
        ],
      },
    });
    osTemplate.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: osId(osLogging.auditBucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({ Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'audit/' }] } } }),
        ],
      },
    });
    osTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [indexerId, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [osLogBucketId, 'Arn'] },
      SourceAccount: '111111111111',
    });
  });

  test('the indexer: Node.js 24 on ARM64, the domain endpoint and index settings in its environment, timeout = retry duration + 5 min', () => {
    const fn = osResources[indexerId].Properties;
    expect([fn.Runtime, fn.Architectures, fn.Timeout, fn.MemorySize, fn.TracingConfig]).toEqual([
      'nodejs24.x',
      ['arm64'],
      600,
      1024,
      { Mode: 'Active' },
    ]);
    expect(fn.Environment.Variables).toEqual({
      OPENSEARCH_ENDPOINT: 'search-logs-abc123.eu-west-1.es.amazonaws.com',
      OPENSEARCH_REGION: 'eu-west-1',
      INDEX_PREFIX: 'mcp',
      INDEX_ROTATION: 'OneDay',
      RETRY_DURATION_SECONDS: '300',
      SERVICE_NAME: 'mcp-server-log-indexer',
      POWERTOOLS_SERVICE_NAME: 'mcp-server-log-indexer',
    });
    osTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: indexerId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [osId(osLogging.logIndexerDeadLetterQueue!), 'Arn'] } },
      },
    });
    expect(osResources[osId(osLogging.logIndexerDeadLetterQueue!)].Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [osKeyId, 'Arn'],
    });
  });

  test('IAM: _bulk (POST/PUT) on the domain only, reads logs/ only, decrypts through S3 for the log bucket only', () => {
    const roleId = osId(osLogging.logIndexer!.role!);
    const policies = Object.values(osResources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId),
    );
    expect(policies).toHaveLength(1);
    const st: any[] = policies[0].Properties.PolicyDocument.Statement;
    // Everything but the X-Ray and on-failure-queue statements aws-cdk-lib adds:
    const ours = st.filter(
      (x) =>
        !JSON.stringify(x.Action).match(/xray:|sqs:/) &&
        !(Array.isArray(x.Action) && x.Action.includes('kms:GenerateDataKey*')),
    );
    expect(ours).toEqual([
      // McpOpsFunction: the function's own log group only.
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^LoggingLogIndexerLogGroup/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [osLogBucketId, 'Arn'] }, '/logs/*']] },
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [osKeyId, 'Arn'] },
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [
              { 'Fn::GetAtt': [osLogBucketId, 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [osLogBucketId, 'Arn'] }, '/*']] },
            ],
          },
        },
      },
      { Effect: 'Allow', Action: ['es:ESHttpPost', 'es:ESHttpPut'], Resource: `${domainArn}/*` },
    ]);
    const text = JSON.stringify(st);
    expect(text).not.toContain(osId(osLogging.auditBucket));
    expect(text).not.toMatch(/s3:PutObject|s3:Delete|es:ESHttpDelete|es:ESHttpGet|es:\*/);
    // The on-failure statements aws-cdk-lib adds reach only the indexer's queue and the pipeline key.
    const queueSend = st.find((x) => JSON.stringify(x.Action).includes('sqs:SendMessage'));
    expect(queueSend.Resource).toEqual({ 'Fn::GetAtt': [osId(osLogging.logIndexerDeadLetterQueue!), 'Arn'] });
  });

  test('alarms: indexer errors and a non-empty on-failure queue, to the topic on ALARM and OK; no Firehose OpenSearch alarm', () => {
    const alarms = Object.values(osResources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
      .map((r) => r.Properties);
    const errors = alarms.find((a) => a.AlarmName === 'TestStack-mcp-server-LogIndexerErrors')!;
    expect(errors).toEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: indexerId } }],
        TreatMissingData: 'notBreaching',
      }),
    );
    const queue = alarms.find((a) => a.AlarmName === 'TestStack-mcp-server-LogIndexFailed')!;
    expect(queue).toEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [osId(osLogging.logIndexerDeadLetterQueue!), 'QueueName'] } },
        ],
      }),
    );
    for (const a of [errors, queue]) {
      expect(a.AlarmActions).toEqual([{ Ref: osId(osTopic) }]);
      expect(a.OKActions).toEqual([{ Ref: osId(osTopic) }]);
      expect(a.AlarmDescription).toMatch(
        /^\[warning\] mcp-server: .*Runbook: https:\/\/\S+\/docs\/runbooks\/log-delivery\.md$/,
      );
    }
    expect(alarms.map((a) => a.MetricName)).not.toContain('DeliveryToAmazonOpenSearchService.Success');
    expect(osLogging.alarms).toHaveLength(10);
  });

  test('without openSearch there is no log indexer and no OpenSearch permission', () => {
    expect(logging.logIndexer).toBeUndefined();
    expect(logging.logIndexerDeadLetterQueue).toBeUndefined();
    expect(ofType('AWS::Lambda::Function').filter(([, p]) => p.Environment?.Variables?.OPENSEARCH_ENDPOINT)).toEqual(
      [],
    );
    expect(JSON.stringify(resources)).not.toMatch(/es:ESHttp/);
  });
});

describe('fixed names and a failed first deployment', () => {
  test('the fixed-name log groups and streams are deleted when their create rolls back, and kept otherwise', () => {
    const fixed = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup' || r.Type === 'AWS::Logs::LogStream',
    ) as Array<{ Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
    expect(fixed.map((r) => r.Properties.LogGroupName ?? r.Properties.LogStreamName).sort()).toEqual(
      expect.arrayContaining([
        '/mcp/TestStack/mcp-server/application',
        '/mcp/TestStack/mcp-server/audit',
        '/mcp/TestStack/mcp-server/log-delivery',
      ]),
    );
    for (const r of fixed.filter((x) => typeof x.Properties.LogGroupName === 'string' || x.Properties.LogStreamName)) {
      expect(r.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(r.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('two stacks (of two apps) with the same service name in one account and region get different names', () => {
    const names = ['Blue', 'Green'].map((stackName) => {
      const s = new Stack(testApp(NO_BUNDLING), stackName, { env: { account: '111111111111', region: 'eu-west-1' } });
      new McpLogging(s, 'Logging', { serviceName: 'svc' });
      const t = Template.fromStack(s).toJSON().Resources as Resources;
      return Object.values(t)
        .map((r) => r.Properties?.LogGroupName ?? r.Properties?.DeliveryStreamName ?? r.Properties?.Name)
        .filter((n): n is string => typeof n === 'string');
    });
    expect(names[0].length).toBeGreaterThanOrEqual(5);
    expect(names[0].filter((n) => names[1].includes(n))).toEqual([]);
    expect(names[0]).toEqual(expect.arrayContaining(['/mcp/Blue/svc/application', 'Blue-svc-logs', 'Blue-svc-audit']));
  });
});
