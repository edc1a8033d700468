/**
 * The region-loss workflow of the pilot-light stack (two-Region default app, recovery Region eu-central-1),
 * executed locally from its synthesized definition with the real restore handler, mocked AWS APIs and the
 * replicated backups on a local S3 server. Every mocked client records the Region it was created for: no
 * scenario may send anything to the production Region (eu-west-1), which is assumed gone.
 */
import './quiet-logs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, RunTaskCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DeleteReplicationGroupCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { ChangeResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { buildDefaultApp } from '../../lib/app/build';
import { restoreId } from '../../lib/dr/recovery-plan';
import { LocalS3, startLocalS3 } from '../support/s3-server';
import { testApp } from '../support/app';
import { allStates, localArn } from './local-sfn';
import {
  Approver,
  awsError,
  fakeCacheRestore,
  SynthesizedWorkflow,
  newBucket,
  runScenario,
  synthesizedWorkflow,
  writeBackup,
} from './workflow-harness';

const PRODUCTION_REGION = 'eu-west-1';
const RECOVERY_REGION = 'eu-central-1';
const SERVICE = 'mcp-server';
const HOUR = 3_600_000;
const REPLICATED_ARN = `arn:aws:rds:${RECOVERY_REGION}:111111111111:auto-backup:ab-replicated`;

const rds = mockClient(RDSClient);
const ec = mockClient(ElastiCacheClient);
const ecs = mockClient(ECSClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const sfn = mockClient(SFNClient);
const ssm = mockClient(SSMClient);
const secrets = mockClient(SecretsManagerClient);
const route53 = mockClient(Route53Client);
const scaling = mockClient(ApplicationAutoScalingClient);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- clients of different services in one list
const MOCKS = [rds, ec, ecs, sns, cw, sfn, ssm, secrets, route53, scaling] as unknown as Array<AwsClientStub<any>>;

let s3: LocalS3;
let workflow: SynthesizedWorkflow;
let probeArn: string;

beforeAll(async () => {
  s3 = await startLocalS3([]);
  const app = testApp({
    stackName: 'Prod',
    recoveryRegion: RECOVERY_REGION,
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
    domainName: 'mcp.example.com',
  });
  buildDefaultApp(app);
  const template = Template.fromStack(app.node.findChild('Prod-recovery') as Stack);
  workflow = synthesizedWorkflow(template);
  const fnArn = localArn(workflow.functionLogicalId);
  probeArn = allStates(workflow.definition)
    .map(([, st]) => st.Resource)
    .find((r) => r?.startsWith('arn:local:') && r !== fnArn && r.includes('Probe'))!;
});
afterAll(async () => {
  await s3?.stop();
});

/** The recovery Region's AWS: production's automated backups replicated here, everything restorable. */
function mockRecoveryRegion(opts: { replicated?: boolean } = {}): void {
  for (const m of MOCKS) m.reset();
  const now = Date.now();
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
    DBInstanceAutomatedBackups:
      opts.replicated === false
        ? []
        : [
            {
              DBInstanceArn: `arn:aws:rds:${PRODUCTION_REGION}:111111111111:db:prod-db`,
              DBInstanceIdentifier: 'prod-db',
              Region: PRODUCTION_REGION,
              Status: 'replicating',
              DBInstanceAutomatedBackupsArn: REPLICATED_ARN,
              RestoreWindow: { EarliestTime: new Date(now - 7 * 24 * HOUR), LatestTime: new Date(now - 10 * 60_000) },
            },
          ],
  });
  rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((i) => ({
    DBInstance: { DBInstanceIdentifier: i.TargetDBInstanceIdentifier, DBInstanceStatus: 'creating' },
  }));
  rds.on(DescribeDBInstancesCommand).callsFake((i) => ({
    DBInstances: [
      {
        DBInstanceIdentifier: i.DBInstanceIdentifier,
        DBInstanceStatus: 'available',
        Endpoint: { Address: `${i.DBInstanceIdentifier}.restored.${RECOVERY_REGION}.rds.local`, Port: 5432 },
      },
    ],
  }));
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).resolves({});
  secrets.on(GetSecretValueCommand).callsFake((i) => ({
    SecretString: String(i.SecretId).includes('Master')
      ? JSON.stringify({ username: 'mcp_admin', password: 'recovery-password' })
      : 'cache-auth-token-of-the-recovery-region',
  }));
  fakeCacheRestore(ec);
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: `arn:aws:ecs:${RECOVERY_REGION}:111111111111:task/c/ready` }] });
  ecs.on(UpdateServiceCommand).resolves({ service: { deployments: [{ id: 'ecs-svc/up', status: 'PRIMARY' }] } });
  ecs.on(DescribeServicesCommand).resolves({
    services: [
      { serviceName: SERVICE, deployments: [{ id: 'ecs-svc/up', status: 'PRIMARY', rolloutState: 'COMPLETED' }] },
    ],
  });
  ssm.on(GetParametersCommand).callsFake((i) => ({
    Parameters: i.Names.map((n: string) => ({ Name: n, Value: 'standby.invalid' })),
  }));
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  scaling.on(RegisterScalableTargetCommand).resolves({});
  route53
    .on(ChangeResourceRecordSetsCommand)
    .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'PENDING', SubmittedAt: new Date() } });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  cw.on(PutMetricDataCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});
}

