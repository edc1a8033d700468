/**
 * `npm run capacity -- --peak-rps 1000 --mean-latency-ms 100 --cpu-seconds-per-request 0.01 --memory-per-connection-mib 10`
 * `npm run capacity -- --default-app` (the default app's inputs from cdk.json)
 *
 * Prints the capacity plan and what it costs per month as readable tables (or JSON with `--json`, the
 * README block with `--markdown`, the price table with `--prices`). Exit codes: 0 printed, 2 bad command
 * line (unknown or repeated flag, missing required flag, bad value; the message names the flag),
 * 1 unexpected failure. Flags are parsed with node's util.parseArgs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { parseAppConfig } from '../app/config';
import { FargateArchitecture, TRAFFIC_DEFAULTS, TrafficAssumptions, defaultAppInventory } from './cost';
import { formatCostMarkdown, formatCostReport, formatPlanTable, formatPrices } from './format';
import { CAPACITY_DEFAULTS } from './model';
import { PRICED_REGIONS } from './prices';
import { capacityReport } from './report';
import { CapacityInput } from './types';

type Field = keyof CapacityInput;

/** One command-line flag and the CapacityInput field it sets. */
export interface CapacityFlag {
  readonly flag: string;
  readonly field: Field;
  readonly kind: 'number' | 'percent-or-fraction' | 'boolean' | 'json';
  readonly required: boolean;
  readonly help: string;
}

/** The flags of the capacity CLI, in the order `--help` lists them. */
export const CAPACITY_FLAGS: readonly CapacityFlag[] = [
  {
    flag: 'peak-rps',
    field: 'peakRps',
    kind: 'number',
    required: true,
    help: 'peak request/response arrivals per second (> 0)',
  },
  {
    flag: 'mean-latency-ms',
    field: 'meanLatencyMs',
    kind: 'number',
    required: true,
    help: 'mean time a request spends in the system, ms (> 0)',
  },
  {
    flag: 'p99-latency-ms',
    field: 'p99LatencyMs',
    kind: 'number',
    required: false,
    help: `p99 latency, ms (≥ mean; default ${CAPACITY_DEFAULTS.p99LatencyFactor} × mean)`,
  },
  {
    flag: 'cpu-seconds-per-request',
    field: 'cpuSecondsPerRequest',
    kind: 'number',
    required: true,
    help: 'vCPU-seconds one request consumes (> 0)',
  },
  {
    flag: 'memory-per-connection-mib',
    field: 'memoryPerConnectionMiB',
    kind: 'number',
    required: true,
    help: 'memory held per open connection, MiB (> 0)',
  },
  {
    flag: 'stream-opens-per-second',
    field: 'streamOpensPerSecond',
    kind: 'number',
    required: false,
    help: `long-lived streams (SSE) opened per second at peak (≥ 0; default ${CAPACITY_DEFAULTS.streamOpensPerSecond})`,
  },
  {
    flag: 'mean-stream-duration-seconds',
    field: 'meanStreamDurationSeconds',
    kind: 'number',
    required: false,
    help: `mean lifetime of a stream, s (> 0; default ${CAPACITY_DEFAULTS.meanStreamDurationSeconds})`,
  },
  {
    flag: 'base-memory-per-task-mib',
    field: 'baseMemoryPerTaskMiB',
    kind: 'number',
    required: false,
    help: `memory of a task before any connection, MiB (≥ 0; default ${CAPACITY_DEFAULTS.baseMemoryPerTaskMiB})`,
  },
  {
    flag: 'headroom',
    field: 'headroom',
    kind: 'percent-or-fraction',
    required: false,
    help: `headroom above peak as a fraction or percent, 0.5 or 50% (0–10; default ${CAPACITY_DEFAULTS.headroom})`,
  },
  {
    flag: 'availability-zones',
    field: 'availabilityZones',
    kind: 'number',
    required: false,
    help: `availability zones, integer 1–6 (default ${CAPACITY_DEFAULTS.availabilityZones})`,
  },
  {
    flag: 'survives-az-loss',
    field: 'survivesAzLoss',
    kind: 'boolean',
    required: false,
    help: `true or false: carry peak with one AZ lost (default ${CAPACITY_DEFAULTS.survivesAzLoss})`,
  },
  {
    flag: 'task-cpu',
    field: 'taskCpu',
    kind: 'number',
    required: false,
    help: 'task CPU units 256…16384, with --task-memory-mib (default: chosen)',
  },
  {
    flag: 'task-memory-mib',
    field: 'taskMemoryMiB',
    kind: 'number',
    required: false,
    help: 'task memory, MiB, a valid Fargate size for --task-cpu (default: chosen)',
  },
  {
    flag: 'target-cpu-utilization-percent',
    field: 'targetCpuUtilizationPercent',
    kind: 'number',
    required: false,
    help: `CPU target for target tracking, 1–100 (default ${CAPACITY_DEFAULTS.targetCpuUtilizationPercent})`,
  },
  {
    flag: 'max-tasks-factor',
    field: 'maxTasksFactor',
    kind: 'number',
    required: false,
    help: `room beyond plan on the maximum, ≥ 1 (default ${CAPACITY_DEFAULTS.maxTasksFactor})`,
  },
  {
    flag: 'baseline-rps',
    field: 'baselineRps',
    kind: 'number',
    required: false,
    help: `off-peak requests/s the minimum carries, ≤ peak (default ${CAPACITY_DEFAULTS.baselineFraction * 100} % of peak)`,
  },
  {
    flag: 'baseline-stream-opens-per-second',
    field: 'baselineStreamOpensPerSecond',
    kind: 'number',
    required: false,
    help: 'off-peak streams opened per second (default: streams × baseline / peak)',
  },
  {
    flag: 'schedule',
    field: 'schedule',
    kind: 'json',
    required: false,
    help: 'known peaks as JSON: [{"name":"Weekdays","startCron":"45 7 ? * MON-FRI *","endCron":"0 18 ? * MON-FRI *","expectedRps":800}]',
  },
];

