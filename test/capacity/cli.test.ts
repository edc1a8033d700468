import { spawnSync } from 'child_process';
import * as path from 'path';
import { CAPACITY_FLAGS, runCapacityCli } from '../../lib/capacity/cli';
import { CapacityInput, CapacityPlan, formatPlanTable, planCapacity } from '../../lib/capacity';

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
    expect(line('minTasks')?.slice(0, 2)).toEqual(['minTasks', '4']);
    expect(line('maxTasks')).toEqual(['maxTasks', '8']);
    expect(line('requiredCores')?.slice(0, 2)).toEqual(['requiredCores', '15']);
    expect(line('requestConcurrency')?.slice(0, 2)).toEqual(['requestConcurrency', '100']);
    expect(line('requiredMemoryMiB')?.slice(0, 2)).toEqual(['requiredMemoryMiB', '1500']);
    expect(line('requestsPerTaskPerMinute')?.slice(0, 2)).toEqual(['requestsPerTaskPerMinute', '14400']);
    expect(r.stdout).toContain('  - CPU: 1000 req/s × 0.01 CPU-s = 10 cores at peak; with 50 % headroom 15 cores.');
  });

  test('--json prints the plan as JSON, equal to planCapacity', () => {
    const r = spawnCli([...GUIDE_FLAGS, '--json']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as CapacityPlan;
    expect(plan).toEqual(
      planCapacity({ peakRps: 1000, meanLatencyMs: 100, cpuSecondsPerRequest: 0.01, memoryPerConnectionMiB: 10 }),
    );
  });

  test('--help prints usage with every flag and exits 0', () => {
    const r = spawnCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run capacity -- /);
    for (const f of CAPACITY_FLAGS) expect(r.stdout).toContain(`--${f.flag} `);
    expect(r.stdout).toContain('--json');
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
      /^capacity: missing required flag --memory-per-connection-mib\n/,
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
    expect((JSON.parse(r.stdout) as CapacityPlan).derived.requiredCores).toBe(15);
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
    expect(r.out).toBe(formatPlanTable(planCapacity(given), given));
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
      '--json',
    ]);
    expect(r.err).toBe('');
    const plan = JSON.parse(r.out) as CapacityPlan;
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
    });
  });

  test.each([
    [['--peak-rps'], /^capacity: Option '--peak-rps <value>' argument missing\n/],
    [[...GUIDE_FLAGS, '--peak-rps', '5'], /^capacity: --peak-rps is given more than once\n/],
    [[...GUIDE_FLAGS, 'extra'], /^capacity: Unexpected argument 'extra'/],
    [[...GUIDE_FLAGS, '--json=yes'], /^capacity: Option '--json' does not take an argument/],
    [
      [],
      /^capacity: missing required flags --peak-rps, --mean-latency-ms, --cpu-seconds-per-request, --memory-per-connection-mib\n/,
    ],
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
