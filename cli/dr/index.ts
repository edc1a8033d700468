/**
 * `mcp-ops dr drill|recover|approve|reject|status`: the disaster-recovery runbook (docs/runbooks/disaster-recovery.md)
 * as commands. It starts executions of the `McpDisasterRecovery` state machine under deterministic names, shows
 * where one is, and answers its approval request with the task token found in the execution's history. It calls
 * Step Functions only (StartExecution, ListExecutions, DescribeExecution, GetExecutionHistory, SendTaskSuccess,
 * SendTaskFailure): exactly what `McpDrOperatorPolicy` allows.
 */
import {
  DescribeExecutionCommand,
  DescribeExecutionCommandOutput,
  ExecutionListItem,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  checkExecutionName,
  executionName,
  InvalidRecoveryInput,
  parseRecoveryRequest,
} from '../../lib/dr/recovery-plan';
import { CliCommand, CliIo, UsageError } from '../command';
import { FlagSpec, Flags, parseFlags } from '../flags';
import { currentState, PendingApproval, pendingApproval } from './history';
import { executionArn, executionNameOf, resolveStateMachine, StateMachineRef } from './target';

const WHICH = `  --state-machine <arn>    the DR state machine (\`RestoreStateMachineArn\` output), or:
  --outputs <file>         what \`cdk deploy --outputs-file <file>\` wrote, with
  --stack <name>           the stack in it (default: the only one; <stack>-recovery for the recovery Region)
  --json                   print JSON instead of text`;

const HELP = `usage: mcp-ops dr <drill|recover|approve|reject|status> [options]

The disaster-recovery runbook (docs/runbooks/disaster-recovery.md). The Region is the state machine's.

  drill    [--name <suffix>] [--target <time>] [--no-cache]
           start a drill (restores beside production, verifies, deletes) as drill-<now>-<suffix>
  recover  --target <time|now> [--incident <id>] [--no-cache] [--accept-data-loss]
           start a recovery as recover-<target>-<id>; cut-over (or traffic) waits for your approval
  approve  --execution <name|arn> [--comment <text>] | --token <taskToken>
           approve the cut-over or traffic move the execution waits for
  reject   --execution <name|arn> --cause <why> | --token <taskToken> --cause <why>
           reject it (nothing is switched; the execution ends in Cut-over rejected)
  status   [--execution <name|arn>]
           one execution: status, current state, a pending approval; without --execution the 10 newest

${WHICH}

Times are ISO 8601 with a zone (2026-11-25T06:30:00Z). Exit codes: 0 done, 1 the operation failed (or, for
status, the execution failed, timed out or was aborted), 2 a usage error.
`;

/** Injectable parts, for tests. */
export interface DrDeps {
  readonly sfn?: (region: string) => SFNClient;
  readonly now?: () => Date;
}

export function drCommand(deps: DrDeps = {}): CliCommand {
  return {
    summary: 'disaster recovery: start a drill or a recovery, approve or reject its cut-over, show its status',
    run: (args, io) => run(args, io, deps),
  };
}

export const dr: CliCommand = drCommand();

const COMMON = {
  'state-machine': { type: 'string' },
  outputs: { type: 'string' },
  stack: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SPECS = {
  drill: { ...COMMON, name: { type: 'string' }, target: { type: 'string' }, 'no-cache': { type: 'boolean' } },
  recover: {
    ...COMMON,
    target: { type: 'string' },
    incident: { type: 'string' },
    'no-cache': { type: 'boolean' },
    'accept-data-loss': { type: 'boolean' },
  },
  approve: { ...COMMON, execution: { type: 'string' }, token: { type: 'string' }, comment: { type: 'string' } },
  reject: { ...COMMON, execution: { type: 'string' }, token: { type: 'string' }, cause: { type: 'string' } },
  status: { ...COMMON, execution: { type: 'string' } },
} as const satisfies Record<string, FlagSpec>;

type Sub = keyof typeof SPECS;

interface Context {
  readonly io: CliIo;
  readonly sm: StateMachineRef;
  readonly sfn: SFNClient;
  readonly now: Date;
  readonly json: boolean;
}

async function run(args: readonly string[], io: CliIo, deps: DrDeps): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (!Object.prototype.hasOwnProperty.call(SPECS, sub)) {
    throw new UsageError(
      `unknown subcommand ${JSON.stringify(sub)}; one of ${Object.keys(SPECS).join(', ')}\n\n${HELP}`,
    );
  }
  const name = sub as Sub;
  const flags = parseFlags(rest, SPECS[name], HELP);
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  const sm = resolveStateMachine(flags);
  const ctx: Context = {
    io,
    sm,
    sfn: (deps.sfn ?? ((region) => new SFNClient({ region })))(sm.region),
    now: (deps.now ?? (() => new Date()))(),
    json: flags.json === true,
  };
  try {
    switch (name) {
      case 'drill':
        return await drill(ctx, flags as Flags<typeof SPECS.drill>);
      case 'recover':
        return await recover(ctx, flags as Flags<typeof SPECS.recover>);
      case 'approve':
        return await answer(ctx, 'approve', flags as Flags<typeof SPECS.approve>);
      case 'reject':
        return await answer(ctx, 'reject', flags as Flags<typeof SPECS.reject>);
      case 'status':
        return await status(ctx, flags as Flags<typeof SPECS.status>);
    }
  } catch (e) {
    throw explained(e, ctx.sm);
  }
}

