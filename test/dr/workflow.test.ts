/**
 * Executes the synthesized DR state machine (definition taken from the template) with the local
 * interpreter aws-local-stepfunctions: the restore Lambda's real handler runs in-process against
 * mocked RDS/ElastiCache/ECS/SNS/CloudWatch/SFN clients and a real local S3 server holding the
 * manifests and components written by the test.
 */
import './quiet-logs';
import { gunzipSync } from 'zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { backupIdForSlot } from '../../lib/backup/manifest';
import { restoreId } from '../../lib/dr/recovery-plan';
import { LocalS3, startLocalS3 } from '../support/s3-server';
import { drFixture } from './fixture';
import {
  Approver,
  awsError,
  fakeCacheRestore,
  ReadinessOutcome,
  SynthesizedWorkflow,
  newBucket,
  runScenario,
  synthesizedWorkflow,
  writeBackup,
} from './workflow-harness';

const rds = mockClient(RDSClient);
const ec = mockClient(ElastiCacheClient);
const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);

let s3: LocalS3;
let client: S3Client;
let workflow: SynthesizedWorkflow;
const PROD = 'ref:DatabaseB269D8BB';
const HOUR = 3_600_000;

beforeAll(async () => {
  s3 = await startLocalS3([]);
  client = s3.client();
  workflow = synthesizedWorkflow(Template.fromStack(drFixture().stack));
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

/** Production AWS as the mocks see it: PITR window of the last 7 days up to 5 minutes ago. */
function mockAws(opts: { pitr?: boolean; pitrEarliestMs?: number; dbPendingPolls?: number } = {}): void {
  for (const m of [rds, ec, ecs, sns, cw, sfn, ssm]) m.reset();
  const now = Date.now();
  if (opts.pitr === false)
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError('DBInstanceAutomatedBackupNotFoundFault'));
  else
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
      DBInstanceAutomatedBackups: [
        {
          RestoreWindow: {
            EarliestTime: new Date(opts.pitrEarliestMs ?? now - 7 * 24 * HOUR),
            LatestTime: new Date(now - 5 * 60_000),
          },
        },
      ],
    });
  const creating = (id: string) => ({ DBInstance: { DBInstanceIdentifier: id, DBInstanceStatus: 'creating' } });
  rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((i) => creating(i.TargetDBInstanceIdentifier));
  rds.on(RestoreDBInstanceFromDBSnapshotCommand).callsFake((i) => creating(i.DBInstanceIdentifier));
  let polls = 0;
  rds.on(DescribeDBInstancesCommand).callsFake((i) => {
    polls++;
    const ready = polls > (opts.dbPendingPolls ?? 2);
    return {
      DBInstances: [
        {
          DBInstanceIdentifier: i.DBInstanceIdentifier,
          DBInstanceStatus: ready ? 'available' : 'creating',
          ...(ready ? { Endpoint: { Address: `${i.DBInstanceIdentifier}.restored.rds.local`, Port: 5432 } } : {}),
        },
      ],
    };
  });
  rds.on(DeleteDBInstanceCommand).resolves({});
  fakeCacheRestore(ec);
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'arn:aws:ecs:eu-west-1:111111111111:task/c/readiness' }] });
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'svc',
        taskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/mcp:7',
        deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: 'COMPLETED' }],
      },
    ],
  });
  ecs.on(UpdateServiceCommand).resolves({
    service: { deployments: [{ id: 'ecs-svc/new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS' }] },
  });
  ssm.on(GetParametersCommand).callsFake((i) => ({
    Parameters: i.Names.map((n: string) => ({ Name: n, Value: n.endsWith('PORT') ? '5432' : 'prod.endpoint.local' })),
  }));
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  cw.on(PutMetricDataCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
}

