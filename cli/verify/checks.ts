/**
 * The day-one checks of a deployed stack, each against the real AWS APIs an operator would use:
 * - probe: invoke the synthetic MCP probe (Lambda Invoke, RequestResponse) and require a passing result;
 * - alarms: every alarm of the stack exists (CloudWatch DescribeAlarms) and none is in ALARM;
 * - dashboard: the dashboard exists and has widgets (CloudWatch GetDashboard);
 * - backup: invoke the backup Lambda for the current slot and find its committed manifest in the bucket
 *   (S3 HeadObject, then ListObjectsV2 of manifests/);
 * - drill (optional): start a disaster-recovery drill (Step Functions StartExecution) and poll it
 *   (DescribeExecution) until it ends.
 * A check never throws: an API error is a failed check with the error's name and message.
 *
 * Lambda reports an error raised by the function in `FunctionError` with the error in the payload
 * (the Invoke call itself succeeds): https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * DescribeAlarms takes at most 100 names per call: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  type MetricAlarm,
  type CompositeAlarm,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { StackOutputs } from './outputs';

export interface CheckResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
  readonly detail: string;
}

export interface VerifyClients {
  readonly lambda: LambdaClient;
  readonly cloudWatch: CloudWatchClient;
  readonly s3: S3Client;
  readonly sfn: SFNClient;
}

export interface VerifyOptions {
  readonly drill: boolean;
  /** How long to wait for the drill, in seconds. */
  readonly drillTimeoutSeconds: number;
  /** Between two DescribeExecution calls, in seconds. */
  readonly pollSeconds: number;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
const fail = (name: string, detail: string): CheckResult => ({ name, status: 'fail', detail });

/** Runs every check in order (each one whatever the previous gave) and returns their results. */
export async function runChecks(
  outputs: StackOutputs,
  clients: VerifyClients,
  options: VerifyOptions,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  results.push(await guarded('probe', () => checkProbe(outputs, clients)));
  results.push(await guarded('alarms', () => checkAlarms(outputs, clients)));
  results.push(await guarded('dashboard', () => checkDashboard(outputs, clients)));
  results.push(await guarded('backup', () => checkBackup(outputs, clients)));
  results.push(
    options.drill
      ? await guarded('drill', () => checkDrill(outputs, clients, options))
      : {
          name: 'drill',
          status: 'skip',
          detail: 'not run (pass --drill to restore beside production and verify; it takes up to the RTO)',
        },
  );
  return results;
}

async function guarded(name: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (e) {
    return fail(name, describeError(e));
  }
}

async function checkProbe(outputs: StackOutputs, clients: VerifyClients): Promise<CheckResult> {
  const fn = outputs.require('ProbeFunctionName');
  const r = await invoke(clients, fn, {});
  if (r.functionError) return fail('probe', `the probe function ${fn} failed: ${r.functionError}`);
  const result = r.payload as {
    success?: boolean;
    latencyMs?: number;
    stage?: string;
    errorType?: string;
    error?: string;
    errorCode?: number;
    serverName?: string;
    toolCount?: number;
    protocolVersion?: string;
  };
  if (typeof result?.success !== 'boolean')
    return fail('probe', `the probe function ${fn} returned no probe result: ${JSON.stringify(r.payload)}`);
  if (!result.success) {
    const code = result.errorCode !== undefined ? ` ${result.errorCode}` : '';
    return fail(
      'probe',
      `the MCP probe failed at ${result.stage ?? 'an unknown stage'}: ${result.errorType ?? 'error'}${code}${result.error ? `: ${result.error}` : ''}`,
    );
  }
  const facts = [
    result.serverName ? `server ${result.serverName}` : undefined,
    result.toolCount !== undefined ? `${result.toolCount} tool${result.toolCount === 1 ? '' : 's'}` : undefined,
    result.protocolVersion ? `protocol ${result.protocolVersion}` : undefined,
  ].filter(Boolean);
  return pass(
    'probe',
    `the MCP probe passed in ${Math.round(result.latencyMs ?? 0)} ms${facts.length ? ` (${facts.join(', ')})` : ''}`,
  );
}

async function checkAlarms(outputs: StackOutputs, clients: VerifyClients): Promise<CheckResult> {
  const names = outputs
    .require('AlarmNames')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!names.length) return fail('alarms', 'the stack exports no alarm names (AlarmNames is empty)');
  const found = new Map<string, MetricAlarm | CompositeAlarm>();
  for (let i = 0; i < names.length; i += 100) {
    let nextToken: string | undefined;
    do {
      const page = await clients.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(i, i + 100),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: nextToken,
        }),
      );
      for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])])
        if (a.AlarmName) found.set(a.AlarmName, a);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  const missing = names.filter((n) => !found.has(n));
  const alarming = names.filter((n) => found.get(n)?.StateValue === 'ALARM');
  const insufficient = names.filter((n) => found.get(n)?.StateValue === 'INSUFFICIENT_DATA');
  const problems: string[] = [];
  if (missing.length) problems.push(`${missing.length} missing: ${missing.join(', ')}`);
  if (alarming.length) {
    problems.push(
      `${alarming.length} in ALARM: ${alarming.map((n) => `${n} (${found.get(n)?.StateReason ?? 'no reason given'})`).join('; ')}`,
    );
  }
  const summary = `${found.size} of ${names.length} exist, ${names.length - missing.length - alarming.length - insufficient.length} OK, ${insufficient.length} with insufficient data (normal until metrics arrive)`;
  return problems.length ? fail('alarms', `${problems.join('; ')}; ${summary}`) : pass('alarms', summary);
}

