/**
 * Unit tests of the restore Lambda's actions that the workflow tests do not reach: the drill
 * starter, the drill-age metric, the production guards, status polling limits, and manifest
 * loading from a real local S3 server.
 */
import '../../dr/quiet-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import {
  CreateReplicationGroupCommand,
  DeleteReplicationGroupCommand,
  DescribeReplicationGroupsCommand,
  ElastiCacheClient,
} from '@aws-sdk/client-elasticache';
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { handler, loadManifests, cutoverEnvironment, Plan } from '../../../lambda/restore/index';
import { Throttled, call, resetClients } from '../../../lambda/restore/aws';
import { manifestKey } from '../../../lib/backup/manifest';
import { LocalS3, startLocalS3 } from '../../support/s3-server';
import { writeBackup } from '../../dr/workflow-harness';

const rds = mockClient(RDSClient);
const ec = mockClient(ElastiCacheClient);
const ecs = mockClient(ECSClient);
const sfn = mockClient(SFNClient);
const cw = mockClient(CloudWatchClient);

const ENV = {
  SERVICE_NAME: 'mcp',
  BACKUP_BUCKET: 'backups',
  RPO_SECONDS: '3600',
  PRODUCTION_DB_INSTANCE_ID: 'mcp-prod',
  DB_SUBNET_GROUP: 'sg',
  DB_SECURITY_GROUP_IDS: 'sg-1',
  CACHE_PRODUCTION_ID: 'mcp-cache',
  CACHE_SUBNET_GROUP: 'csg',
  CACHE_NODE_TYPE: 'cache.t4g.small',
  DB_MAX_POLLS: '3',
  CACHE_MAX_POLLS: '3',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:mcp-disaster-recovery',
  AWS_REGION: 'eu-west-1',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};
const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, ENV);
  resetClients();
  for (const m of [rds, ec, ecs, sfn, cw]) m.reset();
});
afterAll(() => {
  for (const k of Object.keys(ENV)) if (!(k in saved)) delete process.env[k];
});

function plan(overrides: Partial<Plan> = {}): Plan {
  return {
    executionName: 'drill-x',
    startedAt: new Date(Date.now() - 600_000).toISOString(),
    request: { targetTime: new Date().toISOString(), mode: 'drill', restoreCache: true, acceptDataLoss: false },
    restoreId: 'mcp-dr-abc1234',
    recoveryPoint: {
      method: 'pitr',
      restoreTime: new Date().toISOString(),
      backupId: null,
      consistencyTime: new Date().toISOString(),
      dataLossSeconds: 12,
      configuration: null,
      cache: null,
    },
    database: { enabled: true },
    cache: { enabled: true, source: 'cold' },
    configuration: { enabled: false },
    ...overrides,
  };
}
const named = (name: string): Error => Object.assign(new Error(name), { name });