/** A flag of the cost report (not a capacity input). */
interface ReportFlag {
  readonly flag: string;
  readonly help: string;
}

/** The cost flags, in the order `--help` lists them. */
export const REPORT_FLAGS: readonly ReportFlag[] = [
  { flag: 'region', help: `region to price: ${PRICED_REGIONS.join(', ')} (default eu-west-1, or the default app's)` },
  { flag: 'architecture', help: 'ARM64 or X86_64 (default ARM64); the other is priced beside it' },
  {
    flag: 'vpc-endpoints',
    help: 'true or false: price interface endpoints for the AWS APIs instead of NAT (default false)',
  },
  {
    flag: 'data-tier',
    help: "true or false: the stack has the RDS + ElastiCache data tier (default true, or the default app's)",
  },
  {
    flag: 'bytes-per-request',
    help: `ALB bytes per request and response (default ${TRAFFIC_DEFAULTS.bytesPerRequest})`,
  },
  {
    flag: 'new-connections-per-request',
    help: `new connections per request (default ${TRAFFIC_DEFAULTS.newConnectionsPerRequest})`,
  },
  { flag: 'log-bytes-per-request', help: `log bytes per request (default ${TRAFFIC_DEFAULTS.logBytesPerRequest})` },
  {
    flag: 'other-aws-api-gb-per-month',
    help: `other AWS API GB/month through NAT (default ${TRAFFIC_DEFAULTS.otherAwsApiGbPerMonth})`,
  },
  { flag: 'kms-requests-per-month', help: `KMS requests per month (default ${TRAFFIC_DEFAULTS.kmsRequestsPerMonth})` },
];

const TRAFFIC_FLAG_FIELDS: ReadonlyArray<readonly [string, keyof TrafficAssumptions]> = [
  ['bytes-per-request', 'bytesPerRequest'],
  ['new-connections-per-request', 'newConnectionsPerRequest'],
  ['log-bytes-per-request', 'logBytesPerRequest'],
  ['other-aws-api-gb-per-month', 'otherAwsApiGbPerMonth'],
  ['kms-requests-per-month', 'kmsRequestsPerMonth'],
];

/** The command that prints the README's cost block. */
export const README_COMMAND = 'npm run capacity -- --default-app --markdown';

