/**
 * `npm run capacity -- --peak-rps 1000 --mean-latency-ms 100 --cpu-seconds-per-request 0.01 --memory-per-connection-mib 10`
 *
 * Prints the capacity plan as readable tables (or JSON with `--json`). Exit codes: 0 plan printed,
 * 2 bad command line (unknown or repeated flag, missing required flag, bad value; the message
 * names the flag), 1 unexpected failure. Flags are parsed with node's util.parseArgs.
 */
import { parseArgs } from 'util';
import { formatPlanTable } from './format';
import { CAPACITY_DEFAULTS, planCapacity } from './model';
import { CapacityInput } from './types';

type Field = keyof CapacityInput;

/** One command-line flag and the CapacityInput field it sets. */
export interface CapacityFlag {
  readonly flag: string;
  readonly field: Field;
  readonly kind: 'number' | 'percent-or-fraction' | 'boolean';
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
    help: `maxTasks / tasks needed at peak, ≥ 1 (default ${CAPACITY_DEFAULTS.maxTasksFactor})`,
  },
];

/** Usage text printed by `--help`. */
export function capacityUsage(): string {
  const width = Math.max(...CAPACITY_FLAGS.map((f) => f.flag.length)) + 2;
  const lines = [
    'Usage: npm run capacity -- --peak-rps N --mean-latency-ms N --cpu-seconds-per-request N --memory-per-connection-mib N [options]',
    '',
    'Sizes an MCP service on Fargate: task size, min/max tasks and scaling targets (docs/capacity.md).',
    '',
    'Required:',
    ...CAPACITY_FLAGS.filter((f) => f.required).map((f) => `  --${f.flag.padEnd(width)}${f.help}`),
    '',
    'Optional:',
    ...CAPACITY_FLAGS.filter((f) => !f.required).map((f) => `  --${f.flag.padEnd(width)}${f.help}`),
    `  --${'json'.padEnd(width)}print the plan as JSON instead of tables`,
    `  --${'help'.padEnd(width)}print this help (also -h)`,
    '',
    'Exit codes: 0 plan printed, 2 bad command line or input, 1 unexpected failure.',
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

function parseValue(spec: CapacityFlag, raw: string): number | boolean {
  switch (spec.kind) {
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new UsageError(`capacity: --${spec.flag} must be true or false, got ${JSON.stringify(raw)}`);
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
  const valueFlags = new Set(CAPACITY_FLAGS.map((f) => `--${f.flag}`));
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
  const known = [...CAPACITY_FLAGS.map((f) => f.flag), 'json', 'help'];
  const best = known.map((flag) => ({ flag, d: distance(name, flag) })).sort((p, q) => p.d - q.d)[0];
  return best.d <= 3 ? best.flag : undefined;
}

/** Replaces CapacityInput field names in a model error by the CLI's flag names. */
function withFlagNames(message: string): string {
  let text = message;
  for (const f of CAPACITY_FLAGS) text = text.replace(new RegExp(`\\b${f.field}\\b`, 'g'), `--${f.flag}`);
  return text;
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
    const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    };
    for (const f of CAPACITY_FLAGS) options[f.flag] = { type: 'string' };
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
    const input: Record<string, number | boolean> = {};
    for (const f of CAPACITY_FLAGS) {
      const raw = values[f.flag];
      if (typeof raw === 'string') input[f.field] = parseValue(f, raw);
    }
    const missing = CAPACITY_FLAGS.filter((f) => f.required && values[f.flag] === undefined).map((f) => `--${f.flag}`);
    if (missing.length > 0)
      throw new UsageError(`capacity: missing required flag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    const given = input as unknown as CapacityInput;
    let plan;
    try {
      plan = planCapacity(given);
    } catch (err) {
      throw new UsageError(withFlagNames((err as Error).message));
    }
    io.out(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlanTable(plan, given));
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
