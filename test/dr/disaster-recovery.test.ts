import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { McpDisasterRecovery } from '../../lib/dr/disaster-recovery';
import { READY_CHECK_SCRIPT } from '../../lib/dr/ready-check';
import { describeFindings, nagFindings, testApp, testStack } from '../support/app';
import { drFixture } from './fixture';
import { allStates, definitionFromTemplate, Definition, StateDefinition } from './local-sfn';

const fixture = drFixture();
const template = Template.fromStack(fixture.stack);
const definition: Definition = definitionFromTemplate(template);
const states = Object.fromEntries(allStates(definition)) as Record<string, StateDefinition & Record<string, any>>;
const prodArn = fixture.stack.resolve(fixture.database.instanceArn);
const topicRef = fixture.stack.resolve(fixture.topic.topicArn) as { Ref: string };

describe('McpDisasterRecovery: state machine', () => {
  test('a Standard, traced, fully logged state machine with a fixed name', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'DrStack-mcp-disaster-recovery',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definition).not.toHaveProperty('QueryLanguage'); // JSONPath (the default), so it runs locally
    expect(definition.TimeoutSeconds).toBe(4 * 3600);
  });

  test('restore steps run in parallel, the database first by a new-instance restore', () => {
    const parallel = states.Restore;
    expect(parallel.Type).toBe('Parallel');
    expect(parallel.Branches!.map((b: any) => b.StartAt)).toEqual([
      'Restore database?',
      'Restore configuration?',
      'Restore cache?',
    ]);
    expect(parallel.ResultSelector).toEqual({ 'database.$': '$[0]', 'configuration.$': '$[1]', 'cache.$': '$[2]' });
    expect(states['Wait for database']).toMatchObject({ Type: 'Wait', Seconds: 30 });
    expect(states['Database available?'].Choices.map((c: any) => c.Next)).toEqual([
      'Database restored',
      'Database restore failed',
      'Database restore timed out',
    ]);
    expect(states['Database available?'].Default).toBe('Wait for database');
  });

  test('every step of the restore Lambda retries throttling with exponential backoff and jitter', () => {
    const lambdaSteps = Object.entries(states).filter(
      ([, s]) => s.Type === 'Task' && String(s.Resource).startsWith('arn:local:DisasterRecoveryRestoreFunction'),
    );
    expect(lambdaSteps.length).toBeGreaterThanOrEqual(12);
    for (const [, s] of lambdaSteps) {
      expect(s.Retry).toEqual(
        expect.arrayContaining([
          { ErrorEquals: ['Throttled'], IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
        ]),
      );
    }
  });

  test('every failure path notifies; a refusal skips the clean-up; a drill failure cleans up', () => {
    expect(states['Resolve recovery point'].Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Notify refused' },
    ]);
    expect(states.Restore.Catch[0].Next).toBe('Notify failure');
    expect(states['Notify failure'].Next).toBe('Failure in drill mode?');
    expect(states['Failure in drill mode?'].Choices[0]).toMatchObject({
      Variable: '$.plan.request.mode',
      StringEquals: 'drill',
      Next: 'Clean up after failure',
    });
    expect(states['Recovery failed']).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  test('clean-ups retry resources still being created, and a clean-up that gives up is notified', () => {
    for (const name of ['Clean up drill', 'Clean up after failure']) {
      expect(states[name].Retry).toEqual(
        expect.arrayContaining([
          {
            ErrorEquals: ['CleanupPending'],
            IntervalSeconds: 60,
            MaxAttempts: 20,
            BackoffRate: 1.5,
            MaxDelaySeconds: 300,
          },
        ]),
      );
    }
    expect(states['Clean up after failure'].Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: 'Notify clean-up failure' },
    ]);
    expect(states['Notify clean-up failure'].Next).toBe('Recovery failed');
    expect(states['Clean up drill'].Catch[0].Next).toBe('Notify failure');
  });

  test('readiness: one-off ECS task of the service task definition with the restored endpoints, synchronously', () => {
    const task = states['Readiness task'];
    expect(task.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(task.Parameters).toMatchObject({
      LaunchType: 'FARGATE',
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      Overrides: {
        ContainerOverrides: [
          { Name: 'mcp', Command: ['node', '-e', READY_CHECK_SCRIPT], 'Environment.$': '$.verification.environment' },
        ],
      },
    });
    expect(states['Evaluate readiness'].Parameters).toMatchObject({ action: 'verify', 'readiness.$': '$.readiness' });
  });

  test('cut-over only in recover mode, only after an approval by task token on the alert topic', () => {
    expect(states['Mode?'].Choices).toEqual([
      { Variable: '$.plan.request.mode', StringEquals: 'recover', Next: 'Request cut-over approval' },
    ]);
    expect(states['Mode?'].Default).toBe('Report drill');
    const approval = states['Request cut-over approval'];
    expect(approval.Resource).toBe('arn:aws:states:::sns:publish.waitForTaskToken');
    expect(approval.TimeoutSeconds).toBe(900);
    expect(approval.Parameters.TopicArn).toBe(`ref:${topicRef.Ref}`);
    expect(approval.Parameters.Message['taskToken.$']).toBe('$$.Task.Token');
    expect(approval.Catch[0]).toMatchObject({
      ErrorEquals: ['ApprovalRejected', 'States.Timeout'],
      Next: 'Notify approval rejected',
    });
    expect(states['Approved?'].Choices[0].Next).toBe('Cut over');
    expect(states['Cut over'].Next).toBe('Wait for deployment');
    expect(states['Deployment done?'].Choices[0].Next).toBe('Probe public endpoint');
    // Drills never reach the cut-over.
    expect(states['Report drill'].Next).toBe('Clean up drill');
  });
});