/** Usage text printed by `--help`. */
export function capacityUsage(): string {
  const width = Math.max(...[...CAPACITY_FLAGS, ...REPORT_FLAGS].map((f) => f.flag.length)) + 2;
  const lines = [
    'Usage: npm run capacity -- --peak-rps N --mean-latency-ms N --cpu-seconds-per-request N --memory-per-connection-mib N [options]',
    '       npm run capacity -- --default-app [options]',
    '',
    'Sizes an MCP service on Fargate (task size, min/max tasks, scheduled minimums, scaling targets) and prices',
    'the plan and the stack around it per month, idle and at peak (docs/capacity.md).',
    '',
    'Required (unless --default-app):',
    ...CAPACITY_FLAGS.filter((f) => f.required).map((f) => `  --${f.flag.padEnd(width)}${f.help}`),
    '',
    'Optional:',
    ...CAPACITY_FLAGS.filter((f) => !f.required).map((f) => `  --${f.flag.padEnd(width)}${f.help}`),
    '',
    'Cost:',
    ...REPORT_FLAGS.map((f) => `  --${f.flag.padEnd(width)}${f.help}`),
    '',
    'Output:',
    `  --${'default-app'.padEnd(width)}take every input from the default app's configuration (cdk.json); flags override`,
    `  --${'json'.padEnd(width)}print the plan, costs, alternatives and connection budget as JSON`,
    `  --${'markdown'.padEnd(width)}print the README's cost block (${README_COMMAND})`,
    `  --${'prices'.padEnd(width)}print the price table of --region with every source and date`,
    `  --${'help'.padEnd(width)}print this help (also -h)`,
    '',
    'Exit codes: 0 printed, 2 bad command line or input, 1 unexpected failure.',
    '',
  ];
  return lines.join('\n');
}

/** A command-line error: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL = /^[+-]?(Infinity|NaN)$/;

function parseNumber(flag: string, raw: string): number {
  if (NUMBER.test(raw) || SPECIAL.test(raw)) return Number(raw);
  throw new UsageError(`capacity: --${flag} must be a number (e.g. 1000 or 0.01), got ${JSON.stringify(raw)}`);
}

function parseBoolean(flag: string, raw: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`capacity: --${flag} must be true or false, got ${JSON.stringify(raw)}`);
}

function parseValue(spec: CapacityFlag, raw: string): unknown {
  switch (spec.kind) {
    case 'json':
      try {
        return JSON.parse(raw);
      } catch {
        throw new UsageError(`capacity: --${spec.flag} must be JSON (a list of windows), got ${JSON.stringify(raw)}`);
      }
    case 'boolean':
      return parseBoolean(spec.flag, raw);
    case 'percent-or-fraction':
      return raw.endsWith('%') ? parseNumber(spec.flag, raw.slice(0, -1)) / 100 : parseNumber(spec.flag, raw);
    default:
      return parseNumber(spec.flag, raw);
  }
}

/**
 * Lets `--mean-latency-ms -5` reach validation (and say "must be > 0, got -5") instead of
 * util.parseArgs' "ambiguous argument": a value flag followed by `-<something>` that is not a flag
 * is joined into `--flag=-<something>`.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const valueFlags = new Set([...CAPACITY_FLAGS, ...REPORT_FLAGS].map((f) => `--${f.flag}`));
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const next = argv[k + 1];
    if (
      valueFlags.has(argv[k]) &&
      next !== undefined &&
      next.startsWith('-') &&
      !next.startsWith('--') &&
      next !== '-h'
    ) {
      out.push(`${argv[k]}=${next}`);
      k++;
    } else {
      out.push(argv[k]);
    }
  }
  return out;
}

/** Edit distance between two strings (Levenshtein), for "did you mean" hints. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let x = 1; x <= a.length; x++) {
    const row = [x];
    for (let y = 1; y <= b.length; y++)
      row[y] = Math.min(prev[y] + 1, row[y - 1] + 1, prev[y - 1] + (a[x - 1] === b[y - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** The known flag closest to a mistyped one, when it is close (at most 3 edits). */
function closestFlag(name: string): string | undefined {
  const known = [...CAPACITY_FLAGS, ...REPORT_FLAGS].map((f) => f.flag).concat(OUTPUT_FLAGS);
  const best = known.map((flag) => ({ flag, d: distance(name, flag) })).sort((p, q) => p.d - q.d)[0];
  return best.d <= 3 ? best.flag : undefined;
}

const OUTPUT_FLAGS = ['default-app', 'json', 'markdown', 'prices', 'help'];

/** Replaces CapacityInput field names in a model error by the CLI's flag names. */
function withFlagNames(message: string): string {
  let text = message;
  for (const f of CAPACITY_FLAGS) text = text.replace(new RegExp(`\\b${f.field}\\b`, 'g'), `--${f.flag}`);
  for (const [flag, field] of TRAFFIC_FLAG_FIELDS)
    text = text.replace(new RegExp(`\\btraffic\\.${field}\\b`, 'g'), `--${flag}`);
  return text;
}

/** The default app's configuration: cdk.json's context, parsed as the app parses it. */
function defaultAppConfig() {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
  return parseAppConfig(cdkJson.context ?? {});
}

