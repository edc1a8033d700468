import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../cli/main';
import { verifyCommand } from '../../cli/verify';
import { VerifyClients } from '../../cli/verify/checks';

const lambda = mockClient(LambdaClient);
const cloudWatch = mockClient(CloudWatchClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);

const ARN = 'arn:aws:states:eu-west-1:111111111111:stateMachine:mcp-server-disaster-recovery';
const OUTPUTS = {
  McpOps: {
    McpEndpointUrl: 'https://mcp.example.com/mcp',
    ProbeFunctionName: 'McpOps-Probe',
    BackupFunctionName: 'McpOps-Backup',
    BackupBucketName: 'mcpops-backups',
    DashboardName: 'McpOps-mcp-server',
    AlarmNames: 'McpOps-mcp-server-Page,McpOps-mcp-server-ErrorRate,McpOps-BackupStale-ABC',
    RestoreStateMachineArn: ARN,
  },
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-verify-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function outputsFile(content: unknown = OUTPUTS): string {
  const file = path.join(tmp, `outputs-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const payload = (value: unknown) => Buffer.from(JSON.stringify(value)) as never;

const PROBE_OK = {
  success: true,
  latencyMs: 182.4,
  stage: 'done',
  serverName: 'mcp-server',
  toolCount: 3,
  protocolVersion: '2025-06-18',
  steps: {},
};
const BACKUP_OK = {
  status: 'created',
  backupId: '20261201T0900Z',
  manifestKey: 'manifests/20261201T0900Z.json',
  manifest: {},
  pruned: [],
};

/** Every API answers as a healthy, freshly deployed stack would. */
function healthy(): void {
  lambda.on(InvokeCommand, { FunctionName: 'McpOps-Probe' }).resolves({ StatusCode: 200, Payload: payload(PROBE_OK) });
  lambda
    .on(InvokeCommand, { FunctionName: 'McpOps-Backup' })
    .resolves({ StatusCode: 200, Payload: payload(BACKUP_OK) });
  cloudWatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      { AlarmName: 'McpOps-mcp-server-ErrorRate', StateValue: 'OK' },
      { AlarmName: 'McpOps-BackupStale-ABC', StateValue: 'INSUFFICIENT_DATA' },
    ],
    CompositeAlarms: [{ AlarmName: 'McpOps-mcp-server-Page', StateValue: 'OK' }],
  });
  cloudWatch
    .on(GetDashboardCommand)
    .resolves({ DashboardName: 'McpOps-mcp-server', DashboardBody: JSON.stringify({ widgets: [{}, {}, {}] }) });
  s3.on(HeadObjectCommand).resolves({ ContentLength: 412 });
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 3, IsTruncated: false });
}

let clock: number;
const regions: string[] = [];
const command = verifyCommand({
  clients: (region): VerifyClients => {
    regions.push(region);
    return {
      lambda: new LambdaClient({ region }),
      cloudWatch: new CloudWatchClient({ region }),
      s3: new S3Client({ region }),
      sfn: new SFNClient({ region }),
    };
  },
  now: () => new Date(clock),
  sleep: async (ms) => {
    clock += ms;
  },
  pollSeconds: 30,
});

async function verify(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(args, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join(''), err: err.join('') };
}

/** The line of one check in the report. */
function line(report: string, check: string): string {
  return report.split('\n').find((l) => new RegExp(`^  . ${check}\\b`).test(l)) ?? '';
}

beforeEach(() => {
  for (const m of [lambda, cloudWatch, s3, sfn]) m.reset();
  clock = Date.parse('2026-12-01T09:30:15Z');
  regions.length = 0;
  healthy();
});

describe('mcp-ops verify', () => {
  test('is registered in the CLI', async () => {
    const out: string[] = [];
    expect(await main(['verify', '--help'], { out: (t) => out.push(t), err: () => undefined, env: {} })).toBe(0);
    expect(out.join('')).toContain('usage: mcp-ops verify --outputs');
  });

  test('a healthy stack passes every check and exits 0, in the region of its ARNs', async () => {
    const r = await verify(['--outputs', outputsFile()], { AWS_REGION: 'us-east-1' });
    expect(r.code).toBe(0);
    expect(regions).toEqual(['eu-west-1']);
    expect(r.out).toContain('mcp-ops verify: stack McpOps in eu-west-1');
    expect(line(r.out, 'probe')).toBe(
      '  ✔ probe      the MCP probe passed in 182 ms (server mcp-server, 3 tools, protocol 2025-06-18)',
    );
    expect(line(r.out, 'alarms')).toContain('✔ alarms     3 of 3 exist, 2 OK, 1 with insufficient data');
    expect(line(r.out, 'dashboard')).toContain('✔ dashboard  McpOps-mcp-server (3 widgets)');
    expect(line(r.out, 'backup')).toContain(
      '✔ backup     backup 20261201T0900Z committed: s3://mcpops-backups/manifests/20261201T0900Z.json (412 bytes); 3 manifests in the bucket',
    );
    expect(line(r.out, 'drill')).toMatch(/^ {2}- drill {6}not run \(pass --drill/);
    expect(r.out.trimEnd().endsWith('all 4 checks passed.')).toBe(true);
    // The calls an operator would make.
    expect(
      lambda.commandCalls(InvokeCommand).map((c) => [c.args[0].input.FunctionName, c.args[0].input.InvocationType]),
    ).toEqual([
      ['McpOps-Probe', 'RequestResponse'],
      ['McpOps-Backup', 'RequestResponse'],
    ]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toMatchObject({
      AlarmNames: ['McpOps-mcp-server-Page', 'McpOps-mcp-server-ErrorRate', 'McpOps-BackupStale-ABC'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'mcpops-backups',
      Key: 'manifests/20261201T0900Z.json',
    });
    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({
      Bucket: 'mcpops-backups',
      Prefix: 'manifests/',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  describe('every failure is reported, the other checks still run, and the exit code is 1', () => {
    test('the probe fails against the endpoint', async () => {
      lambda.on(InvokeCommand, { FunctionName: 'McpOps-Probe' }).resolves({
        Payload: payload({
          success: false,
          latencyMs: 5000,
          stage: 'initialize',
          errorType: 'http',
          errorCode: 401,
          error: 'Unauthorized',
          steps: {},
        }),
      });
      const r = await verify(['--outputs', outputsFile()]);
      expect(r.code).toBe(1);
      expect(line(r.out, 'probe')).toBe('  ✘ probe      the MCP probe failed at initialize: http 401: Unauthorized');
      expect(line(r.out, 'backup')).toContain('✔');
      expect(r.out).toContain('1 of 4 checks failed.');
    });

    test('the probe function itself errors (FunctionError)', async () => {
      lambda.on(InvokeCommand, { FunctionName: 'McpOps-Probe' }).resolves({
        FunctionError: 'Unhandled',
        Payload: payload({ errorType: 'ProbeConfigError', errorMessage: 'MCP_URL is not set' }),
      });
      const r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'probe')).toBe(
        '  ✘ probe      the probe function McpOps-Probe failed: ProbeConfigError: MCP_URL is not set',
      );
    });

    test('an alarm is missing and another is in ALARM', async () => {
      cloudWatch.on(DescribeAlarmsCommand).resolves({
        MetricAlarms: [
          {
            AlarmName: 'McpOps-mcp-server-ErrorRate',
            StateValue: 'ALARM',
            StateReason: 'Threshold Crossed: 3 datapoints',
          },
        ],
        CompositeAlarms: [{ AlarmName: 'McpOps-mcp-server-Page', StateValue: 'OK' }],
      });
      const r = await verify(['--outputs', outputsFile()]);
      expect(r.code).toBe(1);
      expect(line(r.out, 'alarms')).toBe(
        '  ✘ alarms     1 missing: McpOps-BackupStale-ABC; 1 in ALARM: McpOps-mcp-server-ErrorRate (Threshold Crossed: 3 datapoints); 2 of 3 exist, 1 OK, 0 with insufficient data (normal until metrics arrive)',
      );
    });

    test('more than 100 alarms are asked for in pages of 100, following NextToken', async () => {
      const names = Array.from({ length: 150 }, (_, i) => `A${String(i).padStart(3, '0')}`);
      cloudWatch.on(DescribeAlarmsCommand).callsFake((input) =>
        input.NextToken === undefined && input.AlarmNames.length === 100
          ? {
              MetricAlarms: input.AlarmNames.slice(0, 50).map((n: string) => ({ AlarmName: n, StateValue: 'OK' })),
              NextToken: 't',
            }
          : {
              MetricAlarms: (input.NextToken ? input.AlarmNames.slice(50) : input.AlarmNames).map((n: string) => ({
                AlarmName: n,
                StateValue: 'OK',
              })),
            },
      );
      const r = await verify([
        '--outputs',
        outputsFile({ McpOps: { ...OUTPUTS.McpOps, AlarmNames: names.join(',') } }),
      ]);
      const calls = cloudWatch
        .commandCalls(DescribeAlarmsCommand)
        .map((c) => [c.args[0].input.AlarmNames!.length, c.args[0].input.NextToken]);
      expect(calls).toEqual([
        [100, undefined],
        [100, 't'],
        [50, undefined],
      ]);
      expect(line(r.out, 'alarms')).toContain('✔ alarms     150 of 150 exist, 150 OK');
    });

    test('the dashboard does not exist, or has no widgets', async () => {
      cloudWatch
        .on(GetDashboardCommand)
        .rejects(Object.assign(new Error('Dashboard McpOps-mcp-server does not exist'), { name: 'ResourceNotFound' }));
      let r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'dashboard')).toBe(
        '  ✘ dashboard  ResourceNotFound: Dashboard McpOps-mcp-server does not exist',
      );
      cloudWatch.on(GetDashboardCommand).resolves({ DashboardBody: '{"widgets":[]}' });
      r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'dashboard')).toBe('  ✘ dashboard  McpOps-mcp-server exists but has no widgets');
    });

    test('the backup run fails, so no manifest is committed', async () => {
      lambda.on(InvokeCommand, { FunctionName: 'McpOps-Backup' }).resolves({
        FunctionError: 'Unhandled',
        Payload: payload({
          errorType: 'AccessDenied',
          errorMessage: 'not authorized to perform: rds:CreateDBSnapshot',
        }),
      });
      const r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'backup')).toBe(
        '  ✘ backup     the backup run failed (AccessDenied: not authorized to perform: rds:CreateDBSnapshot); no manifest was committed',
      );
      expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    });

    test('the backup reports a manifest the bucket does not hold', async () => {
      s3.on(HeadObjectCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound' }));
      const r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'backup')).toBe(
        '  ✘ backup     the backup function reported manifests/20261201T0900Z.json, but s3://mcpops-backups/manifests/20261201T0900Z.json does not exist',
      );
    });

    test('the backup function returns something that is not a backup result', async () => {
      lambda.on(InvokeCommand, { FunctionName: 'McpOps-Backup' }).resolves({ Payload: payload(null) });
      const r = await verify(['--outputs', outputsFile()]);
      expect(line(r.out, 'backup')).toBe('  ✘ backup     the backup function returned no manifest key: null');
    });

    test('an output the check needs is missing from the deployed stack', async () => {
      const { ProbeFunctionName: _p, ...rest } = OUTPUTS.McpOps;
      const r = await verify(['--outputs', outputsFile({ McpOps: rest })]);
      expect(r.code).toBe(1);
      expect(line(r.out, 'probe')).toBe(
        '  ✘ probe      MissingOutput: the outputs of McpOps have no ProbeFunctionName (deploy a version of the stack that exports it)',
      );
      expect(line(r.out, 'alarms')).toContain('✔');
    });

    test('no credentials: every check says why, nothing is hidden', async () => {
      const denied = Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      });
      for (const m of [lambda, cloudWatch, s3, sfn]) m.reset();
      lambda.onAnyCommand().rejects(denied);
      cloudWatch.onAnyCommand().rejects(denied);
      const r = await verify(['--outputs', outputsFile()]);
      expect(r.code).toBe(1);
      for (const check of ['probe', 'alarms', 'dashboard', 'backup']) {
        expect(line(r.out, check)).toContain('✘');
        expect(line(r.out, check)).toContain('CredentialsProviderError: Could not load credentials from any providers');
      }
      expect(r.out).toContain('4 of 4 checks failed.');
    });
  });

  describe('--drill', () => {
    test('starts a drill with a deterministic name and polls it until it succeeds', async () => {
      sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:drill-1` });
      sfn
        .on(DescribeExecutionCommand)
        .resolvesOnce({ status: 'RUNNING' })
        .resolvesOnce({ status: 'RUNNING' })
        .resolves({
          status: 'SUCCEEDED',
          startDate: new Date('2026-12-01T09:30:15Z'),
          stopDate: new Date('2026-12-01T09:52:15Z'),
        });
      const r = await verify(['--outputs', outputsFile(), '--drill']);
      expect(r.code).toBe(0);
      expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
        stateMachineArn: ARN,
        name: 'drill-20261201T0930Z-verify',
        input: '{"mode":"drill"}',
      });
      expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
      expect(line(r.out, 'drill')).toBe('  ✔ drill      drill-20261201T0930Z-verify succeeded in 1320 s');
      expect(r.out).toContain('all 5 checks passed.');
    });

    test('a failed drill reports its error and cause', async () => {
      sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:d` });
      sfn
        .on(DescribeExecutionCommand)
        .resolves({ status: 'FAILED', error: 'RecoveryRefused', cause: 'expected data loss exceeds the RPO' });
      const r = await verify(['--outputs', outputsFile(), '--drill']);
      expect(r.code).toBe(1);
      expect(line(r.out, 'drill')).toBe(
        `  ✘ drill      drill-20261201T0930Z-verify FAILED: RecoveryRefused (expected data loss exceeds the RPO); see ${ARN}:d`,
      );
    });

    test('a drill still running at the timeout is left running and reported', async () => {
      sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:d` });
      sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
      const r = await verify(['--outputs', outputsFile(), '--drill', '--drill-timeout', '2']);
      expect(r.code).toBe(1);
      expect(line(r.out, 'drill')).toBe(
        `  ✘ drill      drill-20261201T0930Z-verify still running after 2 min (left running; follow it at ${ARN}:d)`,
      );
      // Polled every 30 s for 2 minutes: the first look, then one per poll.
      expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(5);
    });

    test('a drill of the same name this minute is refused by Step Functions', async () => {
      sfn
        .on(StartExecutionCommand)
        .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
      const r = await verify(['--outputs', outputsFile(), '--drill']);
      expect(line(r.out, 'drill')).toBe('  ✘ drill      ExecutionAlreadyExists: Execution Already Exists');
    });
  });

  describe('usage errors exit 2 before anything is called', () => {
    const cases: [string, () => string[], RegExp][] = [
      ['no --outputs', () => [], /--outputs <cdk outputs file> is required/],
      [
        'a missing file',
        () => ['--outputs', path.join(tmp, 'none.json')],
        /none\.json does not exist; write it with `cdk deploy --outputs-file/,
      ],
      ['not JSON', () => ['--outputs', outputsFile('{')], /cannot be read as JSON/],
      ['not an outputs file', () => ['--outputs', outputsFile('[1]')], /is not a cdk outputs file/],
      [
        'several stacks',
        () => ['--outputs', outputsFile({ A: {}, B: {} })],
        /several stacks \(A, B\): pass --stack <name>/,
      ],
      [
        'an unknown stack',
        () => ['--outputs', outputsFile(), '--stack', 'Other'],
        /--stack "Other" is not in .*; it has: McpOps/,
      ],
      ['a bad region', () => ['--outputs', outputsFile(), '--region', 'Ireland'], /--region must be a region name/],
      [
        'a bad timeout',
        () => ['--outputs', outputsFile(), '--drill', '--drill-timeout', 'soon'],
        /--drill-timeout must be a whole number of minutes/,
      ],
      [
        'a timeout without a drill',
        () => ['--outputs', outputsFile(), '--drill-timeout', '5'],
        /--drill-timeout needs --drill/,
      ],
      ['an unknown flag', () => ['--outputs', outputsFile(), '--fast'], /Unknown option '--fast'/],
    ];
    test.each(cases)('%s', async (_name, args, message) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['verify', ...args()], { out: (t) => out.push(t), err: (t) => err.push(t), env: {} });
      expect(code).toBe(2);
      expect(err.join('')).toMatch(message);
      expect(lambda.calls()).toHaveLength(0);
    });

    test('no region in the outputs or the environment', async () => {
      const { RestoreStateMachineArn: _a, ...rest } = OUTPUTS.McpOps;
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['verify', '--outputs', outputsFile({ McpOps: rest })], {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        env: {},
      });
      expect(code).toBe(2);
      expect(err.join('')).toContain('no region: pass --region, or set AWS_REGION');
    });
  });
});