describe('start-drill', () => {
  test('starts under a name derived from the scheduled time, and only once', async () => {
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: 'x' }).rejects(named('ExecutionAlreadyExists'));
    await expect(handler({ action: 'start-drill', scheduledTime: '2026-11-30T03:00:12Z' })).resolves.toEqual({
      executionName: 'drill-20261130T0300Z',
      started: true,
    });
    await expect(handler({ action: 'start-drill', scheduledTime: '2026-11-30T03:00:12Z' })).resolves.toEqual({
      executionName: 'drill-20261130T0300Z',
      started: false,
    });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls.map((c) => c.args[0].input.name)).toEqual(['drill-20261130T0300Z', 'drill-20261130T0300Z']);
    expect(JSON.parse(calls[0].args[0].input.input!)).toEqual({ mode: 'drill' });
    expect(calls[0].args[0].input.stateMachineArn).toBe(ENV.STATE_MACHINE_ARN);
  });
  test('an invalid scheduled time is refused', async () => {
    await expect(handler({ action: 'start-drill', scheduledTime: 'soon' })).rejects.toMatchObject({
      name: 'InvalidInput',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('report-drill-age', () => {
  test('publishes the age of the newest successful execution', async () => {
    const now = Date.now();
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: 'a',
          stateMachineArn: 's',
          name: 'drill-1',
          status: 'SUCCEEDED',
          startDate: new Date(now - 3 * 86400_000),
          stopDate: new Date(now - 3 * 86400_000 + 1200_000),
        },
        {
          executionArn: 'b',
          stateMachineArn: 's',
          name: 'drill-2',
          status: 'SUCCEEDED',
          startDate: new Date(now - 86400_000),
          stopDate: new Date(now - 86400_000 + 1200_000),
        },
      ],
    });
    cw.on(PutMetricDataCommand).resolves({});
    const out = (await handler({ action: 'report-drill-age' })) as { ageSeconds: number };
    expect(out.ageSeconds).toBeGreaterThanOrEqual(86400 - 1200 - 5);
    expect(out.ageSeconds).toBeLessThanOrEqual(86400 - 1200 + 5);
    const datum = cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0];
    expect(datum).toMatchObject({
      MetricName: 'DrillAgeSeconds',
      Unit: 'Seconds',
      Dimensions: [{ Name: 'service', Value: 'mcp' }],
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input.statusFilter).toBe('SUCCEEDED');
  });
  test('publishes nothing when nothing ever succeeded (the overdue alarm treats missing data as breaching)', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(handler({ action: 'report-drill-age' })).resolves.toEqual({ lastSuccess: null, ageSeconds: null });
    expect(cw.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });
});

describe('report-running', () => {
  test('publishes how long the oldest running execution has been running, 0 when none', async () => {
    const now = Date.now();
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: 'a',
          stateMachineArn: 's',
          name: 'recover-1',
          status: 'RUNNING',
          startDate: new Date(now - 2400_000),
        },
        {
          executionArn: 'b',
          stateMachineArn: 's',
          name: 'drill-1',
          status: 'RUNNING',
          startDate: new Date(now - 600_000),
        },
      ],
    });
    cw.on(PutMetricDataCommand).resolves({});
    const out = (await handler({ action: 'report-running' })) as { running: number; longestSeconds: number };
    expect(out.running).toBe(2);
    expect(Math.abs(out.longestSeconds - 2400)).toBeLessThanOrEqual(5);
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toMatchObject({
      statusFilter: 'RUNNING',
      stateMachineArn: ENV.STATE_MACHINE_ARN,
    });
    expect(cw.commandCalls(PutMetricDataCommand)[0].args[0].input.MetricData![0]).toMatchObject({
      MetricName: 'RunningExecutionSeconds',
      Unit: 'Seconds',
      Dimensions: [{ Name: 'service', Value: 'mcp' }],
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(handler({ action: 'report-running' })).resolves.toEqual({ running: 0, longestSeconds: 0 });
    expect(cw.commandCalls(PutMetricDataCommand)[1].args[0].input.MetricData![0].Value).toBe(0);
  });
});