describe('McpDisasterRecovery: IAM', () => {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement) as any[];
  const actionsOf = (s: any): string[] => [].concat(s.Action);

  test('explicit deny of delete/modify on the production database', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyProductionDatabaseChanges',
            Effect: 'Deny',
            Resource: prodArn,
            Action: Match.arrayWith([
              'rds:DeleteDBInstance',
              'rds:ModifyDBInstance',
              'rds:RebootDBInstance',
              'rds:StopDBInstance',
            ]),
          }),
        ]),
      },
    });
  });

  test('explicit deny of delete/modify on the production cache', () => {
    const deny = statements.find((s) => s.Sid === 'DenyProductionCacheChanges');
    expect(deny.Effect).toBe('Deny');
    expect(actionsOf(deny)).toEqual(
      expect.arrayContaining(['elasticache:DeleteReplicationGroup', 'elasticache:ModifyReplicationGroup']),
    );
    expect(JSON.stringify(deny.Resource)).toContain('replicationgroup:mcp-cache');
  });

  test('restores read production, snapshots and retained automated backups; they write only <service>-dr-*', () => {
    const reads = statements.find((s) => s.Sid === 'RestoreFromProductionAndSnapshots');
    expect(actionsOf(reads).sort()).toEqual([
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:RestoreDBInstanceToPointInTime',
    ]);
    expect(JSON.stringify(reads.Resource)).toContain(':auto-backup:*');
    expect(reads.Resource).toContainEqual(prodArn);
    const writes = statements.find((s) => s.Sid === 'RestoreIntoNewInstance');
    expect(JSON.stringify(writes.Resource)).toMatch(/:db:mcp-dr-\*"/);
  });

  test('deletes are allowed only on restored resources (<service>-dr-*)', () => {
    const allows = statements.filter(
      (s) => s.Effect === 'Allow' && actionsOf(s).some((a) => /^(rds|elasticache):Delete/.test(a)),
    );
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      const resources = [].concat(s.Resource).map((r) => JSON.stringify(r));
      for (const r of resources) expect(r).toMatch(/(db|replicationgroup|cluster):mcp-dr-\*/);
    }
  });

  test('cut-over without drift: the restore role may rewrite only the endpoint parameters and update only the service; it can neither register task definitions nor pass roles', () => {
    const restoreStatements = Object.entries(policies)
      .filter(([id]) => /RestoreFunction(Service)?Role/.test(id))
      .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement) as any[];
    const allowed = restoreStatements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
    expect(allowed).not.toContain('ecs:RegisterTaskDefinition');
    expect(allowed).not.toContain('ecs:DescribeTaskDefinition');
    expect(allowed.filter((a) => a.startsWith('iam:'))).toEqual([]);
    expect(allowed.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const update = restoreStatements.find((s) => s.Sid === 'CutOverService');
    expect(update.Resource).toEqual(fixture.stack.resolve(fixture.service.serviceArn));
    const ssmWrites = restoreStatements.filter((s) => actionsOf(s).includes('ssm:PutParameter'));
    expect(ssmWrites).toHaveLength(1);
    expect(actionsOf(ssmWrites[0]).sort()).toEqual(['ssm:GetParameters', 'ssm:PutParameter']);
    const arns = Object.values(fixture.endpoints.parameters).map((p) => fixture.stack.resolve(p!.parameterArn));
    expect([].concat(ssmWrites[0].Resource)).toEqual(expect.arrayContaining(arns));
    expect([].concat(ssmWrites[0].Resource)).toHaveLength(4);
  });

  test('a service without endpoint parameters is refused at synth (the cut-over would have nothing to rewrite)', () => {
    expect(() => drFixture({ endpointParameters: undefined })).toThrow(/endpointParameters is required with service/);
  });

  test('the state machine may publish to the SSE-KMS topic: sns:Publish and its key (approval, notifications)', () => {
    const smPolicies = Object.entries(policies).filter(([id]) => id.includes('StateMachineRole'));
    const smStatements = smPolicies.flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement) as any[];
    expect(smStatements.find((s) => actionsOf(s).includes('sns:Publish'))?.Resource).toEqual(topicRef);
    const key = smStatements.find((s) => actionsOf(s).includes('kms:GenerateDataKey*'));
    expect(actionsOf(key)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']));
    expect(key.Resource).toEqual(fixture.stack.resolve(fixture.topic.masterKey!.keyArn));
  });

  test('the state machine may run the readiness task only in the cluster', () => {
    const run = statements.find((s) => s.Sid === 'RunReadinessTask');
    expect(run.Action).toBe('ecs:RunTask');
    expect(run.Condition.ArnEquals['ecs:cluster']).toEqual(fixture.stack.resolve(fixture.service.cluster.clusterArn));
  });
});