/**
 * Every call went to the recovery Region: each mocked call's client resolves its Region (while the Lambda's
 * environment is in place) to anything but production's. Route 53's client is global.
 */
let regionsSeen: Array<{ command: string; region: string }> = [];
async function recordRegions(): Promise<void> {
  regionsSeen = [];
  for (const m of MOCKS) {
    for (const c of m.calls()) {
      const client = c.thisValue as { config: { region: () => Promise<string> } };
      regionsSeen.push({ command: c.args[0].constructor.name, region: await client.config.region() });
    }
  }
}
async function expectNoProductionRegionCall(): Promise<void> {
  expect(regionsSeen.length).toBeGreaterThan(0);
  expect(regionsSeen.filter((r) => r.region === PRODUCTION_REGION)).toEqual([]);
  expect(new Set(regionsSeen.map((r) => r.region))).toEqual(new Set([RECOVERY_REGION]));
}
const published = (): Array<Record<string, unknown>> =>
  sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!));

/** Replicated hourly backups (the production bucket's manifests as replicated here). */
async function replicatedBackups(bucket: string, hoursBack: number): Promise<void> {
  const client = s3.client();
  const lastHour = Math.floor(Date.now() / HOUR) * HOUR;
  for (let h = hoursBack; h >= 0; h--)
    await writeBackup(client, bucket, { slot: new Date(lastHour - h * HOUR), service: SERVICE });
  client.destroy();
}

async function run(input: unknown, name: string, bucket: string, approver?: Approver) {
  return runScenario({
    workflow,
    bucket,
    s3Endpoint: s3.endpoint,
    input,
    executionName: name,
    region: RECOVERY_REGION,
    approver,
    resources: { [probeArn]: async () => ({ success: true }) },
    afterRun: recordRegions,
  });
}