/** Hourly backups from `hoursBack` hours ago up to the last full hour. */
async function hourlyBackups(
  bucket: string,
  hoursBack: number,
  opts: Parameters<typeof writeBackup>[2] extends infer O ? Partial<O> : never = {},
): Promise<void> {
  const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
  for (let h = hoursBack; h >= 0; h--)
    await writeBackup(client, bucket, { slot: new Date(lastHour - h * HOUR), ...opts });
}

async function run(
  input: unknown,
  name: string,
  extra: { approver?: Approver; readiness?: ReadinessOutcome; bucket?: string; probe?: () => Promise<unknown> } = {},
) {
  const bucket = extra.bucket ?? (await newBucket(client));
  return {
    bucket,
    result: await runScenario({ workflow, bucket, s3Endpoint: s3.endpoint, input, executionName: name, ...extra }),
  };
}

const published = (): Array<{ subject?: string; message: Record<string, unknown> }> =>
  sns
    .commandCalls(PublishCommand)
    .map((c) => ({ subject: c.args[0].input.Subject, message: JSON.parse(c.args[0].input.Message!) }));

/** Nothing of production was modified or deleted. */
function expectProductionUntouched(): void {
  expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(0);
  for (const c of rds.commandCalls(DeleteDBInstanceCommand))
    expect(c.args[0].input.DBInstanceIdentifier).toMatch(/^mcp-dr-/);
  for (const c of ec.commandCalls(DeleteReplicationGroupCommand))
    expect(c.args[0].input.ReplicationGroupId).toMatch(/^mcp-dr-/);
  for (const c of rds.commandCalls(RestoreDBInstanceToPointInTimeCommand))
    expect(c.args[0].input.TargetDBInstanceIdentifier).not.toBe(PROD);
}