// ------------------------------------------------------------------ start

/** The workflow input for a start, checked with the workflow's own parser (so a bad one never starts). */
function startInput(
  mode: 'drill' | 'recover',
  target: Date | undefined,
  flags: { readonly 'no-cache'?: boolean; readonly 'accept-data-loss'?: boolean },
  now: Date,
): Record<string, unknown> {
  const options: Record<string, boolean> = {};
  if (flags['no-cache']) options.restoreCache = false;
  if (flags['accept-data-loss']) options.acceptDataLoss = true;
  const input: Record<string, unknown> = { mode };
  if (target) input.targetTime = target.toISOString();
  if (Object.keys(options).length) input.options = options;
  try {
    parseRecoveryRequest(input, now);
  } catch (e) {
    if (e instanceof InvalidRecoveryInput) throw new UsageError(e.message);
    throw e;
  }
  return input;
}

/** `--target`: an ISO 8601 time with a zone, or `now` (allowed only where `allowNow`), to the minute for `now`. */
function parseTarget(value: string | undefined, now: Date, allowNow: boolean): Date | undefined {
  if (value === undefined) return undefined;
  if (value === 'now' && allowNow) return new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
    ? new Date(value)
    : undefined;
  if (!t || Number.isNaN(t.getTime())) {
    throw new UsageError(
      `--target must be an ISO 8601 time with a zone, e.g. 2026-11-25T06:30:00Z${allowNow ? ', or now' : ''}; got ${JSON.stringify(value)}`,
    );
  }
  return t;
}

function suffix(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(value)) {
    throw new UsageError(
      `${flag} must be 1-40 of A-Z a-z 0-9 - _ (it ends the execution name), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

async function drill(ctx: Context, flags: Flags<typeof SPECS.drill>): Promise<number> {
  const target = parseTarget(flags.target, ctx.now, false);
  const name = executionName('drill', ctx.now, suffix('--name', flags.name) ?? 'manual');
  return start(ctx, name, startInput('drill', target, flags, ctx.now));
}

async function recover(ctx: Context, flags: Flags<typeof SPECS.recover>): Promise<number> {
  if (flags.target === undefined) {
    throw new UsageError(
      '--target <time|now> is required: the last moment the data was good (it also names the execution, so a repeated start is refused)',
    );
  }
  const target = parseTarget(flags.target, ctx.now, true)!;
  const input = startInput('recover', target, flags, ctx.now);
  const name = executionName('recover', target, suffix('--incident', flags.incident));
  checkExecutionName(name, 'recover');
  // One recovery at a time: a second one (another target, another incident id) would cut over twice.
  const running = await listExecutions(ctx, 'RUNNING', 100);
  const other = running.find((e) => e.name?.startsWith('recover-') && e.name !== name);
  if (other) {
    throw new Error(
      `recovery ${other.name} is already running (started ${iso(other.startDate)}): follow it with \`mcp-ops dr status --execution ${other.name}\`, or stop it before starting another`,
    );
  }
  return start(ctx, name, input);
}