describe('region-loss workflow executed locally (recovery Region only)', () => {
  test('recover: restores from the replicated automated backups, activates the standby, probes, and after approval moves traffic', async () => {
    mockRecoveryRegion();
    const bucket = await newBucket(s3.client());
    await replicatedBackups(bucket, 2);
    const name = 'recover-20261125T0630Z-region-loss';
    const result = await run({ mode: 'recover' }, name, bucket);
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const id = restoreId(SERVICE, name);
    // Found by the instance the replicated manifests name, restored by the replicated backup's ARN.
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)[0].args[0].input.Filters).toEqual([
      { Name: 'db-instance-id', Values: [`arn:aws:rds:${PRODUCTION_REGION}:111111111111:db:prod-db`] },
    ]);
    const restore = rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input;
    expect(restore).toMatchObject({
      SourceDBInstanceAutomatedBackupsArn: REPLICATED_ARN,
      TargetDBInstanceIdentifier: id,
    });
    expect(restore.SourceDBInstanceIdentifier).toBeUndefined();
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0); // production's snapshots are not here
    // The recovery Region's password, set once on the restored instance only.
    expect(rds.commandCalls(ModifyDBInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: id, MasterUserPassword: 'recovery-password', ApplyImmediately: true },
    ]);
    // Activation: endpoint parameters, autoscaling minimum, desired count, forced deployment.
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Value)).toEqual(
      expect.arrayContaining([`${id}.restored.${RECOVERY_REGION}.rds.local`, `${id}.cache.local`]),
    );
    const minTasks = Number(workflow.environment.ACTIVATE_MIN_TASKS);
    expect(minTasks).toBeGreaterThanOrEqual(1);
    expect(scaling.commandCalls(RegisterScalableTargetCommand)[0].args[0].input).toMatchObject({
      MinCapacity: minTasks,
    });
    expect(ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toMatchObject({
      desiredCount: minTasks,
      forceNewDeployment: true,
    });
    // Traffic only after the approval, which came after the probe.
    const order = result.states;
    expect(order.indexOf('Probe public endpoint')).toBeLessThan(order.indexOf('Request traffic approval'));
    expect(order.indexOf('Request traffic approval')).toBeLessThan(order.indexOf('Move traffic'));
    const change = route53.commandCalls(ChangeResourceRecordSetsCommand)[0].args[0].input;
    expect(change.ChangeBatch!.Changes![0]).toMatchObject({
      Action: 'UPSERT',
      ResourceRecordSet: {
        Name: 'mcp.example.com',
        Failover: 'SECONDARY',
        AliasTarget: { EvaluateTargetHealth: true },
      },
    });
    const recovered = published().find((m) => m.outcome === 'recovered');
    expect(recovered?.traffic).toMatchObject({ moved: true });
    // RPO/RTO measured as in place.
    const metrics = cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData!;
    expect(metrics.map((d) => d.MetricName).sort()).toEqual(['DataLossSeconds', 'RecoveryTimeSeconds']);
    await expectNoProductionRegionCall();
  });

  test('no replicated backup inside the RPO: refused before anything is restored', async () => {
    mockRecoveryRegion({ replicated: false });
    const bucket = await newBucket(s3.client());
    // The newest replicated manifest is 5 hours old and its snapshots are production-Region only.
    const client = s3.client();
    await writeBackup(client, bucket, {
      slot: new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR),
      service: SERVICE,
    });
    client.destroy();
    const result = await run({ mode: 'recover' }, 'recover-no-replica', bucket);
    expect(result).toMatchObject({ status: 'FAILED', error: 'NoRecoveryPoint' });
    expect(result.states).toEqual(['Resolve recovery point', 'Notify refused', 'Recovery refused']);
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
    expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)).toHaveLength(0);
    await expectNoProductionRegionCall();
  });

  test('restore failure: notified, nothing activated, no traffic moved', async () => {
    mockRecoveryRegion();
    rds.on(RestoreDBInstanceToPointInTimeCommand).rejects(awsError('KMSKeyNotAccessibleFault', 'key not accessible'));
    const bucket = await newBucket(s3.client());
    await replicatedBackups(bucket, 1);
    const result = await run({ mode: 'recover' }, 'recover-restore-fails', bucket);
    expect(result).toMatchObject({ status: 'FAILED', error: 'KMSKeyNotAccessibleFault' });
    expect(published().map((m) => m.outcome)).toEqual(['failed']);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    await expectNoProductionRegionCall();
  });

  test('rejected approval: the standby is up and probed, but traffic is not moved', async () => {
    mockRecoveryRegion();
    const bucket = await newBucket(s3.client());
    await replicatedBackups(bucket, 1);
    const result = await run({ mode: 'recover' }, 'recover-rejected', bucket, () => 'reject');
    expect(result).toMatchObject({ status: 'FAILED', error: 'ApprovalRejected' });
    expect(result.states).toContain('Request traffic approval');
    expect(result.states).not.toContain('Move traffic');
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(published().map((m) => m.kind ?? m.outcome)).toEqual(['approval-request', 'rejected']);
    await expectNoProductionRegionCall();
  });

  test('drill: restores and verifies in the recovery Region, never activates or moves traffic, and cleans up', async () => {
    mockRecoveryRegion();
    const bucket = await newBucket(s3.client());
    await replicatedBackups(bucket, 2);
    const name = 'drill-20261125T0300Z';
    const result = await run({}, name, bucket);
    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const id = restoreId(SERVICE, name);
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input).toMatchObject({
      SourceDBInstanceAutomatedBackupsArn: REPLICATED_ARN,
      MultiAZ: false,
    });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
    expect(rds.commandCalls(DeleteDBInstanceCommand).map((c) => c.args[0].input.DBInstanceIdentifier)).toEqual([id]);
    expect(ec.commandCalls(DeleteReplicationGroupCommand).map((c) => c.args[0].input.ReplicationGroupId)).toEqual([id]);
    const dims = cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0].Dimensions;
    expect(dims).toEqual([
      { Name: 'service', Value: SERVICE },
      { Name: 'mode', Value: 'drill' },
    ]);
    expect(published().map((m) => m.outcome)).toEqual(['drill-succeeded']);
    await expectNoProductionRegionCall();
  });
});
