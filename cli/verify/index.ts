/**
 * `mcp-ops verify --outputs <cdk outputs file> [--stack <name>] [--drill]`: checks a deployed stack as an
 * operator would on day one (see checks.ts) and exits 1 with a readable report when any check fails.
 * It is the first check that sees a real account: every other test of this project runs without one.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CliCommand, CliIo, UsageError } from '../command';
import { Flags, parseFlags } from '../flags';
import { CheckResult, VerifyClients, runChecks } from './checks';
import { readOutputs, regionOf } from './outputs';

const HELP = `usage: mcp-ops verify --outputs <cdk outputs file> [--stack <name>] [--region <region>]
                      [--drill [--drill-timeout <minutes>]]

Checks a deployed mcp-ops stack with the AWS credentials of the environment: the synthetic probe runs
and passes, every alarm exists and none is in ALARM, the dashboard exists, a backup run commits its
manifest, and (with --drill) a disaster-recovery drill completes. Exits 1 when a check fails.

  --outputs <file>         what \`cdk deploy --outputs-file <file>\` wrote
  --stack <name>           the stack in that file (default: the only one)
  --region <region>        default: the region in the stack's ARNs, else AWS_REGION
  --drill                  also run a drill (restores beside production, verifies, deletes; up to the RTO)
  --drill-timeout <min>    how long to wait for the drill (default 45)
`;

/** Injectable parts, for tests. */
export interface VerifyDeps {
  readonly clients?: (region: string) => VerifyClients;
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Seconds between two polls of the drill. @default 30 */
  readonly pollSeconds?: number;
}

export function verifyCommand(deps: VerifyDeps = {}): CliCommand {
  return {
    summary: 'check a deployed stack on day one: probe, alarms, dashboard, backup, optional drill',
    run: (args, io) => run(args, io, deps),
  };
}

export const verify: CliCommand = verifyCommand();

function defaultClients(region: string): VerifyClients {
  return {
    lambda: new LambdaClient({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    s3: new S3Client({ region }),
    sfn: new SFNClient({ region }),
  };
}

async function run(args: readonly string[], io: CliIo, deps: VerifyDeps): Promise<number> {
  const flags = parseFlags(args, FLAGS, HELP);
  if (flags.help) {
    io.out(HELP);
    return 0;
  }
  const { drillTimeoutMinutes } = checked(flags);
  if (flags.outputs === undefined) throw new UsageError(`--outputs <cdk outputs file> is required\n\n${HELP}`);
  const outputs = readOutputs(flags.outputs, flags.stack);
  const region = flags.region ?? regionOf(outputs, io.env);
  if (!region) throw new UsageError('no region: pass --region, or set AWS_REGION');
  const results = await runChecks(outputs, (deps.clients ?? defaultClients)(region), {
    drill: flags.drill === true,
    drillTimeoutSeconds: drillTimeoutMinutes * 60,
    pollSeconds: deps.pollSeconds ?? 30,
    now: deps.now ?? (() => new Date()),
    sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  });
  io.out(report(outputs.stackName, region, results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** The readable report: one line per check, then the verdict. */
export function report(stack: string, region: string, results: readonly CheckResult[]): string {
  const mark = { pass: '✔', fail: '✘', skip: '-' } as const;
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => `  ${mark[r.status]} ${r.name.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => r.status === 'fail').length;
  const ran = results.filter((r) => r.status !== 'skip').length;
  const verdict = failed ? `${failed} of ${ran} checks failed.` : `all ${ran} checks passed.`;
  return [`mcp-ops verify: stack ${stack} in ${region}`, '', ...lines, '', verdict, ''].join('\n');
}

const FLAGS = {
  outputs: { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  drill: { type: 'boolean' },
  'drill-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The drill timeout in minutes, and the region flag, checked. */
function checked(flags: Flags<typeof FLAGS>): { drillTimeoutMinutes: number } {
  const timeout = flags['drill-timeout'] === undefined ? 45 : Number(flags['drill-timeout']);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 240) {
    throw new UsageError(
      `--drill-timeout must be a whole number of minutes from 1 to 240, got ${JSON.stringify(flags['drill-timeout'])}`,
    );
  }
  if (flags['drill-timeout'] !== undefined && !flags.drill) throw new UsageError('--drill-timeout needs --drill');
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(flags.region)) {
    throw new UsageError(`--region must be a region name such as eu-west-1, got ${JSON.stringify(flags.region)}`);
  }
  return { drillTimeoutMinutes: timeout };
}
