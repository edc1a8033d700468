/**
 * Disaster recovery: the RTO model (lib/dr/rto-model.ts: AWS durations as cited or assumed terms that scale with
 * the sizes, plus what the workflow adds) for the in-place and the region-loss recovery side by side against the
 * 30-minute RTO, how each driver moves it, the terms with their sources, and the wall time of one whole drill
 * executed locally (synthesized definition in aws-local-stepfunctions, real handler, s3rver, mocked AWS APIs).
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
import {
  AwsDurations,
  RecoverySizing,
  TYPICAL_SIZING,
  WorkflowTimings,
  largestDatabaseWithinRto,
  planRecoveryTime,
  workflowTimings,
} from '../lib/dr/rto-model';
import { startLocalS3 } from '../test/support/s3-server';
import { drFixture } from '../test/dr/fixture';
import { newBucket, runScenario, synthesizedWorkflow, writeBackup } from '../test/dr/workflow-harness';
import { median, printTable, timeMs } from './util';

export const title =
  'Disaster recovery: RTO model, in place and after a region loss, against the 30-minute RTO; one local drill execution';

const RTO = 1800;
const WORKFLOW: WorkflowTimings = workflowTimings(30);
const fmt = (s: number): string => `${(s / 60).toFixed(1)} min`;
const SCENARIOS = ['in-place', 'region-loss'] as const;

/** Prints rows of cells as aligned columns. */
function columns(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`);
}

function modelFigures(): void {
  console.log(
    `  Sizes: ${JSON.stringify({ ...TYPICAL_SIZING, scenario: undefined })}\n  Workflow: poll ${WORKFLOW.databasePollInterval} s, Lambda step ${WORKFLOW.lambdaStep} s, transition ${WORKFLOW.stateTransition} s (assumptions)`,
  );
  const plans = SCENARIOS.map((scenario) =>
    planRecoveryTime({ ...TYPICAL_SIZING, scenario }, 'recover', WORKFLOW, RTO),
  );
  const phase = (label: string, key: keyof AwsDurations): string[] => [
    label,
    ...plans.map((p) => fmt(p.terms.filter((t) => t.phase === key).reduce((a, t) => a + t.seconds, 0))),
  ];
  console.log('\n  Recovery (recover mode, worst case), side by side against the RTO:');
  columns([
    ['phase', ...SCENARIOS],
    phase('database restore (critical-path branch)', 'databaseRestore'),
    phase('cache restore (parallel branch)', 'cacheRestore'),
    phase('readiness task', 'readinessTask'),
    phase('approval wait', 'approval'),
    phase('cut-over / activation deployment', 'cutoverDeployment'),
    phase('probe', 'probe'),
    phase('traffic move (DNS)', 'trafficMove'),
    ['workflow overhead (polls, steps)', ...plans.map((p) => fmt(p.workflowOverheadSeconds))],
    ['total', ...plans.map((p) => fmt(p.totalSeconds))],
    ['RTO', ...plans.map((p) => fmt(p.rtoSeconds))],
    ['margin', ...plans.map((p) => `${fmt(p.marginSeconds)} ${p.withinRto ? 'ok' : 'MISSED'}`)],
    [
      'drill (same sizes, no approval/cut-over)',
      ...SCENARIOS.map((scenario) =>
        fmt(planRecoveryTime({ ...TYPICAL_SIZING, scenario }, 'drill', WORKFLOW, RTO).totalSeconds),
      ),
    ],
    [
      'largest database within the RTO',
      ...SCENARIOS.map(
        (scenario) => `${largestDatabaseWithinRto({ ...TYPICAL_SIZING, scenario }, 'recover', WORKFLOW, RTO)} GB`,
      ),
    ],
  ]);

  const scaling = (title: string, key: keyof RecoverySizing, values: number[], unit: string): void => {
    console.log(`\n  ${title} (recover, total):`);
    columns([
      [String(key), ...SCENARIOS],
      ...values.map((v) => [
        `${v} ${unit}`,
        ...SCENARIOS.map((scenario) => {
          const base = key === 'maximumPercent' ? { ...TYPICAL_SIZING, tasks: 8 } : TYPICAL_SIZING;
          const p = planRecoveryTime({ ...base, scenario, [key]: v }, 'recover', WORKFLOW, RTO);
          return `${fmt(p.totalSeconds)}${p.withinRto ? '' : ' !'}`;
        }),
      ]),
    ]);
  };
  scaling('Database size', 'databaseSizeGb', [20, 100, 500, 1000, 2000], 'GB');
  scaling('Write rate (PITR replays up to 24 h of log)', 'writeGbPerHour', [0.1, 0.5, 1, 2, 4], 'GB/h');
  scaling('Approval wait', 'approvalWaitSeconds', [60, 180, 300, 600], 's');
  scaling('DNS TTL (region loss only)', 'dnsTtlSeconds', [60, 300, 900], 's');
  scaling(
    'Deployment batches: 8 tasks by maximumPercent (a standby from 0 starts all at once)',
    'maximumPercent',
    [200, 150, 125, 110],
    '%',
  );
  console.log('  (! = over the RTO)');

  console.log('\n  Terms and their sources (region-loss recover):');
  for (const t of plans[1].terms) {
    console.log(
      `    ${t.phase.padEnd(20)} ${String(Math.round(t.seconds)).padStart(5)} s  ${t.what}${t.source ? `  [${t.source}]` : ''}`,
    );
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