async function start(ctx: Context, name: string, input: Record<string, unknown>): Promise<number> {
  const started = await ctx.sfn.send(
    new StartExecutionCommand({ stateMachineArn: ctx.sm.arn, name, input: JSON.stringify(input) }),
  );
  const arn = started.executionArn ?? executionArn(ctx.sm, name);
  // StartExecution with the name and input of an open execution succeeds without starting another
  // (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html): say so.
  const startedAt = started.startDate;
  const already = startedAt !== undefined && ctx.now.getTime() - startedAt.getTime() > 60_000;
  if (ctx.json) {
    ctx.io.out(
      `${JSON.stringify({ execution: name, executionArn: arn, startDate: iso(startedAt), input, alreadyRunning: already })}\n`,
    );
    return 0;
  }
  const which = flagsFor(ctx.sm);
  ctx.io.out(
    [
      `${already ? 'already running' : 'started'}: ${name} (${ctx.sm.region}, since ${iso(startedAt)})`,
      `  input: ${JSON.stringify(input)}`,
      `  follow it: mcp-ops dr status --execution ${name} ${which}`,
      ...(input.mode === 'recover'
        ? [
            `  when it asks (alert topic): mcp-ops dr approve --execution ${name} ${which}   (or reject --cause "<why>")`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

// ------------------------------------------------------------------ approve / reject

async function answer(
  ctx: Context,
  verdict: 'approve' | 'reject',
  flags: { readonly execution?: string; readonly token?: string; readonly comment?: string; readonly cause?: string },
): Promise<number> {
  if ((flags.execution === undefined) === (flags.token === undefined)) {
    throw new UsageError(
      'give --execution <name|arn> (the token is read from its history) or --token <taskToken>, one of them',
    );
  }
  if (verdict === 'reject' && flags.cause === undefined) throw new UsageError('--cause "<why>" is required to reject');
  if (flags.cause !== undefined && flags.cause.length > 32768)
    throw new UsageError('--cause must be at most 32768 characters');
  if (flags.comment !== undefined && flags.comment.length > 4096)
    throw new UsageError('--comment must be at most 4096 characters');
  if (flags.token !== undefined && flags.token.length > 2048)
    throw new UsageError('--token must be at most 2048 characters');

  let pending: PendingApproval | undefined;
  let name: string | undefined;
  let taskToken = flags.token;
  if (flags.execution !== undefined) {
    const arn = executionArn(ctx.sm, flags.execution);
    name = executionNameOf(arn);
    const execution = await describe(ctx, arn);
    if (execution.status !== 'RUNNING') {
      throw new Error(`execution ${name} is ${execution.status}: there is nothing to ${verdict}`);
    }
    const events = await newestEvents(ctx, arn);
    pending = pendingApproval(events);
    if (!pending) {
      const state = currentState(events);
      throw new Error(
        `execution ${name} is not waiting for an approval (it is in ${state ? JSON.stringify(state.name) : 'no state yet'}); ` +
          `\`mcp-ops dr status --execution ${name}\` shows where it is`,
      );
    }
    taskToken = pending.taskToken;
  }
  try {
    if (verdict === 'approve') {
      const output = flags.comment !== undefined ? { approved: true, comment: flags.comment } : { approved: true };
      await ctx.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } else {
      await ctx.sfn.send(new SendTaskFailureCommand({ taskToken, error: 'ApprovalRejected', cause: flags.cause }));
    }
  } catch (e) {
    const code = (e as { name?: string }).name;
    if (code === 'TaskTimedOut' || code === 'TaskDoesNotExist' || code === 'InvalidToken') {
      throw new Error(
        `the approval request is no longer open (${code}: it timed out, was already answered, or the token is not one of ${ctx.sm.name}'s)`,
      );
    }
    throw e;
  }
  const what = verdict === 'approve' ? 'approved' : 'rejected';
  if (ctx.json) {
    ctx.io.out(`${JSON.stringify({ verdict: what, execution: name, state: pending?.state })}\n`);
  } else {
    const where = pending ? `${pending.state} of ${name}` : 'the approval request of that token';
    const next =
      verdict === 'approve'
        ? 'the execution goes on (cut-over or traffic move, then the probe)'
        : 'the execution ends without switching anything (the restored resources are kept)';
    ctx.io.out(`${what}: ${where}; ${next}.\n`);
  }
  return 0;
}

// ------------------------------------------------------------------ status

async function status(ctx: Context, flags: Flags<typeof SPECS.status>): Promise<number> {
  if (flags.execution === undefined) {
    const list = await listExecutions(ctx, undefined, 10);
    if (ctx.json) {
      ctx.io.out(
        `${JSON.stringify(list.map((e) => ({ execution: e.name, status: e.status, startDate: iso(e.startDate), stopDate: iso(e.stopDate) })))}\n`,
      );
    } else if (list.length === 0) {
      ctx.io.out(`no executions of ${ctx.sm.name} in ${ctx.sm.region}\n`);
    } else {
      const width = Math.max(...list.map((e) => (e.name ?? '').length));
      ctx.io.out(
        [
          `executions of ${ctx.sm.name} in ${ctx.sm.region}, newest first:`,
          ...list.map(
            (e) =>
              `  ${(e.name ?? '').padEnd(width)}  ${(e.status ?? '').padEnd(9)}  ${iso(e.startDate)}${e.stopDate ? ` → ${iso(e.stopDate)}` : ''}`,
          ),
          '',
        ].join('\n'),
      );
    }
    return 0;
  }
  const arn = executionArn(ctx.sm, flags.execution);
  const name = executionNameOf(arn);
  const execution = await describe(ctx, arn);
  const running = execution.status === 'RUNNING';
  const events = running ? await newestEvents(ctx, arn) : [];
  const state = running ? currentState(events) : undefined;
  const pending = running ? pendingApproval(events) : undefined;
  const start = execution.startDate;
  const end = execution.stopDate ?? ctx.now;
  const elapsed = start ? Math.max(0, Math.round((end.getTime() - start.getTime()) / 1000)) : undefined;
  const failed = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status ?? '');
  if (ctx.json) {
    ctx.io.out(
      `${JSON.stringify({
        execution: name,
        executionArn: arn,
        status: execution.status,
        startDate: iso(start),
        stopDate: iso(execution.stopDate),
        elapsedSeconds: elapsed,
        state: state?.name,
        error: execution.error,
        cause: execution.cause,
        approval: pending
          ? {
              state: pending.state,
              since: iso(pending.since),
              timesOutAt: iso(pending.timesOutAt),
              request: withoutToken(pending.request),
            }
          : undefined,
      })}\n`,
    );
    return failed ? 1 : 0;
  }
  const which = flagsFor(ctx.sm);
  const lines = [
    `${name}: ${execution.status} (${ctx.sm.region})`,
    `  started   ${iso(start)}${elapsed !== undefined ? ` (${minutes(elapsed)}${running ? ' so far' : ''})` : ''}`,
  ];
  if (execution.stopDate) lines.push(`  stopped   ${iso(execution.stopDate)}`);
  if (state) lines.push(`  state     ${state.name}${state.entered ? '' : ' (left)'}`);
  if (execution.error)
    lines.push(`  error     ${execution.error}${execution.cause ? `: ${oneLine(execution.cause)}` : ''}`);
  if (pending) {
    lines.push(
      `  approval  ${pending.state}: waiting since ${iso(pending.since)}${pending.timesOutAt ? `, counts as rejected at ${iso(pending.timesOutAt)}` : ''}`,
    );
    for (const key of ['recoveryPoint', 'restored', 'verification', 'activation', 'probe']) {
      if (pending.request[key] !== undefined) lines.push(`    ${key}: ${JSON.stringify(pending.request[key])}`);
    }
    lines.push(
      `  approve:  mcp-ops dr approve --execution ${name} ${which}`,
      `  reject:   mcp-ops dr reject --execution ${name} --cause "<why>" ${which}`,
    );
  }
  lines.push('');
  ctx.io.out(lines.join('\n'));
  return failed ? 1 : 0;
}

// ------------------------------------------------------------------ calls

async function describe(ctx: Context, arn: string): Promise<DescribeExecutionCommandOutput> {
  try {
    return await ctx.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (e) {
    if ((e as { name?: string }).name === 'ExecutionDoesNotExist') {
      throw new Error(
        `no execution ${executionNameOf(arn)} of ${ctx.sm.name} in ${ctx.sm.region} (\`mcp-ops dr status\` lists the newest)`,
      );
    }
    throw e;
  }
}

/** The newest events of an execution (enough for the current state and an open approval). */
async function newestEvents(ctx: Context, arn: string) {
  const page = await ctx.sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: arn,
      reverseOrder: true,
      maxResults: 50,
      includeExecutionData: true,
    }),
  );
  return page.events ?? [];
}

async function listExecutions(
  ctx: Context,
  statusFilter: 'RUNNING' | undefined,
  max: number,
): Promise<ExecutionListItem[]> {
  const page = await ctx.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: ctx.sm.arn, statusFilter, maxResults: max }),
  );
  return page.executions ?? [];
}

/** AWS errors an operator can act on, in words; the rest as they are. */
function explained(e: unknown, sm: StateMachineRef): unknown {
  const code = (e as { name?: string }).name;
  if (code === 'StateMachineDoesNotExist') {
    return new Error(`state machine ${sm.arn} does not exist (deployed in ${sm.region}? right account?)`);
  }
  if (code === 'ExecutionAlreadyExists') {
    return new Error(
      `an execution with this name already exists with another input, or has ended (names are unique for 90 days): ${(e as Error).message}; ` +
        '`mcp-ops dr status` lists them; start under another --name/--incident',
    );
  }
  if (code === 'AccessDeniedException') {
    return new Error(
      `access denied (${(e as Error).message}): attach the DR operator policy (McpDrOperatorPolicy) to your role`,
    );
  }
  return e;
}

function withoutToken(request: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(request).filter(([k]) => k !== 'taskToken'));
}

function flagsFor(sm: StateMachineRef): string {
  return `--state-machine ${sm.arn}`;
}

function iso(d: Date | undefined): string | undefined {
  return d?.toISOString();
}

function minutes(seconds: number): string {
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