/** Where the CLI writes. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Runs the capacity CLI on `argv` (without node and script) and returns the exit code:
 * 0 printed, 2 bad command line or input, 1 unexpected failure.
 */
export function runCapacityCli(argv: readonly string[], io: CliOutput): number {
  try {
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
    for (const flag of OUTPUT_FLAGS) options[flag] = { type: 'boolean' };
    options.help.short = 'h';
    for (const f of [...CAPACITY_FLAGS, ...REPORT_FLAGS]) options[f.flag] = { type: 'string' };
    let parsed;
    try {
      parsed = parseArgs({
        args: joinNegativeValues(argv),
        options,
        strict: true,
        allowPositionals: false,
        tokens: true,
      });
    } catch (err) {
      const first = (err as Error).message.split('\n')[0];
      const unknown = /^Unknown option '--([^']+)'/.exec(first);
      const hint = unknown ? closestFlag(unknown[1]) : undefined;
      throw new UsageError(`capacity: ${first}${hint ? ` (did you mean --${hint}?)` : ''}`);
    }
    const seen = new Set<string>();
    for (const t of parsed.tokens ?? []) {
      if (t.kind !== 'option') continue;
      if (seen.has(t.name)) throw new UsageError(`capacity: --${t.name} is given more than once`);
      seen.add(t.name);
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values.help) {
      io.out(capacityUsage());
      return 0;
    }
    const outputs = ['json', 'markdown', 'prices'].filter((o) => values[o]);
    if (outputs.length > 1)
      throw new UsageError(
        `capacity: give at most one of --json, --markdown and --prices, got ${outputs.map((o) => `--${o}`).join(' ')}`,
      );

    const app = values['default-app'] ? defaultAppConfig() : undefined;
    const region = (values.region as string | undefined) ?? app?.region ?? 'eu-west-1';
    if (!PRICED_REGIONS.includes(region)) {
      throw new UsageError(
        `capacity: --region must be one of ${PRICED_REGIONS.join(', ')} (the regions the price table covers), got ${JSON.stringify(region)}`,
      );
    }
    if (values.prices) {
      io.out(formatPrices(region));
      return 0;
    }
    const rawArchitecture = values.architecture as string | undefined;
    const architecture = rawArchitecture ?? FargateArchitecture.ARM64;
    if (!Object.values(FargateArchitecture).includes(architecture as FargateArchitecture)) {
      throw new UsageError(`capacity: --architecture must be ARM64 or X86_64, got ${JSON.stringify(rawArchitecture)}`);
    }
    const vpcEndpoints =
      typeof values['vpc-endpoints'] === 'string' ? parseBoolean('vpc-endpoints', values['vpc-endpoints']) : false;
    const dataTier =
      typeof values['data-tier'] === 'string'
        ? parseBoolean('data-tier', values['data-tier'])
        : (app?.dataTier ?? true);
    const traffic: Record<string, number> = {};
    for (const [flag, field] of TRAFFIC_FLAG_FIELDS) {
      const raw = values[flag];
      if (typeof raw === 'string') traffic[field] = parseNumber(flag, raw);
    }

    const input: Record<string, unknown> = { ...(app?.capacity ?? {}) };
    for (const f of CAPACITY_FLAGS) {
      const raw = values[f.flag];
      if (typeof raw === 'string') input[f.field] = parseValue(f, raw);
    }
    if (!app) {
      const missing = CAPACITY_FLAGS.filter((f) => f.required && values[f.flag] === undefined).map(
        (f) => `--${f.flag}`,
      );
      if (missing.length > 0)
        throw new UsageError(
          `capacity: missing required flag${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (or --default-app)`,
        );
    }
    const given = input as unknown as CapacityInput;
    let report;
    try {
      report = capacityReport({
        input: given,
        region,
        architecture: architecture as FargateArchitecture,
        inventory: defaultAppInventory({
          availabilityZones: given.availabilityZones ?? CAPACITY_DEFAULTS.availabilityZones,
          dataTier,
          vpcEndpoints,
        }),
        traffic,
      });
    } catch (err) {
      throw new UsageError(withFlagNames((err as Error).message));
    }
    if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
    else if (values.markdown) io.out(formatCostMarkdown(report, README_COMMAND));
    else io.out(`${formatPlanTable(report.plan, given)}\n${formatCostReport(report)}`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nRun with --help for usage.\n`);
      return 2;
    }
    io.err(`capacity: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = runCapacityCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
