import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { CliIo } from '../../cli/command';
import { drCommand } from '../../cli/dr';
import { currentState, pendingApproval } from '../../cli/dr/history';
import { main } from '../../cli/main';
import { DR_OPERATOR_ACTIONS } from '../../lib/dr/operator-actions';
import { drFixture } from '../dr/fixture';
import { definitionFromTemplate } from '../dr/local-sfn';

const sfn = mockClient(SFNClient);
const SM = 'arn:aws:states:eu-central-1:111111111111:stateMachine:mcp-disaster-recovery';
const EXEC = (name: string) => `arn:aws:states:eu-central-1:111111111111:execution:mcp-disaster-recovery:${name}`;
const NOW = new Date('2026-12-01T12:00:30Z');
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAb0Vv9u0example-token';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mcp-ops-dr-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const regions: string[] = [];
const sent: string[] = [];

async function dr(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => (out += t), err: (t) => (err += t), env: {} };
  const command = drCommand({
    sfn: (region) => {
      regions.push(region);
      return new SFNClient({ region, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    },
    now: () => NOW,
  });
  // Through main, so usage errors become exit 2 as for the real binary.
  const code = await main(['dr', ...args], io, { dr: command });
  return { code, out, err };
}

/** The history of an execution waiting in `Request cut-over approval`, newest first. */
function waitingHistory(message: unknown = approvalMessage()): HistoryEvent[] {
  const scheduledAt = new Date('2026-12-01T11:50:00Z');
  return [
    { id: 42, type: 'TaskStarted', timestamp: scheduledAt, previousEventId: 41 },
    {
      id: 41,
      type: 'TaskScheduled',
      timestamp: scheduledAt,
      previousEventId: 40,
      taskScheduledEventDetails: {
        resourceType: 'sns',
        resource: 'publish.waitForTaskToken',
        region: 'eu-central-1',
        timeoutInSeconds: 900,
        parameters: JSON.stringify({ TopicArn: 'arn:aws:sns:eu-central-1:111111111111:alarms', Message: message }),
      },
    },
    {
      id: 40,
      type: 'TaskStateEntered',
      timestamp: scheduledAt,
      stateEnteredEventDetails: { name: 'Request cut-over approval' },
    },
    {
      id: 39,
      type: 'TaskStateExited',
      timestamp: scheduledAt,
      stateExitedEventDetails: { name: 'Evaluate readiness' },
    },
  ];
}

function approvalMessage(): Record<string, unknown> {
  return {
    kind: 'approval-request',
    service: 'mcp',
    execution: 'recover-20261201T1130Z-INC7',
    taskToken: TOKEN,
    recoveryPoint: { method: 'pitr', consistencyTime: '2026-12-01T11:30:00Z', dataLossSeconds: 0 },
    restored: { database: { host: 'mcp-dr-abc.rds.local', port: 5432 } },
  };
}

function running(name: string): void {
  sfn.on(DescribeExecutionCommand, { executionArn: EXEC(name) }).resolves({
    executionArn: EXEC(name),
    name,
    status: 'RUNNING',
    startDate: new Date('2026-12-01T11:31:00Z'),
    stateMachineArn: SM,
  } as never);
}

beforeEach(() => {
  sfn.reset();
  regions.length = 0;
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
});
afterEach(() => {
  for (const c of sfn.calls()) sent.push(`states:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`);
});

describe('mcp-ops dr drill', () => {
  test('starts drill-<now>-manual in the state machine Region, input checked by the workflow parser', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXEC('drill-20261201T1200Z-manual'), startDate: NOW });
    const r = await dr('drill', '--state-machine', SM);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: SM,
      name: 'drill-20261201T1200Z-manual',
      input: '{"mode":"drill"}',
    });
    expect(regions).toEqual(['eu-central-1']);
    expect(r.out).toContain('started: drill-20261201T1200Z-manual (eu-central-1');
    expect(r.out).toContain(`mcp-ops dr status --execution drill-20261201T1200Z-manual --state-machine ${SM}`);
  });

  test('a second start in the same minute is the same execution, and says so', async () => {
    sfn.on(StartExecutionCommand).resolves({
      executionArn: EXEC('drill-20261201T1200Z-gameday'),
      startDate: new Date('2026-12-01T11:58:00Z'),
    });
    const r = await dr('drill', '--state-machine', SM, '--name', 'gameday', '--no-cache', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      execution: 'drill-20261201T1200Z-gameday',
      alreadyRunning: true,
      input: { mode: 'drill', options: { restoreCache: false } },
    });
  });

  test('bad flags are usage errors (exit 2) and start nothing', async () => {
    for (const args of [
      ['drill'],
      ['drill', '--state-machine', 'arn:aws:states:eu-central-1:111111111111:activity:x'],
      ['drill', '--state-machine', SM, '--name', 'has space'],
      ['drill', '--state-machine', SM, '--target', 'yesterday'],
      ['drill', '--state-machine', SM, '--target', 'now'],
      ['drill', '--state-machine', SM, '--bogus'],
      ['drill', '--state-machine', SM, '--outputs', 'x.json'],
      ['nonsense', '--state-machine', SM],
    ]) {
      const r = await dr(...args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).toMatch(/^mcp-ops dr: /);
    }
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('mcp-ops dr recover', () => {
  test('recover-<target>-<incident> with the options; one recovery at a time', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXEC('recover-20261201T1130Z-INC7'), startDate: NOW });
    const r = await dr(
      'recover',
      '--state-machine',
      SM,
      '--target',
      '2026-12-01T11:30:00Z',
      '--incident',
      'INC7',
      '--accept-data-loss',
    );
    expect(r.code).toBe(0);
    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.name).toBe('recover-20261201T1130Z-INC7');
    expect(JSON.parse(call.input!)).toEqual({
      mode: 'recover',
      targetTime: '2026-12-01T11:30:00.000Z',
      options: { acceptDataLoss: true },
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toEqual({
      stateMachineArn: SM,
      statusFilter: 'RUNNING',
      maxResults: 100,
    });
    expect(r.out).toContain('mcp-ops dr approve --execution recover-20261201T1130Z-INC7');
  });

  test('--target now is taken to the minute (a repeat in that minute is the same execution)', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXEC('recover-20261201T1200Z'), startDate: NOW });
    expect((await dr('recover', '--state-machine', SM, '--target', 'now')).code).toBe(0);
    const call = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(call.name).toBe('recover-20261201T1200Z');
    expect(JSON.parse(call.input!).targetTime).toBe('2026-12-01T12:00:00.000Z');
  });

  test('refused while another recovery runs', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: 'recover-20261201T1100Z-INC6',
          status: 'RUNNING',
          startDate: new Date('2026-12-01T11:05:00Z'),
          executionArn: EXEC('recover-20261201T1100Z-INC6'),
          stateMachineArn: SM,
        },
      ],
    });
    const r = await dr('recover', '--state-machine', SM, '--target', '2026-12-01T11:30:00Z');
    expect(r.code).toBe(1);
    expect(r.err).toContain('recovery recover-20261201T1100Z-INC6 is already running');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('missing, malformed or future target: exit 2 with the reason', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--target <time\|now> is required/],
      [['--target', '2026-12-01 11:30'], /--target must be an ISO 8601 time with a zone/],
      [['--target', '2026-12-01T13:30:00Z'], /targetTime 2026-12-01T13:30:00.000Z is in the future/],
      [['--target', 'now', '--incident', 'INC/7'], /--incident must be 1-40 of/],
    ];
    for (const [args, message] of cases) {
      const r = await dr('recover', '--state-machine', SM, ...args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a name already used with another input is explained', async () => {
    const e = new Error('Execution Already Exists: recover-20261201T1130Z');
    e.name = 'ExecutionAlreadyExists';
    sfn.on(StartExecutionCommand).rejects(e);
    const r = await dr('recover', '--state-machine', SM, '--target', '2026-12-01T11:30:00Z');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/already exists with another input, or has ended.*--name\/--incident/);
  });
});