describe('McpDisasterRecovery: schedule, metrics, alarms', () => {
  test('weekly drill through the start-drill action (deterministic execution name) and an hourly drill-age metric', () => {
    const input = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      Targets: [
        Match.objectLike({
          InputTransformer: { InputPathsMap: { time: '$.time' }, InputTemplate: input },
          RetryPolicy: { MaximumRetryAttempts: 3 },
        }),
      ],
    });
    expect(input.asString()).toBe('{"action":"start-drill","scheduledTime":<time>}');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Input: '{"action":"report-running"}' })],
    });
  });

  test('the Lambda environment carries RPO, poll limits and the state machine ARN', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          SERVICE_NAME: 'mcp',
          RPO_SECONDS: '3600',
          DB_MAX_POLLS: '180',
          CACHE_MAX_POLLS: '180',
          READINESS_CONTAINER: 'mcp',
          SERVICE_CONTAINER: 'mcp',
          STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:DrStack-mcp-disaster-recovery',
        }),
      },
    });
  });

  test('alarms: failures, RTO exceeded, drill overdue; all notify the topic and link the runbook', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
      Threshold: 1,
      AlarmActions: [topicRef],
    });
    // RTO: finished executions (ExecutionTime, ms) and running ones (RunningExecutionSeconds), in seconds.
    const rto = JSON.parse(
      JSON.stringify(
        Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Threshold: 1800 } })),
      ),
    ) as any[];
    expect(rto).toHaveLength(1);
    expect(rto[0].Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [JSON.parse(JSON.stringify(topicRef))],
      TreatMissingData: 'notBreaching',
    });
    const byId = Object.fromEntries(rto[0].Properties.Metrics.map((m: any) => [m.Id, m]));
    const expr = (Object.values(byId).find((m: any) => m.Expression) as any).Expression;
    expect(expr).toBe('MAX([FILL(finishedMs, 0) / 1000, FILL(running, 0)])');
    expect(byId.finishedMs.MetricStat.Metric).toMatchObject({ MetricName: 'ExecutionTime', Namespace: 'AWS/States' });
    expect(byId.running.MetricStat.Metric).toMatchObject({
      MetricName: 'RunningExecutionSeconds',
      Namespace: 'McpOps',
      Dimensions: [{ Name: 'service', Value: 'mcp' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DrillAgeSeconds',
      Namespace: 'McpOps',
      Dimensions: [{ Name: 'service', Value: 'mcp' }],
      Threshold: 8 * 86400,
      TreatMissingData: 'breaching',
      AlarmDescription: Match.stringLikeRegexp('docs/runbooks/disaster-recovery.md'),
    });
    expect(fixture.dr.alarms).toHaveLength(3);
  });

  test('dashboard widgets show the drill duration against the RTO and data loss against the RPO', () => {
    const widgets = fixture.dr.dashboardWidgets();
    expect(widgets).toHaveLength(4);
    const json = JSON.stringify(Stack.of(fixture.dr).resolve(widgets.map((w) => w.toJson())));
    expect(json).toContain('RecoveryTimeSeconds');
    expect(json).toContain('DataLossSeconds');
    expect(json).toContain('"value":1800');
    expect(json).toContain('"value":3600');
  });
});