describe('DR workflow executed locally', () => {
  test('drill, PITR: restores beside production, verifies, reports, cleans up, never cuts over', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 3, {
      configuration: {
        format: 'mcp-ops-configuration/1',
        ssmParameters: [{ name: '/mcp/limits/rps', type: 'String', value: '50' }],
      },
    });
    const target = new Date(Date.now() - 30 * 60_000);
    const name = 'drill-happy';
    const { result } = await run({ targetTime: target.toISOString() }, name, { bucket });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const id = restoreId('mcp', name);

    const restoreCalls = rds.commandCalls(RestoreDBInstanceToPointInTimeCommand);
    expect(restoreCalls).toHaveLength(1);
    expect(restoreCalls[0].args[0].input).toMatchObject({
      SourceDBInstanceIdentifier: PROD,
      TargetDBInstanceIdentifier: id,
      RestoreTime: target,
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
      // Beside production: its subnet group and parameter group, its security group.
      DBSubnetGroupName: workflow.environment.DB_SUBNET_GROUP,
      DBParameterGroupName: workflow.environment.DB_PARAMETER_GROUP,
      VpcSecurityGroupIds: workflow.environment.DB_SECURITY_GROUP_IDS.split(','),
    });
    expect(workflow.environment.DB_SUBNET_GROUP).toMatch(/^ref:DatabaseSubnetGroup/);
    expect(workflow.environment.DB_PARAMETER_GROUP).toMatch(/^ref:DatabaseParameters/);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
    // Polled until available: 2 pending checks then available.
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(3);

    // Cache seeded from the export of the newest manifest at or before the target (consistent 1 min after its slot).
    const cache = ec.commandCalls(CreateReplicationGroupCommand)[0].args[0].input;
    expect(cache.ReplicationGroupId).toBe(id);
    expect(cache.SnapshotArns).toEqual([
      `arn:aws:s3:::${bucket}/mcp-cache-export-${backupIdForSlot(new Date(Math.floor((target.getTime() - 60_000) / HOUR) * HOUR))}-0001.rdb`,
    ]);

    // Configuration restored to a new location with the backup's content.
    const restored = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: `restores/${id}/configuration.json` }),
    );
    expect(JSON.parse(await restored.Body!.transformToString())).toEqual({
      format: 'mcp-ops-configuration/1',
      ssmParameters: [{ name: '/mcp/limits/rps', type: 'String', value: '50' }],
    });

    // Readiness task got the restored endpoints.
    const runTask = ecs.commandCalls(RunTaskCommand)[0].args[0].input as unknown as {
      Overrides: { ContainerOverrides: Array<{ Name: string; Environment: Array<{ Name: string; Value: string }> }> };
    };
    expect(runTask.Overrides.ContainerOverrides[0].Environment).toEqual(
      expect.arrayContaining([
        { Name: 'RESTORED_DATABASE_HOST', Value: `${id}.restored.rds.local` },
        { Name: 'RESTORED_CACHE_HOST', Value: `${id}.cache.local` },
        { Name: 'RESTORED_CONFIG_URI', Value: `s3://${bucket}/restores/${id}/configuration.json` },
      ]),
    );

    // Metrics, clean-up, no cut-over, no approval.
    const metrics = cw.commandCalls(PutMetricDataCommand)[0].args[0].input;
    expect(metrics.Namespace).toBe('McpOps');
    const byName = Object.fromEntries(metrics.MetricData!.map((d) => [d.MetricName, d]));
    expect(byName.DataLossSeconds.Value).toBe(0);
    expect(byName.RecoveryTimeSeconds.Value).toBeGreaterThanOrEqual(0);
    expect(byName.RecoveryTimeSeconds.Dimensions).toEqual([
      { Name: 'service', Value: 'mcp' },
      { Name: 'mode', Value: 'drill' },
    ]);
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier)).toEqual([id]);
    expect(ec.commandCalls(DeleteReplicationGroupCommand).map((c) => c.args[0].input.ReplicationGroupId)).toEqual([id]);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(result.states).toEqual(
      expect.arrayContaining([
        'Resolve recovery point',
        'Restore',
        'Verify checksums',
        'Readiness task',
        'Evaluate readiness',
        'Report drill',
        'Clean up drill',
      ]),
    );
    expect(result.states).not.toContain('Cut over');
    expect(published().map((p) => p.message.outcome)).toEqual(['drill-succeeded']);
    expectProductionUntouched();
  });

  test('recover: approval on the topic, cut-over to the restored endpoints, deployment, probe; nothing deleted', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 2);
    const name = 'recover-happy';
    let probed = 0;
    const { result } = await run({ mode: 'recover' }, name, {
      bucket,
      probe: async () => {
        probed++;
        return { success: true };
      },
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const id = restoreId('mcp', name);
    // Target "now" is after the PITR window's end: PITR to the latest restorable time.
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toMatchObject({
      TargetDBInstanceIdentifier: id,
      MultiAZ: true,
      DeletionProtection: true,
    });

    const approval = published().find((p) => p.message.kind === 'approval-request');
    expect(approval?.message.taskToken).toBe(`token-${name}`);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);

    // Cut-over without drift: the endpoint parameters are rewritten, then a forced new deployment of the
    // same task definition; nothing is registered.
    const names = JSON.parse(workflow.environment.ENDPOINT_PARAMETERS) as Record<string, string>;
    const writes = Object.fromEntries(
      ssm.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input]),
    );
    expect(writes[names.DATABASE_HOST]).toMatchObject({
      Value: `${id}.restored.rds.local`,
      Type: 'String',
      Overwrite: true,
    });
    expect(writes[names.DATABASE_PORT].Value).toBe('5432');
    expect(writes[names.CACHE_HOST].Value).toBe(`${id}.cache.local`);
    expect(writes[names.CACHE_PORT].Value).toBe('6379');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(0);
    const update = ecs.commandCalls(UpdateServiceCommand)[0].args[0].input;
    expect(update).toMatchObject({ forceNewDeployment: true });
    expect(update.taskDefinition).toBeUndefined();
    // The parameters are written before the deployment that reads them.
    const lastWrite = ssm.commandCalls(PutParameterCommand).at(-1)!;
    expect(lastWrite.calledBefore(ecs.commandCalls(UpdateServiceCommand)[0])).toBe(true);
    expect(probed).toBe(1);
    const recovered = published().find((p) => p.message.outcome === 'recovered');
    expect(recovered?.message.cutover).toMatchObject({
      deploymentId: 'ecs-svc/new',
      previousEndpoints: { [names.DATABASE_HOST]: 'prod.endpoint.local' },
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0].Dimensions).toEqual([
      { Name: 'service', Value: 'mcp' },
      { Name: 'mode', Value: 'recover' },
    ]);
    expectProductionUntouched();
  });

  test('production instance gone: PITR from its retained automated backups (by ARN), still into a new identifier', async () => {
    mockAws();
    const arn = 'arn:aws:rds:eu-west-1:111111111111:auto-backup:ab-prod';
    const now = Date.now();
    // By identifier: the instance is not found; by filter: its retained automated backups.
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).rejects(awsError('DBInstanceNotFoundFault'));
    rds
      .on(DescribeDBInstanceAutomatedBackupsCommand, { Filters: [{ Name: 'db-instance-id', Values: [PROD] }] })
      .resolves({
        DBInstanceAutomatedBackups: [
          {
            Status: 'retained',
            DBInstanceAutomatedBackupsArn: arn,
            RestoreWindow: { EarliestTime: new Date(now - 7 * 24 * HOUR), LatestTime: new Date(now - 20 * 60_000) },
          },
        ],
      });
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 2);
    const target = new Date(now - 40 * 60_000);
    const { result } = await run({ targetTime: target.toISOString() }, 'drill-prod-gone', { bucket });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const input = rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input;
    expect(input).toMatchObject({
      SourceDBInstanceAutomatedBackupsArn: arn,
      TargetDBInstanceIdentifier: restoreId('mcp', 'drill-prod-gone'),
      RestoreTime: target,
    });
    expect(input.SourceDBInstanceIdentifier).toBeUndefined();
    expectProductionUntouched();
  });

  test('target before the PITR window: snapshot of the newest manifest at or before the target, never after', async () => {
    mockAws({ pitr: false });
    const bucket = await newBucket(client);
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
    for (const h of [5, 4, 3])
      await writeBackup(client, bucket, { slot: new Date(lastHour - h * HOUR), snapshotAgeMs: 0 });
    const target = new Date(lastHour - 4 * HOUR + 30 * 60_000); // half an hour after the 4-hour-old backup
    const { result } = await run({ targetTime: target.toISOString() }, 'drill-snapshot', { bucket });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
    const snap = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input;
    const expectedId = new Date(lastHour - 4 * HOUR).toISOString().replace(/[-:]/g, '').slice(0, 13).toLowerCase();
    expect(snap.DBSnapshotIdentifier).toBe(`mcp-${expectedId}z`);
    const dataLoss = cw
      .commandCalls(PutMetricDataCommand)[0]
      .args[0].input.MetricData!.find((d) => d.MetricName === 'DataLossSeconds');
    expect(dataLoss?.Value).toBe(29 * 60); // consistency time is 1 minute after the slot
  });

  test('PITR window starting after the target: the snapshot at or before the target, not the window', async () => {
    const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
    mockAws({ pitrEarliestMs: lastHour - 2 * HOUR });
    const bucket = await newBucket(client);
    for (const h of [6, 5, 4, 3, 2, 1])
      await writeBackup(client, bucket, { slot: new Date(lastHour - h * HOUR), snapshotAgeMs: 0 });
    const target = new Date(lastHour - 5 * HOUR + 10 * 60_000); // 10 min after the 5-hour-old backup, before the window
    const { result } = await run({ targetTime: target.toISOString() }, 'drill-before-window', { bucket });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
    const snap = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0].args[0].input;
    expect(snap.DBSnapshotIdentifier).toBe(`mcp-${backupIdForSlot(new Date(lastHour - 5 * HOUR)).toLowerCase()}`);
    expect(
      cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!.find((d) => d.MetricName === 'DataLossSeconds')
        ?.Value,
    ).toBe(9 * 60);
  });

  test('no backup in the window: no restorable database before the target and no PITR fails with NoRecoveryPoint, touching nothing', async () => {
    mockAws({ pitr: false });
    const bucket = await newBucket(client);
    // Manifests exist (configuration, rebuildable cache) but name no RDS snapshot.
    await hourlyBackups(bucket, 2, { snapshot: false });
    const { result } = await run({}, 'drill-no-point', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'NoRecoveryPoint' });
    expect(result.states).toEqual(['Resolve recovery point', 'Notify refused', 'Recovery refused']);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
    expect(ec.commandCalls(CreateReplicationGroupCommand)).toHaveLength(0);
    expect(published().map((p) => p.message.outcome)).toEqual(['refused']);
  });

  test('no backup in the window: a stale newest backup exceeds the RPO and fails at once, touching nothing', async () => {
    mockAws({ pitr: false });
    const bucket = await newBucket(client);
    await writeBackup(client, bucket, { slot: new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR) });
    const { result } = await run({}, 'drill-stale', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'RpoExceeded' });
    expect(result.cause).toMatch(/exceeds the RPO of 3600 s/);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
    expect(ec.commandCalls(CreateReplicationGroupCommand)).toHaveLength(0);
    expect(published().map((p) => p.message.outcome)).toEqual(['refused']);
    const keys = (await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'restores/' }))).Contents ?? [];
    expect(keys).toHaveLength(0);
  });

  test('accepting the data loss explicitly lets the stale backup through', async () => {
    mockAws({ pitr: false });
    const bucket = await newBucket(client);
    await writeBackup(client, bucket, { slot: new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR) });
    const { result } = await run({ options: { acceptDataLoss: true, restoreCache: false } }, 'drill-accept', {
      bucket,
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(1);
    // restoreCache: false starts the cache cold.
    expect(ec.commandCalls(CreateReplicationGroupCommand)[0].args[0].input.SnapshotArns).toBeUndefined();
  });

  test.each([
    ['future time', { targetTime: new Date(Date.now() + 3 * HOUR).toISOString() }, /in the future/],
    ['unparseable time', { targetTime: 'yesterday' }, /ISO 8601/],
    ['unknown mode', { mode: 'restore' }, /mode must be/],
    [
      'before the oldest backup',
      { targetTime: new Date(Date.now() - 30 * 24 * HOUR).toISOString() },
      /before the oldest backup/,
    ],
  ])('invalid input (%s) fails at once with a clear error and touches nothing', async (_label, input, message) => {
    mockAws({ pitr: false });
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run(input, `drill-invalid-${_label.replace(/\W/g, '')}`, { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
    expect(result.cause).toMatch(message);
    expect(result.states).toEqual(['Resolve recovery point', 'Notify refused', 'Recovery refused']);
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
    expect(ec.commandCalls(CreateReplicationGroupCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(
      (await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'restores/' }))).Contents ?? [],
    ).toHaveLength(0);
    expect(published().map((p) => p.message.outcome)).toEqual(['refused']);
  });

  test.each([
    ['a generated name (console default)', {}, '6f1c2e0a-93b4-4d7e-9a51-0c2b7f3e8d11'],
    ['a drill name for a recovery', { mode: 'recover' }, 'drill-20261125T0630Z'],
  ])(
    'an execution name that is not deterministic (%s) is refused at once, touching nothing',
    async (_label, input, name) => {
      mockAws();
      const bucket = await newBucket(client);
      await hourlyBackups(bucket, 1);
      const { result } = await run(input, name, { bucket });
      expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
      expect(result.cause).toMatch(/execution name must start with "(drill|recover)-"/);
      expect(result.states).toEqual(['Resolve recovery point', 'Notify refused', 'Recovery refused']);
      expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
      expect(ec.commandCalls(CreateReplicationGroupCommand)).toHaveLength(0);
    },
  );

  test('a restore that keeps failing: retries with backoff exhausted, failure notified, drill cleaned up, production untouched', async () => {
    mockAws();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    rds.on(DeleteDBInstanceCommand).rejects(awsError('DBInstanceNotFoundFault'));
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, 'drill-throttled', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'Throttled' });
    // 1 attempt + 6 retries of the Throttled retrier.
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(7);
    expect(published().map((p) => p.message.outcome)).toEqual(['failed']);
    expect(result.states).toEqual(
      expect.arrayContaining(['Notify failure', 'Clean up after failure', 'Recovery failed']),
    );
    // The cache branch had created its group: the clean-up removes it.
    expect(ec.commandCalls(DeleteReplicationGroupCommand).map((c) => c.args[0].input.ReplicationGroupId)).toEqual([
      restoreId('mcp', 'drill-throttled'),
    ]);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expectProductionUntouched();
  });

  test('a failure while the cache is still being created: the clean-up waits until it can delete it', async () => {
    mockAws();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(awsError('InvalidParameterCombination', 'bad restore'));
    rds.on(DeleteDBInstanceCommand).rejects(awsError('DBInstanceNotFoundFault'));
    // ElastiCache refuses to delete a group that is `creating`; the second attempt succeeds.
    ec.on(DeleteReplicationGroupCommand)
      .rejectsOnce(awsError('InvalidReplicationGroupStateFault', 'Replication group must be in available state'))
      .resolves({});
    ec.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [{ ReplicationGroupId: restoreId('mcp', 'drill-cache-creating'), Status: 'creating' }],
    });
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, 'drill-cache-creating', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidParameterCombination' });
    expect(ec.commandCalls(DeleteReplicationGroupCommand)).toHaveLength(2);
    expect(published().map((p) => p.message.outcome)).toEqual(['failed']);
    expectProductionUntouched();
  });

  test('a clean-up that cannot delete is notified with the identifier to delete by hand', async () => {
    mockAws();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(awsError('InvalidParameterCombination', 'bad restore'));
    rds.on(DeleteDBInstanceCommand).rejects(awsError('AccessDenied', 'not allowed'));
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, 'drill-cleanup-denied', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'InvalidParameterCombination' });
    const notices = published();
    expect(notices.map((p) => p.message.outcome)).toEqual(['failed', 'cleanup-failed']);
    expect(notices[1].message).toMatchObject({
      restoreId: restoreId('mcp', 'drill-cleanup-denied'),
      error: { Error: 'AccessDenied' },
    });
    expect(result.states).toEqual(
      expect.arrayContaining(['Clean up after failure', 'Notify clean-up failure', 'Recovery failed']),
    );
  });

  test('"already exists" on a retried restore is described instead, and the workflow goes on', async () => {
    mockAws();
    const name = 'drill-exists';
    const id = restoreId('mcp', name);
    rds
      .on(RestoreDBInstanceToPointInTimeCommand)
      .rejectsOnce(awsError('InternalFailure', 'first attempt timed out after creating the instance'))
      .rejects(awsError('DBInstanceAlreadyExistsFault', `DB instance already exists`));
    let polls = 0;
    rds.on(DescribeDBInstancesCommand).callsFake(() => {
      polls++;
      return {
        DBInstances: [
          {
            DBInstanceIdentifier: id,
            DBInstanceStatus: polls > 1 ? 'available' : 'creating',
            TagList: [{ Key: 'mcp-ops:restore-id', Value: id }],
            Endpoint: { Address: `${id}.restored.rds.local`, Port: 5432 },
          },
        ],
      };
    });
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, name, { bucket });
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(2);
    expect(rds.commandCalls(DescribeDBInstancesCommand)[0].args[0].input.DBInstanceIdentifier).toBe(id);
  });

  test('"already exists" for an instance of another restore fails instead of adopting it', async () => {
    mockAws();
    const name = 'drill-foreign';
    const id = restoreId('mcp', name);
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(awsError('DBInstanceAlreadyExistsFault'));
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: id,
          DBInstanceStatus: 'available',
          TagList: [{ Key: 'mcp-ops:restore-id', Value: 'mcp-dr-other' }],
        },
      ],
    });
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, name, { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ForeignResource' });
  });

  test('verification failure (readiness task exits 1) in recover mode: no approval, no cut-over, restored resources kept', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({ mode: 'recover' }, 'recover-unready', { bucket, readiness: { exitCode: 1 } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'VerificationFailed' });
    expect(result.cause).toMatch(/readiness task failed: container mcp exit code 1/);
    expect(published().map((p) => p.message.kind ?? p.message.outcome)).toEqual(['failed']);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expectProductionUntouched();
  });

  test('verification failure (runTask.sync fails the state: ECS reports the essential container exited non-zero) in a drill: notified, cleaned up', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({}, 'drill-task-failed', { bucket, readiness: 'task-failed' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(result.states).toEqual(
      expect.arrayContaining(['Readiness task', 'Notify failure', 'Clean up after failure', 'Recovery failed']),
    );
    expect(result.states).not.toContain('Evaluate readiness');
    expect(published().map((p) => p.message.outcome)).toEqual(['failed']);
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expectProductionUntouched();
  });

  test('verification failure (configuration checksum mismatch) in a drill: cleaned up, no cut-over', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1, { corruptConfiguration: true });
    const { result } = await run({}, 'drill-corrupt', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ChecksumMismatch' });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(1);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test('approval rejected: cut-over never happens, rejection notified, production untouched', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({ mode: 'recover' }, 'recover-rejected', { bucket, approver: () => 'reject' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
    expect(published().map((p) => p.message.kind ?? p.message.outcome)).toEqual(['approval-request', 'rejected']);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expectProductionUntouched();
  });

  test('probe failure after cut-over is notified with the rollback command', async () => {
    mockAws();
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({ mode: 'recover' }, 'recover-probe-fails', {
      bucket,
      probe: async () => ({ success: false }),
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'ProbeFailed' });
    const notice = published().find((p) => p.message.outcome === 'failed-after-cutover');
    expect(notice?.message.rollback).toMatch(/update-service/);
    expect(notice?.message.rollback).toMatch(/put-parameter/);
    expect(notice?.message.cutover).toMatchObject({
      previousEndpoints: expect.objectContaining({}),
    });
  });

  test('cut-over step failing before UpdateService: notified as "production not switched", nothing updated', async () => {
    mockAws();
    ssm
      .on(PutParameterCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform ssm:PutParameter'));
    const bucket = await newBucket(client);
    await hourlyBackups(bucket, 1);
    const { result } = await run({ mode: 'recover' }, 'recover-register-fails', { bucket });
    expect(result).toMatchObject({ status: 'FAILED', error: 'AccessDeniedException' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    const notice = published().find((p) => p.message.outcome === 'cutover-failed');
    expect(notice?.message.restored).toMatchObject({ database: { state: 'available' } });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expectProductionUntouched();
  });

  test('the configuration written is the decompressed backup (sanity of the local S3 fixture)', async () => {
    const bucket = await newBucket(client);
    const m = await writeBackup(client, bucket, {
      slot: new Date(Math.floor(Date.now() / HOUR) * HOUR),
      configuration: { a: 1 },
    });
    const obj = await client.send(new GetObjectCommand({ Bucket: bucket, Key: m.components[0].s3Key! }));
    expect(JSON.parse(gunzipSync(Buffer.from(await obj.Body!.transformToByteArray())).toString())).toEqual({ a: 1 });
  });
});
