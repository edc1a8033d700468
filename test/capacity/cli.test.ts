import { spawnSync } from 'child_process';
import * as path from 'path';
import * as fs from 'fs';
import { parseAppConfig } from '../../lib/app/config';
import { CAPACITY_FLAGS, REPORT_FLAGS, runCapacityCli } from '../../lib/capacity/cli';
import { defaultAppInventory } from '../../lib/capacity/cost';
import { formatCostReport, formatPlanTable } from '../../lib/capacity/format';
import { planCapacity } from '../../lib/capacity/model';
import { PRICED_REGIONS, priceRows, pricesFor } from '../../lib/capacity/prices';
import { CapacityReport, capacityReport } from '../../lib/capacity/report';
import { CapacityInput } from '../../lib/capacity/types';

const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'lib', 'capacity', 'cli.ts');
const GUIDE_FLAGS = [
  '--peak-rps',
  '1000',
  '--mean-latency-ms',
  '100',
  '--cpu-seconds-per-request',
  '0.01',
  '--memory-per-connection-mib',
  '10',
];

/** Runs the CLI as `npm run capacity` does: node with the tsx loader, in the package root. */
function spawnCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in-process. */
function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCapacityCli(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('capacity CLI, spawned with node + tsx', () => {
  test('the worked example prints a table: inputs with defaults, task size, tasks, scaling, derived, explanation', () => {
    const r = spawnCli([
      ...GUIDE_FLAGS,
      '--task-cpu',
      '4096',
      '--task-memory-mib',
      '8192',
      '--survives-az-loss',
      'false',
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const line = (label: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.trim().startsWith(`${label} `))
        ?.trim()
        .split(/\s+/);
    expect(r.stdout).toMatch(/^MCP service capacity plan\n/);
    for (const title of ['Inputs', 'Task size', 'Tasks', 'Scaling targets', 'Derived', 'Explanation'])
      expect(r.stdout).toContain(`\n${title}\n`);
    expect(line('headroom')).toEqual(['headroom', '0.5', '(50', '%)', '(default)']);
    expect(line('p99LatencyMs')).toEqual(['p99LatencyMs', '1000', 'ms', '(default)']);
    expect(line('minTasks')?.slice(0, 2)).toEqual(['minTasks', '2']);
    expect(line('peakTasks')?.slice(0, 2)).toEqual(['peakTasks', '4']);
    expect(line('maxTasks')?.slice(0, 2)).toEqual(['maxTasks', '7']);
    expect(line('requiredCores')?.slice(0, 2)).toEqual(['requiredCores', '15']);
    expect(line('requestConcurrency')?.slice(0, 2)).toEqual(['requestConcurrency', '100']);
    expect(line('requiredMemoryMiB')?.slice(0, 2)).toEqual(['requiredMemoryMiB', '1500']);
    expect(line('requestsPerTaskPerMinute')?.slice(0, 2)).toEqual(['requestsPerTaskPerMinute', '14400']);
    expect(r.stdout).toContain('  - CPU: 1000 req/s × 0.01 CPU-s = 10 cores at peak; with 50 % headroom 15 cores.');
    expect(r.stdout).toContain('\nMonthly cost, eu-west-1, ARM64, 730 h');
    expect(r.stdout).toContain('\nTask sizes side by side');
    expect(r.stdout).toContain('\nVPC endpoints instead of NAT');
    expect(r.stdout).toContain('\nDatabase connection budget (db.m7g.large): fits');
  });

  test('--json prints the report as JSON: the plan equal to planCapacity, and the same figures as the tables', () => {
    const r = spawnCli([...GUIDE_FLAGS, '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as CapacityReport;
    const input = { peakRps: 1000, meanLatencyMs: 100, cpuSecondsPerRequest: 0.01, memoryPerConnectionMiB: 10 };
    expect(report.plan).toEqual(planCapacity(input));
    expect(report).toEqual(JSON.parse(JSON.stringify(capacityReport({ input, region: 'eu-west-1' }))));
    expect(report.cost.idleTotalUsd).toBeGreaterThan(0);
    expect(report.connectionBudget?.fits).toBe(true);
  });

  test('--help prints usage with every flag and exits 0', () => {
    const r = spawnCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run capacity -- /);
    for (const f of [...CAPACITY_FLAGS, ...REPORT_FLAGS]) expect(r.stdout).toContain(`--${f.flag} `);
    for (const f of ['--json', '--markdown', '--prices', '--default-app']) expect(r.stdout).toContain(f);
  });

  test.each([
    [
      'an unknown flag',
      [...GUIDE_FLAGS, '--peak-rsp', '5'],
      /^capacity: Unknown option '--peak-rsp' \(did you mean --peak-rps\?\)\n/,
    ],
    [
      'a missing required flag',
      ['--peak-rps', '1000', '--mean-latency-ms', '100', '--cpu-seconds-per-request', '0.01'],
      /^capacity: missing required flag --memory-per-connection-mib \(or --default-app\)\n/,
    ],
    [
      'a value that is not a number',
      [...GUIDE_FLAGS, '--headroom', 'lots'],
      /^capacity: --headroom must be a number \(e\.g\. 1000 or 0\.01\), got "lots"\n/,
    ],
    [
      'a negative value',
      [...GUIDE_FLAGS.slice(0, 2), '--mean-latency-ms', '-5', ...GUIDE_FLAGS.slice(4)],
      /^capacity: --mean-latency-ms must be a finite number > 0, got -5\n/,
    ],
    [
      'an impossible Fargate size',
      [...GUIDE_FLAGS, '--task-cpu', '1024', '--task-memory-mib', '1024'],
      /^capacity: --task-memory-mib must be a Fargate memory size for --task-cpu 1024: 2048 to 8192 in steps of 1024 MiB, got 1024\n/,
    ],
  ])('%s prints an error naming the flag and exits 2', (_name, args, message) => {
    const r = spawnCli(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Run with --help for usage.');
  });
});

describe('npm run capacity', () => {
  test('the package.json script runs the CLI', () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['run', '--silent', 'capacity', '--', ...GUIDE_FLAGS, '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as CapacityReport).plan.derived.requiredCores).toBe(15);
  });

  test('an unknown flag without a close match gets no hint', () => {
    const r = run([...GUIDE_FLAGS, '--colour', 'red']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^capacity: Unknown option '--colour'\n/);
  });
});

describe('capacity CLI, in-process', () => {
  test('the table is formatPlanTable of the plan, defaults marked', () => {
    const r = run(GUIDE_FLAGS);
    expect(r.code).toBe(0);
    const given: CapacityInput = {
      peakRps: 1000,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10,
    };
    const report = capacityReport({ input: given, region: 'eu-west-1' });
    expect(r.out).toBe(`${formatPlanTable(planCapacity(given), given)}\n${formatCostReport(report)}`);
    expect(r.out).toMatch(/availabilityZones +2 +\(default\)/);
    expect(r.out).toMatch(/taskCpu +- +chosen by the model/);
    expect(r.out).toMatch(/taskCpu +2048 +CPU units \(2 vCPU\), chosen/);
  });

  test('every flag reaches its field', () => {
    const r = run([
      ...GUIDE_FLAGS,
      '--p99-latency-ms',
      '700',
      '--stream-opens-per-second',
      '2',
      '--mean-stream-duration-seconds',
      '120',
      '--base-memory-per-task-mib',
      '300',
      '--headroom',
      '25%',
      '--availability-zones',
      '3',
      '--survives-az-loss',
      'false',
      '--task-cpu',
      '2048',
      '--task-memory-mib',
      '5120',
      '--target-cpu-utilization-percent',
      '70',
      '--max-tasks-factor',
      '3',
      '--baseline-rps',
      '300',
      '--baseline-stream-opens-per-second',
      '1',
      '--schedule',
      JSON.stringify([
        { name: 'Weekdays', startCron: '45 7 ? * MON-FRI *', endCron: '0 18 ? * MON-FRI *', expectedRps: 800 },
      ]),
      '--json',
    ]);
    expect(r.err).toBe('');
    const { plan } = JSON.parse(r.out) as CapacityReport;
    expect(plan.input).toEqual({
      peakRps: 1000,
      meanLatencyMs: 100,
      p99LatencyMs: 700,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10,
      streamOpensPerSecond: 2,
      meanStreamDurationSeconds: 120,
      baseMemoryPerTaskMiB: 300,
      headroom: 0.25,
      availabilityZones: 3,
      survivesAzLoss: false,
      taskCpu: 2048,
      taskMemoryMiB: 5120,
      targetCpuUtilizationPercent: 70,
      maxTasksFactor: 3,
      baselineRps: 300,
      baselineStreamOpensPerSecond: 1,
      schedule: [
        {
          name: 'Weekdays',
          startCron: '45 7 ? * MON-FRI *',
          endCron: '0 18 ? * MON-FRI *',
          expectedRps: 800,
          expectedStreamOpensPerSecond: 1.6,
          timeZone: 'UTC',
        },
      ],
    });
    expect(plan.scheduledMinimums[0].minTasks).toBeGreaterThan(plan.minTasks);
  });

  test('the cost flags reach the cost model: region, architecture, VPC endpoints, data tier, traffic', () => {
    const r = run([
      ...GUIDE_FLAGS,
      '--region',
      'us-east-1',
      '--architecture',
      'X86_64',
      '--vpc-endpoints',
      'true',
      '--data-tier',
      'false',
      '--bytes-per-request',
      '1024',
      '--new-connections-per-request',
      '0.5',
      '--log-bytes-per-request',
      '100',
      '--other-aws-api-gb-per-month',
      '5',
      '--kms-requests-per-month',
      '20000',
      '--json',
    ]);
    expect(r.err).toBe('');
    const { cost, otherArchitecture, connectionBudget } = JSON.parse(r.out) as CapacityReport;
    expect([cost.region, cost.architecture, otherArchitecture.architecture]).toEqual(['us-east-1', 'X86_64', 'ARM64']);
    expect(cost.traffic).toEqual({
      bytesPerRequest: 1024,
      newConnectionsPerRequest: 0.5,
      logBytesPerRequest: 100,
      otherAwsApiGbPerMonth: 5,
      kmsRequestsPerMonth: 20000,
    });
    const items = cost.lines.map((l) => l.item);
    expect(items).toContain('VPC interface endpoints');
    expect(items).toContain('VPC endpoint data (AWS APIs)');
    expect(items).toContain('KMS requests');
    expect(items.some((i) => i.startsWith('RDS'))).toBe(false);
    expect(connectionBudget).toBeUndefined();
  });

  test('--default-app takes the inputs from cdk.json as the app parses them; flags override', () => {
    const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    const config = parseAppConfig(cdkJson.context);
    const r = run(['--default-app', '--json']);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as CapacityReport;
    expect(report.plan).toEqual(planCapacity(config.capacity));
    expect(report.cost.region).toBe(config.region);
    expect(report.connectionBudget?.instanceClass).toBe(defaultAppInventory().database?.instanceClass);
    const more = JSON.parse(run(['--default-app', '--peak-rps', '2000', '--json']).out) as CapacityReport;
    expect(more.plan.input.peakRps).toBe(2000);
    expect(more.plan.input.meanLatencyMs).toBe(config.capacity.meanLatencyMs);
  });

  test('the report budgets the data tier’s pool and class, and counts its alarms, as the default app deploys them', () => {
    const input = parseAppConfig(JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context).capacity;
    const guide = capacityReport({ input, region: 'eu-west-1' });
    const small = capacityReport({ input, region: 'eu-west-1', databasePoolSize: 5, databasePoolMaxOverflow: 2 });
    expect(guide.connectionBudget!.connectionsPerProcess).toBe(30);
    expect(small.connectionBudget!.connectionsPerProcess).toBe(7);
    expect(small.connectionBudget!.demand).toBeLessThan(guide.connectionBudget!.demand);
    const larger = capacityReport({
      input,
      region: 'eu-west-1',
      inventory: defaultAppInventory({ databaseInstanceClass: 'db.m7g.xlarge' }),
    });
    expect(larger.connectionBudget!.instanceClass).toBe('db.m7g.xlarge');
    expect(larger.connectionBudget!.maxConnections).toBeGreaterThan(guide.connectionBudget!.maxConnections);
    // 7 database alarm metrics and 5 cache alarms × 2 member clusters on top of the service's 33.
    // 33 of the service, 6 of the edge (web ACL, auth failures), 7 database and 5 × 2 cache alarms.
    expect(defaultAppInventory().standardAlarmMetrics).toBe(33 + 6 + 7 + 10);
    expect(defaultAppInventory({ dataTier: false }).standardAlarmMetrics).toBe(33 + 6);
  });

  test('--prices prints every price of the region with its page, source and date', () => {
    for (const region of PRICED_REGIONS) {
      const r = run(['--prices', '--region', region]);
      expect(r.code).toBe(0);
      for (const [name, p] of priceRows(pricesFor(region))) {
        expect(r.out).toContain(
          `  ${name}: $${p.usd} per ${p.unit}\n    page: ${p.page}\n    source: ${p.source}\n    read: ${p.read}\n`,
        );
      }
    }
  });

  test('--markdown prints the README block', () => {
    const r = run(['--default-app', '--markdown']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Computed by `npm run capacity -- --default-app --markdown`/);
    expect(r.out).toContain('| **total per month** |');
  });

  test.each([
    [['--peak-rps'], /^capacity: Option '--peak-rps <value>' argument missing\n/],
    [[...GUIDE_FLAGS, '--peak-rps', '5'], /^capacity: --peak-rps is given more than once\n/],
    [[...GUIDE_FLAGS, 'extra'], /^capacity: Unexpected argument 'extra'/],
    [[...GUIDE_FLAGS, '--json=yes'], /^capacity: Option '--json' does not take an argument/],
    [
      [],
      /^capacity: missing required flags --peak-rps, --mean-latency-ms, --cpu-seconds-per-request, --memory-per-connection-mib \(or --default-app\)\n/,
    ],
    [
      [...GUIDE_FLAGS, '--region', 'mars-1'],
      /^capacity: --region must be one of eu-central-1, eu-west-1, us-east-1 .*, got "mars-1"\n/,
    ],
    [[...GUIDE_FLAGS, '--architecture', 'arm'], /^capacity: --architecture must be ARM64 or X86_64, got "arm"\n/],
    [[...GUIDE_FLAGS, '--vpc-endpoints', 'yes'], /^capacity: --vpc-endpoints must be true or false, got "yes"\n/],
    [[...GUIDE_FLAGS, '--data-tier', '1'], /^capacity: --data-tier must be true or false, got "1"\n/],
    [[...GUIDE_FLAGS, '--bytes-per-request', 'big'], /^capacity: --bytes-per-request must be a number .*, got "big"\n/],
    [
      [...GUIDE_FLAGS, '--log-bytes-per-request', '-1'],
      /^capacity: --log-bytes-per-request must be a finite number ≥ 0, got -1\n/,
    ],
    [
      [...GUIDE_FLAGS, '--schedule', '{not json'],
      /^capacity: --schedule must be JSON \(a list of windows\), got "\{not json"\n/,
    ],
    [
      [
        ...GUIDE_FLAGS,
        '--schedule',
        '[{"name":"Morning","startCron":"45 7 * * *","endCron":"0 9 ? * MON-FRI *","expectedRps":500}]',
      ],
      /^capacity: --schedule\[0\]\.startCron \(Morning\) must have 6 fields/,
    ],
    [
      [...GUIDE_FLAGS, '--baseline-rps', '2000'],
      /^capacity: --baseline-rps must be a finite number > 0 and ≤ --peak-rps \(1000\), got 2000\n/,
    ],
    [
      [...GUIDE_FLAGS, '--json', '--markdown'],
      /^capacity: give at most one of --json, --markdown and --prices, got --json --markdown\n/,
    ],
    [[...GUIDE_FLAGS, '--default-app=yes'], /^capacity: Option '--default-app' does not take an argument/],
    [
      [...GUIDE_FLAGS, '--survives-az-loss', 'maybe'],
      /^capacity: --survives-az-loss must be true or false, got "maybe"\n/,
    ],
    [[...GUIDE_FLAGS, '--survives-az-loss'], /^capacity: Option '--survives-az-loss <value>' argument missing/],
    [
      [...GUIDE_FLAGS, '--availability-zones', '1', '--survives-az-loss', 'true'],
      /^capacity: --survives-az-loss needs --availability-zones from 2 to 6, got --availability-zones 1/,
    ],
    [
      [...GUIDE_FLAGS, '--availability-zones', '2.5'],
      /^capacity: --availability-zones must be an integer from 1 to 6, got 2\.5\n/,
    ],
    [[...GUIDE_FLAGS, '--task-cpu', '1024'], /^capacity: --task-cpu and --task-memory-mib must be given together/],
    [
      [...GUIDE_FLAGS, '--peak-rps=Infinity'].slice(2),
      /^capacity: --peak-rps must be a finite number > 0, got Infinity\n/,
    ],
    [
      [...GUIDE_FLAGS, '--p99-latency-ms', '50'],
      /^capacity: --p99-latency-ms must be a finite number ≥ --mean-latency-ms \(100\), got 50\n/,
    ],
    [[...GUIDE_FLAGS, '--headroom', '0x10'], /^capacity: --headroom must be a number .*, got "0x10"\n/],
    [[...GUIDE_FLAGS, '--max-tasks-factor', ''], /^capacity: --max-tasks-factor must be a number .*, got ""\n/],
  ])('bad command line %# exits 2 with a message naming the flag: %s', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });
});