describe('mcp-ops dr approve / reject', () => {
  test('approve reads the token from the execution history and sends SendTaskSuccess', async () => {
    running('recover-20261201T1130Z-INC7');
    sfn.on(GetExecutionHistoryCommand).resolves({ events: waitingHistory() });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const r = await dr(
      'approve',
      '--state-machine',
      SM,
      '--execution',
      'recover-20261201T1130Z-INC7',
      '--comment',
      'go',
    );
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0].args[0].input).toMatchObject({
      executionArn: EXEC('recover-20261201T1130Z-INC7'),
      reverseOrder: true,
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input).toEqual({
      taskToken: TOKEN,
      output: '{"approved":true,"comment":"go"}',
    });
    expect(r.out).toContain('approved: Request cut-over approval of recover-20261201T1130Z-INC7');
  });

  test('reject sends SendTaskFailure ApprovalRejected with the cause; by execution ARN', async () => {
    running('recover-20261201T1130Z-INC7');
    sfn.on(GetExecutionHistoryCommand).resolves({ events: waitingHistory(JSON.stringify(approvalMessage())) });
    sfn.on(SendTaskFailureCommand).resolves({});
    const r = await dr(
      'reject',
      '--state-machine',
      SM,
      '--execution',
      EXEC('recover-20261201T1130Z-INC7'),
      '--cause',
      'wrong target',
    );
    expect(r.code).toBe(0);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0].args[0].input).toEqual({
      taskToken: TOKEN,
      error: 'ApprovalRejected',
      cause: 'wrong target',
    });
  });

  test('--token from the message works without the history', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    expect((await dr('approve', '--state-machine', SM, '--token', TOKEN)).code).toBe(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0].args[0].input.taskToken).toBe(TOKEN);
  });

  test('not waiting for an approval: exit 1, names the state, sends nothing', async () => {
    running('recover-20261201T1130Z-INC7');
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 12, type: 'WaitStateEntered', timestamp: NOW, stateEnteredEventDetails: { name: 'Wait for database' } },
        { id: 11, type: 'TaskStateExited', timestamp: NOW, stateExitedEventDetails: { name: 'Check database' } },
      ],
    });
    const r = await dr('approve', '--state-machine', SM, '--execution', 'recover-20261201T1130Z-INC7');
    expect(r.code).toBe(1);
    expect(r.err).toContain('is not waiting for an approval (it is in "Wait for database")');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  test('finished or missing execution: exit 1 with what to do', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: EXEC('drill-20261201T0300Z') }).resolves({
      status: 'SUCCEEDED',
      startDate: NOW,
    } as never);
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXEC('recover-nope') })
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const done = await dr('approve', '--state-machine', SM, '--execution', 'drill-20261201T0300Z');
    expect(done.code).toBe(1);
    expect(done.err).toContain('execution drill-20261201T0300Z is SUCCEEDED: there is nothing to approve');
    const missing = await dr('reject', '--state-machine', SM, '--execution', 'recover-nope', '--cause', 'x');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no execution recover-nope of mcp-disaster-recovery in eu-central-1');
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  test('an approval that timed out meanwhile: exit 1, explained', async () => {
    running('recover-20261201T1130Z-INC7');
    sfn.on(GetExecutionHistoryCommand).resolves({ events: waitingHistory() });
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const r = await dr('approve', '--state-machine', SM, '--execution', 'recover-20261201T1130Z-INC7');
    expect(r.code).toBe(1);
    expect(r.err).toContain('the approval request is no longer open (TaskTimedOut');
  });

  test('usage: exactly one of --execution/--token; reject needs --cause; execution of another state machine', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['approve'], /one of them/],
      [['approve', '--execution', 'a', '--token', 'b'], /one of them/],
      [['reject', '--execution', 'recover-x'], /--cause "<why>" is required/],
      [['approve', '--execution', 'bad name!'], /--execution must be an execution name/],
      [
        ['approve', '--execution', 'arn:aws:states:eu-central-1:111111111111:execution:other-machine:recover-x'],
        /is not an execution of/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await dr(...args, '--state-machine', SM);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('mcp-ops dr status', () => {
  test('one execution waiting for approval: state, the request (without the token), the commands', async () => {
    running('recover-20261201T1130Z-INC7');
    sfn.on(GetExecutionHistoryCommand).resolves({ events: waitingHistory() });
    const r = await dr('status', '--state-machine', SM, '--execution', 'recover-20261201T1130Z-INC7');
    expect(r.code).toBe(0);
    expect(r.out).toContain('recover-20261201T1130Z-INC7: RUNNING (eu-central-1)');
    expect(r.out).toContain('started   2026-12-01T11:31:00.000Z (29 min 30 s so far)');
    expect(r.out).toContain('state     Request cut-over approval');
    expect(r.out).toContain('counts as rejected at 2026-12-01T12:05:00.000Z');
    expect(r.out).toContain('recoveryPoint: {"method":"pitr"');
    expect(r.out).toContain(`mcp-ops dr approve --execution recover-20261201T1130Z-INC7 --state-machine ${SM}`);
    expect(r.out).not.toContain(TOKEN);
  });

  test('a failed execution: its error, exit 1; --json', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      startDate: new Date('2026-12-01T03:00:00Z'),
      stopDate: new Date('2026-12-01T03:01:00Z'),
      error: 'RpoExceeded',
      cause: 'data loss 7200 s exceeds the RPO 3600 s',
    } as never);
    const r = await dr('status', '--state-machine', SM, '--execution', 'drill-20261201T0300Z', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      execution: 'drill-20261201T0300Z',
      status: 'FAILED',
      elapsedSeconds: 60,
      error: 'RpoExceeded',
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  test('without --execution: the newest executions, from the outputs file (--stack picks the recovery stack)', async () => {
    const file = path.join(tmp, 'outputs.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        McpOps: { RestoreStateMachineArn: SM.replace('eu-central-1', 'eu-west-1') },
        'McpOps-recovery': { RestoreStateMachineArn: SM },
      }),
    );
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: 'drill-20261130T0300Z',
          status: 'SUCCEEDED',
          startDate: new Date('2026-11-30T03:00:00Z'),
          stopDate: new Date('2026-11-30T03:17:00Z'),
          executionArn: EXEC('drill-20261130T0300Z'),
          stateMachineArn: SM,
        },
      ],
    });
    const r = await dr('status', '--outputs', file, '--stack', 'McpOps-recovery');
    expect(r.code).toBe(0);
    expect(regions).toEqual(['eu-central-1']);
    expect(r.out).toContain('drill-20261130T0300Z  SUCCEEDED  2026-11-30T03:00:00.000Z → 2026-11-30T03:17:00.000Z');
    const several = await dr('status', '--outputs', file);
    expect(several.code).toBe(2);
    expect(several.err).toContain('several stacks (McpOps, McpOps-recovery): pass --stack <name>');
    fs.writeFileSync(file, JSON.stringify({ McpOps: { AlarmTopicArn: 'x' } }));
    const none = await dr('status', '--outputs', file);
    expect(none.code).toBe(2);
    expect(none.err).toContain('have no RestoreStateMachineArn');
  });
});