describe('McpDisasterRecovery: cdk-nag', () => {
  // The fixture's production resources are not ours; every finding on the construct must be handled.
  const ours = (f: { path: string }) => f.path.includes('/DisasterRecovery/');

  test('full configuration (database, cache, service, probe, topic): no unacknowledged finding', () => {
    const { app } = drFixture({}, testApp());
    expect(describeFindings(nagFindings(app).filter(ours))).toEqual([]);
  });

  test('minimal configuration (bucket only, own encrypted topic, no drills): no finding at all', () => {
    const app = testApp();
    const stack = testStack(app, 'MinimalDr');
    const bucket = s3.Bucket.fromBucketName(stack, 'Backups', 'mcp-backups');
    new McpDisasterRecovery(stack, 'DisasterRecovery', {
      serviceName: 'mcp',
      backupBucket: bucket,
      scheduledDrills: false,
    });
    expect(describeFindings(nagFindings(app))).toEqual([]);
  });
});

describe('McpDisasterRecovery: prop validation', () => {
  const make = (props: Record<string, unknown>) => () => {
    const stack = testStack(testApp(), 'Invalid');
    new McpDisasterRecovery(stack, 'Dr', {
      serviceName: 'mcp',
      backupBucket: s3.Bucket.fromBucketName(stack, 'B', 'mcp-backups'),
      ...props,
    } as never);
  };
  test.each([
    [{ serviceName: 'MCP' }, /serviceName must be 1–20 characters of lowercase letters.*got "MCP"/],
    [{ serviceName: 'a-very-long-service-name' }, /serviceName must be/],
    [{ rpo: Duration.seconds(10) }, /rpo must be from 1 minute to 7 days, got 10 seconds/],
    [{ rto: Duration.days(2) }, /rto must be from 5 minutes to 1 day, got 2 days/],
    [{ pollInterval: Duration.seconds(5) }, /pollInterval must be from 10 to 300 seconds, got 5 seconds/],
    [{ restoreTimeout: Duration.seconds(20) }, /restoreTimeout must be longer than pollInterval/],
    [
      { executionTimeout: Duration.hours(1) },
      /executionTimeout must exceed restoreTimeout \+ approvalTimeout \(6300 s\), got 3600 s/,
    ],
    [{ drillOverdueAfter: Duration.hours(2) }, /drillOverdueAfter must be from 1 to 30 days/],
    [{ databaseInstanceClass: 't4g.medium' }, /databaseInstanceClass must look like db.t4g.medium, got "t4g.medium"/],
    [
      { runbookBaseUrl: 'see the wiki' },
      /McpDisasterRecovery: runbookBaseUrl must be an https:\/\/ URL without query or fragment .*, got "see the wiki"/,
    ],
  ])('%j is refused at synth time', (props, message) => {
    expect(make(props)).toThrow(message);
    expect(make(props)).toThrow(/^McpDisasterRecovery: /);
  });

  test("without vpc the database's is used; the restored instance gets production's subnet and parameter groups", () => {
    const f = drFixture({ vpc: undefined });
    const t = Template.fromStack(f.stack);
    const vars = t.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { BACKUP_BUCKET: Match.anyValue() } } },
    });
    const env = (Object.values(vars)[0] as any).Properties.Environment.Variables;
    const prod = f.database.node.defaultChild as any;
    expect(env.DB_SUBNET_GROUP).toEqual(f.stack.resolve(prod.dbSubnetGroupName));
    expect(env.DB_PARAMETER_GROUP).toEqual(f.stack.resolve(prod.dbParameterGroupName));
    t.resourceCountIs('AWS::RDS::DBSubnetGroup', 1); // production's only
  });

  test("an explicit databaseSubnetGroup wins over production's", () => {
    const stack = testStack(testApp(), 'OwnGroup');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const group = new rds.SubnetGroup(stack, 'Group', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: 'dr',
    });
    const db = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
    });
    new McpDisasterRecovery(stack, 'Dr', {
      serviceName: 'mcp',
      backupBucket: s3.Bucket.fromBucketName(stack, 'B', 'mcp-backups'),
      database: db,
      databaseSubnetGroup: group,
      scheduledDrills: false,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DB_SUBNET_GROUP: stack.resolve(group.subnetGroupName) }) },
    });
  });

  test('token-valued cache id and node type are accepted (validated by CloudFormation at deploy)', () => {
    const stack = testStack(testApp(), 'Tokens');
    const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-123');
    expect(
      () =>
        new McpDisasterRecovery(stack, 'Dr', {
          serviceName: 'mcp',
          backupBucket: s3.Bucket.fromBucketName(stack, 'B', 'mcp-backups'),
          scheduledDrills: false,
          cache: {
            replicationGroupId: Token.asString({ Ref: 'Cache' }),
            nodeType: Token.asString({ Ref: 'NodeType' }),
            subnetGroupName: 'x',
            securityGroups: [sg],
          },
        }),
    ).not.toThrow();
  });

  test('runbookBaseUrl: <base>/disaster-recovery.md is linked from the alarms and the notifications', () => {
    const url = 'https://runbooks.example.com/mcp/disaster-recovery.md';
    const t = Template.fromStack(drFixture({ runbookBaseUrl: 'https://runbooks.example.com/mcp/' }).stack);
    for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a: any) =>
      /disaster-recovery/.test(a.Properties.AlarmDescription),
    )) {
      expect((alarm as any).Properties.AlarmDescription).toContain(url);
    }
    expect(
      Object.keys(
        t.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmDescription: Match.stringLikeRegexp(url.replace(/[.]/g, '\\.')) },
        }),
      ),
    ).toHaveLength(3);
    const def = definitionFromTemplate(t);
    expect(def.States['Request cut-over approval']).toMatchObject({ Parameters: { Message: { runbook: url } } });
    expect(JSON.stringify(def)).not.toContain('docs/runbooks/disaster-recovery.md');
  });

  test('a drill schedule can be given', () => {
    const f = drFixture({ drillSchedule: events.Schedule.rate(Duration.days(3)) });
    Template.fromStack(f.stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(3 days)' });
  });
});
