/**
 * Disaster recovery: the RTO model (what the workflow adds to the AWS operations: polling
 * granularity, Lambda steps, transitions) for drill and recover mode, how the poll interval and
 * the database restore time move it, and the wall time of one whole drill executed locally
 * (synthesized definition in aws-local-stepfunctions, real handler, s3rver, mocked AWS APIs).
 * Figures only, never asserted.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
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
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { TYPICAL_AWS_DURATIONS, WorkflowTimings, estimateRecoveryTime } from '../lib/dr/rto-model';
import { startLocalS3 } from '../test/support/s3-server';
import { drFixture } from '../test/dr/fixture';
import { newBucket, runScenario, synthesizedWorkflow, writeBackup } from '../test/dr/workflow-harness';
import { median, printTable, timeMs } from './util';

export const title = 'Disaster recovery: RTO model (workflow overhead vs. RTO 30 min) and one local drill execution';

const RTO = 1800;
const WORKFLOW: WorkflowTimings = {
  databasePollInterval: 30,
  cachePollInterval: 30,
  deploymentPollInterval: 30,
  lambdaStep: 1.5,
  stateTransition: 0.2,
};
const fmt = (s: number): string => `${(s / 60).toFixed(1)} min (${Math.round(s)} s)`;

function modelFigures(): void {
  console.log('  Typical AWS durations (s):', JSON.stringify(TYPICAL_AWS_DURATIONS));
  console.log(
    `  Workflow timings: poll ${WORKFLOW.databasePollInterval} s, Lambda step ${WORKFLOW.lambdaStep} s, transition ${WORKFLOW.stateTransition} s`,
  );
  for (const mode of ['drill', 'recover'] as const) {
    const e = estimateRecoveryTime(mode, TYPICAL_AWS_DURATIONS, WORKFLOW, RTO);
    console.log(`\n  ${mode} mode (worst case):`);
    printTable([
      ['AWS operations on the critical path', fmt(e.awsSeconds)],
      ['polling lag for these durations', `${e.pollingLagSeconds} s`],
      ['polling granularity (worst case)', `${e.pollingOverheadSeconds} s`],
      ['Lambda steps + state transitions', `${e.stepOverheadSeconds.toFixed(1)} s`],
      ['workflow overhead total', `${e.workflowOverheadSeconds.toFixed(1)} s`],
      ['total', fmt(e.totalSeconds)],
      ['RTO', fmt(e.rtoSeconds)],
      ['margin', `${fmt(e.marginSeconds)} ${e.withinRto ? 'within RTO' : 'RTO MISSED'}`],
    ]);
  }
  console.log('\n  Poll interval vs. workflow overhead (drill, worst case):');
  const rows: Array<[string, string]> = [];
  for (const poll of [10, 30, 60, 120, 300]) {
    const e = estimateRecoveryTime(
      'drill',
      TYPICAL_AWS_DURATIONS,
      { ...WORKFLOW, databasePollInterval: poll, cachePollInterval: poll },
      RTO,
    );
    rows.push([`poll ${poll} s`, `overhead ${e.workflowOverheadSeconds.toFixed(1)} s, total ${fmt(e.totalSeconds)}`]);
  }
  printTable(rows);
  // Largest database restore that still meets the RTO (1-second steps).
  for (const mode of ['drill', 'recover'] as const) {
    let db = 0;
    while (estimateRecoveryTime(mode, { ...TYPICAL_AWS_DURATIONS, databaseRestore: db + 1 }, WORKFLOW, RTO).withinRto)
      db++;
    console.log(`  ${mode}: largest database restore that meets the RTO: ${fmt(db)}`);
  }
}

async function localDrill(): Promise<void> {
  const rds = mockClient(RDSClient);
  const ec = mockClient(ElastiCacheClient);
  const ecs = mockClient(ECSClient);
  const sns = mockClient(SNSClient);
  const cw = mockClient(CloudWatchClient);
  const s3 = await startLocalS3([]);
  const client = s3.client();
  try {
    const synthStart = process.hrtime.bigint();
    const workflow = synthesizedWorkflow(Template.fromStack(drFixture().stack));
    const synthMs = Number(process.hrtime.bigint() - synthStart) / 1e6;
    const now = Date.now();
    rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
      DBInstanceAutomatedBackups: [
        { RestoreWindow: { EarliestTime: new Date(now - 7 * 86400_000), LatestTime: new Date(now - 300_000) } },
      ],
    });
    rds.on(RestoreDBInstanceToPointInTimeCommand).resolves({ DBInstance: { DBInstanceStatus: 'creating' } });
    rds.on(DescribeDBInstancesCommand).callsFake((i) => ({
      DBInstances: [
        {
          DBInstanceIdentifier: i.DBInstanceIdentifier,
          DBInstanceStatus: 'available',
          Endpoint: { Address: 'db.local', Port: 5432 },
        },
      ],
    }));
    rds.on(DeleteDBInstanceCommand).resolves({});
    ec.on(CreateReplicationGroupCommand).resolves({ ReplicationGroup: { Status: 'creating' } });
    ec.on(DescribeReplicationGroupsCommand).callsFake((i) => ({
      ReplicationGroups: [
        {
          ReplicationGroupId: i.ReplicationGroupId,
          Status: 'available',
          NodeGroups: [{ PrimaryEndpoint: { Address: 'cache.local', Port: 6379 } }],
        },
      ],
    }));
    ec.on(DeleteReplicationGroupCommand).resolves({});
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 't' }] });
    ecs.on(DescribeServicesCommand).resolves({ services: [] });
    sns.on(PublishCommand).resolves({});
    cw.on(PutMetricDataCommand).resolves({});
    const bucket = await newBucket(client);
    const lastHour = Math.floor(now / 3_600_000) * 3_600_000;
    for (let h = 24; h >= 0; h--) await writeBackup(client, bucket, { slot: new Date(lastHour - h * 3_600_000) });
    const times: number[] = [];
    let states = 0;
    for (let i = 0; i < 7; i++) {
      times.push(
        await timeMs(async () => {
          const r = await runScenario({
            workflow,
            bucket,
            s3Endpoint: s3.endpoint,
            input: {},
            executionName: `drill-bench-${i}`,
          });
          if (r.status !== 'SUCCEEDED') throw new Error(`local drill failed: ${r.error} ${r.cause}`);
          states = r.states.length;
        }),
      );
    }
    console.log('\n  Local execution of one drill (Waits and retry pauses at 0 ms, AWS answered at once):');
    printTable([
      ['synth + bundle of the fixture stack', `${synthMs.toFixed(0)} ms`],
      ['states entered per drill', String(states)],
      ['wall time per drill (median of 7)', `${median(times).toFixed(1)} ms`],
      ['wall time per drill (min / max)', `${Math.min(...times).toFixed(1)} / ${Math.max(...times).toFixed(1)} ms`],
    ]);
  } finally {
    client.destroy();
    await s3.stop();
    for (const m of [rds, ec, ecs, sns, cw]) m.restore();
  }
}

export async function run(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  modelFigures();
  await localDrill();
}