describe('the CLI and the workflow agree', () => {
  test('every call the CLI made in these tests is an action of McpDrOperatorPolicy', () => {
    expect(sent.length).toBeGreaterThan(10);
    expect([...new Set(sent)].filter((a) => !DR_OPERATOR_ACTIONS.includes(a))).toEqual([]);
  });

  test('the synthesized approval states publish what pendingApproval reads', () => {
    const definition = definitionFromTemplate(Template.fromStack(drFixture().stack)) as {
      States: Record<string, Record<string, unknown>>;
    };
    const approvals = Object.entries(definition.States).filter(
      ([, s]) => s.Resource === 'arn:aws:states:::sns:publish.waitForTaskToken',
    );
    expect(approvals.map(([name]) => name)).toEqual(['Request cut-over approval']);
    const message = (approvals[0][1].Parameters as { Message: Record<string, unknown> }).Message;
    expect(message).toMatchObject({ kind: 'approval-request', 'taskToken.$': '$$.Task.Token' });
    expect(message['approve.$']).toBe(
      "States.Format('mcp-ops dr approve --execution {} --state-machine {}', $$.Execution.Name, $$.StateMachine.Id)",
    );
  });

  test('history: an answered or timed-out approval is not pending; the current state is the newest entered', () => {
    const closed: HistoryEvent[] = [{ id: 43, type: 'TaskSucceeded', timestamp: NOW }, ...waitingHistory()];
    expect(pendingApproval(closed)).toBeUndefined();
    expect(pendingApproval([{ id: 43, type: 'TaskTimedOut', timestamp: NOW }, ...waitingHistory()])).toBeUndefined();
    expect(pendingApproval(waitingHistory({ ...approvalMessage(), kind: 'recovered' }))).toBeUndefined();
    expect(pendingApproval(waitingHistory('not json'))).toBeUndefined();
    expect(pendingApproval(waitingHistory())).toMatchObject({ state: 'Request cut-over approval', taskToken: TOKEN });
    expect(currentState(waitingHistory())).toEqual({ name: 'Request cut-over approval', entered: true });
    expect(currentState([])).toBeUndefined();
  });
});