describe('production guards', () => {
  test('clean-up refuses an identifier that is production or not a restored one', async () => {
    await expect(handler({ action: 'cleanup', plan: plan({ restoreId: 'mcp-prod' }) })).rejects.toMatchObject({
      name: 'Refused',
    });
    await expect(handler({ action: 'cleanup', plan: plan({ restoreId: 'other-db' }) })).rejects.toMatchObject({
      name: 'Refused',
    });
    expect(rds.commandCalls(DeleteDBInstanceCommand)).toHaveLength(0);
    expect(ec.commandCalls(DeleteReplicationGroupCommand)).toHaveLength(0);
  });
  test('clean-up tolerates what is already gone and works from the execution name alone', async () => {
    rds.on(DeleteDBInstanceCommand).rejects(named('DBInstanceNotFoundFault'));
    ec.on(DeleteReplicationGroupCommand).rejects(named('ReplicationGroupNotFoundFault'));
    const out = (await handler({ action: 'cleanup', executionName: 'drill-x' })) as { absent: string[] };
    expect(out.absent).toHaveLength(2);
    expect(rds.commandCalls(DeleteDBInstanceCommand)[0].args[0].input).toMatchObject({
      SkipFinalSnapshot: true,
      DBInstanceIdentifier: expect.stringMatching(/^mcp-dr-/),
    });
  });
  test('clean-up: a group ElastiCache refuses to delete counts as deleted only when it is already deleting', async () => {
    rds.on(DeleteDBInstanceCommand).resolves({});
    ec.on(DeleteReplicationGroupCommand).rejects(named('InvalidReplicationGroupStateFault'));
    ec.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [{ ReplicationGroupId: 'mcp-dr-abc1234', Status: 'deleting' }],
    });
    await expect(handler({ action: 'cleanup', plan: plan() })).resolves.toEqual({
      deleted: ['rds:mcp-dr-abc1234', 'elasticache:mcp-dr-abc1234'],
      absent: [],
    });
    ec.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [{ ReplicationGroupId: 'mcp-dr-abc1234', Status: 'creating' }],
    });
    await expect(handler({ action: 'cleanup', plan: plan() })).rejects.toMatchObject({
      name: 'CleanupPending',
      message: expect.stringContaining('elasticache:mcp-dr-abc1234 (creating)'),
    });
  });
  test('clean-up: an instance RDS refuses to delete (still creating) is retried later, not reported deleted', async () => {
    rds.on(DeleteDBInstanceCommand).rejects(
      Object.assign(new Error('Instance mcp-dr-abc1234 is not in available state'), {
        name: 'InvalidDBInstanceStateFault',
      }),
    );
    ec.on(DeleteReplicationGroupCommand).resolves({});
    await expect(handler({ action: 'cleanup', plan: plan() })).rejects.toMatchObject({
      name: 'CleanupPending',
      message: expect.stringContaining('rds:mcp-dr-abc1234'),
    });
    // The cache was still deleted in the same attempt.
    expect(ec.commandCalls(DeleteReplicationGroupCommand)).toHaveLength(1);
  });
  test('"already exists" for a cache of another restore fails instead of adopting it', async () => {
    ec.on(CreateReplicationGroupCommand).rejects(named('ReplicationGroupAlreadyExistsFault'));
    ec.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        { ReplicationGroupId: 'mcp-dr-abc1234', Status: 'available', Description: 'DR drill drill-other' },
      ],
    });
    await expect(handler({ action: 'start-cache-restore', plan: plan() })).rejects.toMatchObject({
      name: 'ForeignResource',
    });
    ec.on(DescribeReplicationGroupsCommand).resolves({
      ReplicationGroups: [
        { ReplicationGroupId: 'mcp-dr-abc1234', Status: 'creating', Description: 'DR drill drill-x' },
      ],
    });
    await expect(handler({ action: 'start-cache-restore', plan: plan() })).resolves.toMatchObject({
      identifier: 'mcp-dr-abc1234',
      state: 'pending',
      attempt: 0,
    });
    expect(ec.commandCalls(CreateReplicationGroupCommand)[0].args[0].input.ReplicationGroupDescription).toBe(
      'DR drill drill-x',
    );
  });
  test('a restore into the production identifier is refused before any call', async () => {
    await expect(
      handler({ action: 'start-database-restore', plan: plan({ restoreId: 'mcp-prod' }) }),
    ).rejects.toMatchObject({ name: 'Refused' });
    expect(rds.commandCalls(RestoreDBInstanceToPointInTimeCommand)).toHaveLength(0);
  });
  test('cut-over is refused in drill mode', async () => {
    await expect(handler({ action: 'cutover', plan: plan(), restored: {} })).rejects.toMatchObject({ name: 'Refused' });
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });
  test('unknown actions are refused', async () => {
    await expect(handler({ action: 'drop-database' })).rejects.toMatchObject({ name: 'InvalidInput' });
  });
});