async function checkDashboard(outputs: StackOutputs, clients: VerifyClients): Promise<CheckResult> {
  const name = outputs.require('DashboardName');
  const d = await clients.cloudWatch.send(new GetDashboardCommand({ DashboardName: name }));
  let widgets = 0;
  try {
    const body = JSON.parse(d.DashboardBody ?? '{}') as { widgets?: unknown[] };
    widgets = Array.isArray(body.widgets) ? body.widgets.length : 0;
  } catch {
    return fail('dashboard', `${name} exists but its body is not JSON`);
  }
  return widgets
    ? pass('dashboard', `${name} (${widgets} widgets)`)
    : fail('dashboard', `${name} exists but has no widgets`);
}

async function checkBackup(outputs: StackOutputs, clients: VerifyClients): Promise<CheckResult> {
  const fn = outputs.require('BackupFunctionName');
  const bucket = outputs.require('BackupBucketName');
  const r = await invoke(clients, fn, {});
  if (r.functionError) return fail('backup', `the backup run failed (${r.functionError}); no manifest was committed`);
  const result = r.payload as { status?: string; backupId?: string; manifestKey?: string };
  if (typeof result?.manifestKey !== 'string')
    return fail('backup', `the backup function returned no manifest key: ${JSON.stringify(r.payload)}`);
  let head;
  try {
    head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.manifestKey }));
  } catch (e) {
    if (errorName(e) === 'NotFound' || errorName(e) === 'NoSuchKey') {
      return fail(
        'backup',
        `the backup function reported ${result.manifestKey}, but s3://${bucket}/${result.manifestKey} does not exist`,
      );
    }
    throw e;
  }
  const listed = await clients.s3.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: 'manifests/', MaxKeys: 1000 }),
  );
  const count = listed.KeyCount ?? listed.Contents?.length ?? 0;
  const more = listed.IsTruncated ? ' or more' : '';
  const verb = result.status === 'exists' ? 'already committed for this slot' : 'committed';
  return pass(
    'backup',
    `backup ${result.backupId ?? ''} ${verb}: s3://${bucket}/${result.manifestKey} (${head.ContentLength ?? '?'} bytes); ${count}${more} manifest${count === 1 ? '' : 's'} in the bucket`,
  );
}

async function checkDrill(outputs: StackOutputs, clients: VerifyClients, options: VerifyOptions): Promise<CheckResult> {
  const stateMachineArn = outputs.require('RestoreStateMachineArn');
  // The workflow requires names that start with the mode; one per minute, so a retry within the minute is refused.
  const name = `drill-${options.now().toISOString().slice(0, 16).replace(/[-:]/g, '')}Z-verify`;
  const started = await clients.sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ mode: 'drill' }) }),
  );
  const executionArn = started.executionArn!;
  const deadline = options.now().getTime() + options.drillTimeoutSeconds * 1000;
  for (;;) {
    const d = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status === 'SUCCEEDED') {
      const seconds =
        d.startDate && d.stopDate ? Math.round((d.stopDate.getTime() - d.startDate.getTime()) / 1000) : undefined;
      return pass('drill', `${name} succeeded${seconds !== undefined ? ` in ${seconds} s` : ''}`);
    }
    if (d.status && d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
      return fail(
        'drill',
        `${name} ${d.status}${d.error ? `: ${d.error}` : ''}${d.cause ? ` (${d.cause})` : ''}; see ${executionArn}`,
      );
    }
    if (options.now().getTime() >= deadline) {
      return fail(
        'drill',
        `${name} still running after ${Math.round(options.drillTimeoutSeconds / 60)} min (left running; follow it at ${executionArn})`,
      );
    }
    await options.sleep(options.pollSeconds * 1000);
  }
}

async function invoke(
  clients: VerifyClients,
  functionName: string,
  event: unknown,
): Promise<{ payload: unknown; functionError?: string }> {
  const r = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(event)),
    }),
  );
  const text = r.Payload ? Buffer.from(r.Payload).toString('utf8') : '';
  let payload: unknown = text;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  if (r.FunctionError) {
    const p = payload as { errorType?: string; errorMessage?: string } | undefined;
    const message =
      p && typeof p === 'object'
        ? `${p.errorType ?? r.FunctionError}: ${p.errorMessage ?? ''}`.trim()
        : `${r.FunctionError}: ${text}`;
    return { payload, functionError: message };
  }
  return { payload };
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : '';
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