describe('polling and errors', () => {
  test('check-database counts attempts and times out at DB_MAX_POLLS; failed states are terminal', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'mcp-dr-abc1234', DBInstanceStatus: 'creating' }] });
    const p = plan();
    const a = (await handler({ action: 'check-database', plan: p, database: { attempt: 1 } })) as {
      attempt: number;
      timedOut: boolean;
      state: string;
    };
    expect(a).toMatchObject({ attempt: 2, timedOut: false, state: 'pending' });
    const b = await handler({ action: 'check-database', plan: p, database: { attempt: 2 } });
    expect(b).toMatchObject({ attempt: 3, timedOut: true });
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'mcp-dr-abc1234', DBInstanceStatus: 'incompatible-restore' }],
    });
    expect(await handler({ action: 'check-database', plan: p, database: { attempt: 0 } })).toMatchObject({
      state: 'failed',
    });
  });
  test('throttling and transient capacity errors become Throttled (retried by the state machine); others pass through', async () => {
    await expect(call(() => Promise.reject(named('ThrottlingException')))).rejects.toBeInstanceOf(Throttled);
    await expect(call(() => Promise.reject(named('InsufficientDBInstanceCapacityFault')))).rejects.toMatchObject({
      name: 'Throttled',
    });
    await expect(call(() => Promise.reject(named('DBSnapshotNotFound')))).rejects.toMatchObject({
      name: 'DBSnapshotNotFound',
    });
  });
  test('cutoverEnvironment gives the readiness task the restored endpoints as RESTORED_<operational-contract variable>', () => {
    expect(
      cutoverEnvironment({
        database: {
          identifier: 'd',
          status: 'available',
          state: 'available',
          address: 'db.local',
          port: 5432,
          attempt: 1,
          timedOut: false,
        },
        cache: { skipped: true },
        configuration: { uri: 's3://b/k', key: 'k', sha256: 'x' },
      }),
    ).toEqual({ RESTORED_DATABASE_HOST: 'db.local', RESTORED_DATABASE_PORT: '5432', RESTORED_CONFIG_URI: 's3://b/k' });
  });
});

describe('loadManifests (local S3)', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3(['manifests-test']);
    client = s3.client();
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });
  test('reads the newest manifests at or before the target and the oldest, skipping corrupt ones and other services', async () => {
    Object.assign(process.env, {
      S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    resetClients();
    const h = (n: number) => new Date(Date.UTC(2026, 10, 25, n));
    for (const n of [1, 2, 3, 4, 5, 6]) await writeBackup(client, 'manifests-test', { slot: h(n) });
    await writeBackup(client, 'manifests-test', { slot: h(7), service: 'someone-else' });
    await client.send(
      new PutObjectCommand({
        Bucket: 'manifests-test',
        Key: manifestKey('20261125T0800Z'),
        Body: '{"schemaVersion":1,',
      }),
    );
    try {
      const target = new Date(Date.UTC(2026, 10, 25, 9, 30));
      const got = await loadManifests('manifests-test', target);
      expect(got.map((m) => m.backupId)).toEqual(['20261125T0600Z', '20261125T0100Z']);
      const earlier = await loadManifests('manifests-test', new Date(Date.UTC(2026, 10, 25, 3, 30)));
      // Manifests after the target (within a day) are read too, since a consistency time may precede its slot.
      expect(earlier.map((m) => m.backupId)).toEqual([
        '20261125T0600Z',
        '20261125T0500Z',
        '20261125T0400Z',
        '20261125T0300Z',
        '20261125T0100Z',
      ]);
    } finally {
      delete process.env.S3_ENDPOINT;
      resetClients();
    }
  });
});
