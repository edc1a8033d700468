import { isValidFargateSize } from '../../lib/capacity/fargate';
import { CapacityInput } from '../../lib/capacity/types';
import {
  MAX_TASKS_PER_SERVICE,
  ceilTolerant,
  floorTolerant,
  formatNumber,
  minTasksFor,
  planCapacity,
  validateCapacityInput,
} from '../../lib/capacity/model';

/** The operations guide's worked example: 1000 rps, 100 ms, 0.01 cores/request, 10 MB/connection, 50 % buffer. */
const GUIDE: CapacityInput = {
  peakRps: 1000,
  meanLatencyMs: 100,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 10,
};

describe('planCapacity: the worked example of the operations guide', () => {
  // The guide: 4-core instances, no AZ rule.
  const plan = planCapacity({ ...GUIDE, taskCpu: 4096, taskMemoryMiB: 8192, survivesAzLoss: false });

  test('15 cores with 50 % headroom, 4 tasks of 4 vCPU at peak; the minimum follows the baseline', () => {
    expect(plan.derived.peakCores).toBe(10);
    expect(plan.derived.requiredCores).toBe(15);
    expect(plan.derived.tasksForCpu).toBe(4);
    expect(plan.derived.tasksForPeak).toBe(4);
    expect(plan.peakTasks).toBe(4);
    // Baseline 250 req/s (25 % of peak): 3.75 cores with headroom, one 4 vCPU task, two for the two AZs.
    expect(plan.derived.baselineRequiredCores).toBe(3.75);
    expect(plan.derived.tasksForBaseline).toBe(1);
    expect(plan.minTasks).toBe(2);
    // Target tracking holds tasks at 60 %: 15 cores / (4 × 0.6) = 6.25 → 7 tasks for peak with headroom.
    expect(plan.derived.trackingTasksForPeakWithHeadroom).toBe(7);
    expect(plan.maxTasks).toBe(7);
    expect(plan.taskCpu).toBe(4096);
    expect(plan.taskMemoryMiB).toBe(8192);
  });

  test('memory follows concurrency (100 connections), not the rate (1000/s): 1500 MiB, not 15000', () => {
    expect(plan.derived.requestConcurrency).toBe(100);
    expect(plan.derived.totalConcurrency).toBe(100);
    expect(plan.derived.requiredMemoryMiB).toBe(1500);
    // The guide's formula (rps × memory per connection × 1.5) would ask for 10× as much.
    expect(plan.derived.requiredMemoryMiB).toBeLessThan(GUIDE.peakRps * GUIDE.memoryPerConnectionMiB * 1.5);
    expect(plan.derived.requiredConnections).toBe(150);
    expect(plan.derived.maxConnectionsPerTask).toBe(793); // ⌊(8192 − 256) / 10⌋
    expect(plan.derived.tasksForMemory).toBe(1);
    expect(plan.derived.peakLimitedBy).toBe('cpu');
  });

  test('scaling targets: a 4 vCPU task reaches 60 % at 240 req/s = 14400 req/min', () => {
    expect(plan.requestsPerTaskPerSecond).toBeCloseTo(240, 9);
    expect(plan.requestsPerTaskPerMinute).toBe(14400);
    expect(plan.targetCpuUtilizationPercent).toBe(60);
    expect(plan.derived.scalingLimitedBy).toBe('cpu');
    expect(plan.derived.peakCpuUtilizationPercent).toBeCloseTo(62.5, 9);
  });

  test('defaults are filled in and the given task size is kept in the input', () => {
    expect(plan.input).toEqual({
      ...GUIDE,
      p99LatencyMs: 1000,
      streamOpensPerSecond: 0,
      meanStreamDurationSeconds: 300,
      baseMemoryPerTaskMiB: 256,
      headroom: 0.5,
      availabilityZones: 2,
      survivesAzLoss: false,
      taskCpu: 4096,
      taskMemoryMiB: 8192,
      targetCpuUtilizationPercent: 60,
      maxTasksFactor: 1,
      baselineRps: 250,
      baselineStreamOpensPerSecond: 0,
      schedule: [],
    });
  });

  test('the explanation shows the arithmetic', () => {
    const text = plan.explanation.join('\n');
    expect(text).toContain('1000 req/s × 0.01 CPU-s = 10 cores at peak; with 50 % headroom 15 cores');
    expect(text).toContain('1000/s × 0.1 s = 100');
    expect(text).toContain('100 connections × 10 MiB × 1.5 = 1500 MiB');
    expect(text).toContain('CPU ⌈15 cores / 4⌉ = 4, memory ⌈150 connections / 793⌉ = 1');
    expect(text).toContain('Baseline (off-peak): 250 req/s (default: 25 % of peak)');
    expect(text).toContain('Minimum 2 tasks, for the baseline: max(2 AZs, 1 for the baseline)');
    expect(text).toContain(
      'Maximum 7 tasks: target tracking holds each task at 60 %, so peak with headroom needs 7 tasks',
    );
    // 1000 req/s at 240 req/s per task: target tracking runs 5 tasks at peak, 2 off-peak (the minimum).
    expect(text).toContain('target tracking runs about 2 tasks off-peak and 5 at peak');
  });
});

describe('planCapacity: defaults (task size chosen, 2 AZs, AZ loss not planned for)', () => {
  const plan = planCapacity(GUIDE);

  test('2 vCPU tasks because peak fills more than one per AZ; smallest memory that does not add tasks', () => {
    expect(plan.derived.taskSizeChosen).toBe(true);
    expect(plan.taskCpu).toBe(2048);
    expect(plan.taskMemoryMiB).toBe(4096);
    expect(plan.input.taskCpu).toBeUndefined();
    expect(plan.explanation.join('\n')).toContain('2 vCPU tasks');
  });

  test('the minimum carries the baseline (2 tasks), the maximum peak with headroom at the scaling target (13)', () => {
    expect(plan.derived.tasksForPeak).toBe(8);
    expect(plan.peakTasks).toBe(8);
    expect(plan.minTasks).toBe(2);
    expect(plan.maxTasks).toBe(13); // ⌈15 cores / (2 vCPU × 0.6)⌉
    expect(plan.derived.trackingTasksAtPeak).toBe(9); // ⌈1000 / 120⌉
    expect(plan.derived.trackingTasksAtBaseline).toBe(3); // ⌈250 / 120⌉
    expect(plan.explanation.join('\n')).not.toContain('maxTasks equals minTasks');
  });

  test('with survivesAzLoss (opt-in) each AZ alone carries peak (8 per AZ × 2) and the baseline (2 per AZ)', () => {
    const azSafe = planCapacity({ ...GUIDE, survivesAzLoss: true });
    expect(azSafe.peakTasks).toBe(16);
    expect(azSafe.derived.tasksPerAz).toBe(8);
    expect(azSafe.derived.tasksAfterAzLoss).toBe(8);
    expect(azSafe.minTasks).toBe(4);
    expect(azSafe.maxTasks).toBe(16); // max(16 for zone loss, 13 for target tracking)
    expect(azSafe.explanation.join('\n')).toContain('Maximum 16 tasks');
    expect(azSafe.explanation.join('\n')).toContain(
      'Minimum 4 tasks, for the baseline: 2 per AZ × 2 AZs, so after losing one AZ the other still runs 2 ≥ 2 tasks for the baseline',
    );
  });

  test('baselineRps = peakRps sizes the minimum for peak (the old behaviour), and the plan says so', () => {
    const flat = planCapacity({ ...GUIDE, baselineRps: 1000 });
    expect(flat.minTasks).toBe(flat.peakTasks);
    expect(flat.minTasks).toBe(8);
    expect(flat.explanation.join('\n')).toContain('the minimum is sized for peak');
    expect(plan.explanation.join('\n')).not.toContain('the minimum is sized for peak');
  });

  test('a given baseline: 100 req/s off-peak needs 1.5 cores, one task, two for the AZs', () => {
    const quiet = planCapacity({ ...GUIDE, baselineRps: 100 });
    expect(quiet.derived.baselineCores).toBe(1);
    expect(quiet.minTasks).toBe(2);
    const busy = planCapacity({ ...GUIDE, baselineRps: 600 });
    expect(busy.derived.baselineRequiredCores).toBeCloseTo(9, 9);
    expect(busy.minTasks).toBe(5); // ⌈9 / 2⌉
    expect(busy.explanation.join('\n')).toContain('600 req/s (60 % of peak)');
  });

  test('is deterministic and JSON-serialisable', () => {
    expect(planCapacity(GUIDE)).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('planCapacity: choices and rules', () => {
  test('floating-point noise does not add a task (7.000000000000001 cores are 7 tasks of 1 vCPU)', () => {
    expect(100 * 0.07).toBeGreaterThan(7); // the premise
    const plan = planCapacity({
      peakRps: 100,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.07,
      memoryPerConnectionMiB: 1,
      headroom: 0,
      taskCpu: 1024,
      taskMemoryMiB: 2048,
      survivesAzLoss: false,
    });
    expect(plan.derived.tasksForCpu).toBe(7);
    expect(ceilTolerant(15.000000000000002)).toBe(15);
    expect(ceilTolerant(15.01)).toBe(16);
    expect(ceilTolerant(0)).toBe(0);
    expect(floorTolerant(2.9999999999999996)).toBe(3);
    expect(floorTolerant(2.99)).toBe(2);
  });

  test('a small service gets 1 vCPU tasks, one per AZ at least', () => {
    const plan = planCapacity({
      peakRps: 5,
      meanLatencyMs: 50,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 4,
      availabilityZones: 3,
    });
    expect(plan.taskCpu).toBe(1024);
    expect(plan.taskMemoryMiB).toBe(2048);
    expect(plan.derived.tasksForPeak).toBe(1);
    expect(plan.minTasks).toBe(3);
    // The AZ floor already carries 3 × the tasks peak needs: no room to move, and the plan says so.
    expect(plan.maxTasks).toBe(3);
    expect(plan.explanation.join('\n')).toContain('1 vCPU tasks');
    expect(plan.explanation.join('\n')).toContain('maxTasks equals minTasks (3)');
  });

  test('maxTasksFactor adds room beyond plan on the maximum', () => {
    const plan = planCapacity({ ...GUIDE, maxTasksFactor: 2 });
    expect(plan.maxTasks).toBe(26);
    expect(plan.minTasks).toBe(2);
  });

  test('with one AZ a small service still gets 1 vCPU tasks (2 vCPU only once peak needs two of them)', () => {
    const small = planCapacity({
      peakRps: 5,
      meanLatencyMs: 50,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 4,
      availabilityZones: 1,
      survivesAzLoss: false,
    });
    expect([small.taskCpu, small.minTasks, small.maxTasks]).toEqual([1024, 1, 1]);
    const bigger = planCapacity({
      peakRps: 300,
      meanLatencyMs: 50,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 4,
      availabilityZones: 1,
      survivesAzLoss: false,
    });
    expect(bigger.derived.requiredCores).toBe(4.5);
    expect([bigger.taskCpu, bigger.peakTasks, bigger.minTasks]).toEqual([2048, 3, 1]);
  });

  test('connections are whole: a connection is never split across tasks', () => {
    // A 1 vCPU / 8192 MiB task has 7936 MiB for connections: one 5000 MiB connection, not 1.59 of them.
    const plan = planCapacity({
      peakRps: 1,
      meanLatencyMs: 1346,
      cpuSecondsPerRequest: 0.001,
      memoryPerConnectionMiB: 5000,
      taskCpu: 1024,
      taskMemoryMiB: 8192,
      availabilityZones: 1,
      survivesAzLoss: false,
    });
    expect(plan.derived.maxConnectionsPerTask).toBe(1);
    expect(plan.derived.requiredConnections).toBeCloseTo(2.019, 9);
    // Fluid memory would say ⌈2.019 × 5000 / 7936⌉ = 2 tasks; three connections need three tasks.
    expect(plan.derived.tasksForMemory).toBe(3);
  });

  test('without survivesAzLoss the peak fleet is max(AZs, tasks for peak), the minimum max(AZs, tasks for the baseline)', () => {
    const small = planCapacity({ ...GUIDE, peakRps: 10, survivesAzLoss: false, availabilityZones: 3 });
    expect(small.minTasks).toBe(3);
    expect(small.peakTasks).toBe(3);
    const big = planCapacity({
      ...GUIDE,
      survivesAzLoss: false,
      availabilityZones: 3,
      taskCpu: 1024,
      taskMemoryMiB: 2048,
    });
    expect(big.derived.tasksForPeak).toBe(15);
    expect(big.peakTasks).toBe(15);
    expect(big.minTasks).toBe(4); // ⌈3.75 cores / 1⌉
    expect(big.maxTasks).toBe(25); // ⌈15 / 0.6⌉
  });

  test('minTasksFor: with survivesAzLoss the AZs left after losing one run tasksForPeak tasks', () => {
    expect(minTasksFor(4, 2, true)).toBe(8);
    expect(minTasksFor(3, 3, true)).toBe(6); // 2 per AZ; losing one leaves 4 ≥ 3
    expect(minTasksFor(4, 3, true)).toBe(6); // 2 per AZ; losing one leaves 4
    expect(minTasksFor(5, 3, true)).toBe(9);
    expect(minTasksFor(1, 2, true)).toBe(2);
    expect(minTasksFor(1, 1, false)).toBe(1);
    expect(minTasksFor(7, 3, false)).toBe(7);
    expect(minTasksFor(1, 3, false)).toBe(3);
  });

  test('long-lived streams dominate memory: memory decides the task count and the scaling rate', () => {
    const plan = planCapacity({
      peakRps: 50,
      meanLatencyMs: 200,
      cpuSecondsPerRequest: 0.002,
      memoryPerConnectionMiB: 2,
      streamOpensPerSecond: 20,
      meanStreamDurationSeconds: 600,
      availabilityZones: 3,
    });
    expect(plan.derived.requestConcurrency).toBe(10);
    expect(plan.derived.streamConcurrency).toBe(12000);
    expect(plan.derived.requiredMemoryMiB).toBe(12010 * 2 * 1.5);
    expect(plan.derived.peakLimitedBy).toBe('memory');
    expect(plan.derived.tasksForMemory).toBeGreaterThan(plan.derived.tasksForCpu);
    expect(plan.derived.scalingLimitedBy).toBe('memory');
    expect(plan.requestsPerTaskPerSecond).toBe(plan.derived.requestsPerTaskPerSecondForMemory);
    expect(plan.requestsPerTaskPerSecond).toBeLessThan(plan.derived.requestsPerTaskPerSecondForCpu);
    // Memory-bound: the smallest memory that needs as few tasks as the largest (16384 MiB: 8064 connections → 3 tasks).
    expect([plan.taskCpu, plan.taskMemoryMiB]).toEqual([2048, 12288]);
    expect(plan.derived.maxConnectionsPerTask).toBe(6016);
    expect(plan.derived.tasksForMemory).toBe(3);
    expect(plan.explanation.join('\n')).toContain('memory binds before CPU');
  });

  test('a connection too large for 1 vCPU tasks gets 2 vCPU; larger still gets 4 vCPU', () => {
    const two = planCapacity({
      peakRps: 1,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 10000,
    });
    expect(two.taskCpu).toBe(2048);
    expect(two.taskMemoryMiB).toBe(11264); // the smallest 2 vCPU memory ≥ 256 + 10000
    const four = planCapacity({
      peakRps: 1,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.01,
      memoryPerConnectionMiB: 20000,
    });
    expect(four.taskCpu).toBe(4096);
    expect(four.taskMemoryMiB).toBeGreaterThanOrEqual(20256);
    expect(isValidFargateSize(four.taskCpu, four.taskMemoryMiB)).toBe(true);
  });

  test('a load that needs more than 5000 tasks of 2 vCPU gets larger tasks', () => {
    const plan = planCapacity({
      peakRps: 100000,
      meanLatencyMs: 100,
      cpuSecondsPerRequest: 0.1,
      memoryPerConnectionMiB: 1,
    });
    expect(plan.derived.requiredCores).toBe(15000);
    expect(plan.taskCpu).toBe(8192);
    expect(plan.maxTasks).toBeLessThanOrEqual(MAX_TASKS_PER_SERVICE);
  });

  test('a plan beyond the ECS task limit is rejected', () => {
    expect(() =>
      planCapacity({ peakRps: 10000000, meanLatencyMs: 100, cpuSecondsPerRequest: 1, memoryPerConnectionMiB: 1 }),
    ).toThrow(
      /capacity: no Fargate task size can carry peakRps 10000000 within the ECS limit of 5000 tasks per service/,
    );
    expect(() => planCapacity({ ...GUIDE, peakRps: 100000, taskCpu: 256, taskMemoryMiB: 512 })).toThrow(
      /capacity: the plan needs maxTasks 10000 of taskCpu 256 \/ taskMemoryMiB 512, above the ECS limit of 5000/,
    );
  });

  test('warns when a p99 burst does not fit the peak fleet', () => {
    const plan = planCapacity({
      peakRps: 100,
      meanLatencyMs: 100,
      p99LatencyMs: 5000,
      cpuSecondsPerRequest: 0.001,
      memoryPerConnectionMiB: 50,
      taskCpu: 1024,
      taskMemoryMiB: 2048,
      survivesAzLoss: false,
    });
    expect(plan.derived.requestConcurrencyP99).toBe(500);
    expect(plan.derived.burstMemoryMiB).toBe(25000);
    expect(plan.derived.fleetConnectionMemoryMiB).toBe(2 * 1792);
    expect(plan.derived.burstFits).toBe(false);
    expect(plan.derived.fleetConnections).toBe(2 * 35);
    expect(plan.explanation.join('\n')).toContain(
      'Warning: a p99 burst (500 connections, 25000 MiB) exceeds what the peak fleet holds (70 connections, 3584 MiB)',
    );
    expect(planCapacity(GUIDE).derived.burstFits).toBe(true);
  });

  test('warns when CPU per request exceeds the latency', () => {
    const plan = planCapacity({ ...GUIDE, peakRps: 10, cpuSecondsPerRequest: 0.5 });
    expect(plan.explanation.join('\n')).toContain(
      'Warning: cpuSecondsPerRequest (0.5 s) exceeds the mean latency (0.1 s)',
    );
    expect(planCapacity(GUIDE).explanation.join('\n')).not.toContain('Warning');
  });

  test('requestsPerTaskPerMinute is at least 1 for very slow requests', () => {
    const plan = planCapacity({
      peakRps: 0.001,
      meanLatencyMs: 200000,
      cpuSecondsPerRequest: 100,
      memoryPerConnectionMiB: 1,
      taskCpu: 256,
      taskMemoryMiB: 512,
      survivesAzLoss: false,
      availabilityZones: 1,
    });
    expect(plan.requestsPerTaskPerSecond).toBeCloseTo(0.0015, 12);
    expect(plan.requestsPerTaskPerMinute).toBe(1);
  });

  test('validateCapacityInput does not mutate its input and ignores fields it does not know', () => {
    const input = { ...GUIDE, somethingElse: 'x' };
    const copy = { ...input };
    const resolved = validateCapacityInput(input);
    expect(input).toEqual(copy);
    expect(resolved).not.toHaveProperty('somethingElse');
    expect(resolved).not.toHaveProperty('taskCpu');
  });

  test('formatNumber keeps explanations readable', () => {
    expect(formatNumber(15)).toBe('15');
    expect(formatNumber(15.000000000000002)).toBe('15');
    expect(formatNumber(0.3333333)).toBe('0.3333');
    expect(formatNumber(12345.678)).toBe('12345.7');
  });
});

describe('validateCapacityInput: every bad input names the field, the value and what is allowed', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['negative latency', { meanLatencyMs: -5 }, 'capacity: meanLatencyMs must be a finite number > 0, got -5'],
    ['zero rps', { peakRps: 0 }, 'capacity: peakRps must be a finite number > 0, got 0'],
    ['NaN rps', { peakRps: NaN }, 'capacity: peakRps must be a finite number > 0, got NaN'],
    ['Infinity rps', { peakRps: Infinity }, 'capacity: peakRps must be a finite number > 0, got Infinity'],
    ['string rps', { peakRps: '1000' }, 'capacity: peakRps must be a finite number > 0, got "1000"'],
    ['missing rps', { peakRps: undefined }, 'capacity: peakRps must be a finite number > 0, got undefined'],
    [
      'null cpu',
      { cpuSecondsPerRequest: null },
      'capacity: cpuSecondsPerRequest must be a finite number > 0, got null',
    ],
    [
      'negative cpu',
      { cpuSecondsPerRequest: -0.01 },
      'capacity: cpuSecondsPerRequest must be a finite number > 0, got -0.01',
    ],
    [
      'zero memory',
      { memoryPerConnectionMiB: 0 },
      'capacity: memoryPerConnectionMiB must be a finite number > 0, got 0',
    ],
    [
      'huge memory',
      { memoryPerConnectionMiB: 200000 },
      'capacity: memoryPerConnectionMiB must be a finite number > 0 and ≤ 122880 (the largest Fargate task), got 200000',
    ],
    [
      'memory + base too big',
      { memoryPerConnectionMiB: 122800 },
      'capacity: memoryPerConnectionMiB must be at most 122624 MiB (the largest Fargate task, 122880 MiB, minus baseMemoryPerTaskMiB 256) so that one connection fits in a task, got 122800',
    ],
    [
      'p99 < mean',
      { p99LatencyMs: 50 },
      'capacity: p99LatencyMs must be a finite number ≥ meanLatencyMs (100), got 50',
    ],
    ['p99 NaN', { p99LatencyMs: NaN }, 'capacity: p99LatencyMs must be a finite number ≥ meanLatencyMs (100), got NaN'],
    [
      'negative streams',
      { streamOpensPerSecond: -1 },
      'capacity: streamOpensPerSecond must be a finite number ≥ 0, got -1',
    ],
    [
      'Infinity streams',
      { streamOpensPerSecond: Infinity },
      'capacity: streamOpensPerSecond must be a finite number ≥ 0, got Infinity',
    ],
    [
      'zero stream duration',
      { meanStreamDurationSeconds: 0 },
      'capacity: meanStreamDurationSeconds must be a finite number > 0, got 0',
    ],
    [
      'negative base',
      { baseMemoryPerTaskMiB: -1 },
      'capacity: baseMemoryPerTaskMiB must be a finite number from 0 to 122880, got -1',
    ],
    ['negative headroom', { headroom: -0.1 }, 'capacity: headroom must be a finite number from 0 to 10, got -0.1'],
    ['huge headroom', { headroom: 50 }, 'capacity: headroom must be a finite number from 0 to 10, got 50'],
    ['zero AZs', { availabilityZones: 0 }, 'capacity: availabilityZones must be an integer from 1 to 6, got 0'],
    [
      'fractional AZs',
      { availabilityZones: 2.5 },
      'capacity: availabilityZones must be an integer from 1 to 6, got 2.5',
    ],
    ['7 AZs', { availabilityZones: 7 }, 'capacity: availabilityZones must be an integer from 1 to 6, got 7'],
    ['NaN AZs', { availabilityZones: NaN }, 'capacity: availabilityZones must be an integer from 1 to 6, got NaN'],
    [
      'AZ loss with one AZ',
      { availabilityZones: 1, survivesAzLoss: true },
      'capacity: survivesAzLoss needs availabilityZones from 2 to 6, got availabilityZones 1; leave survivesAzLoss false to run in one AZ',
    ],
    [
      'survivesAzLoss not boolean',
      { survivesAzLoss: 'yes' },
      'capacity: survivesAzLoss must be true or false, got "yes"',
    ],
    [
      'only taskCpu',
      { taskCpu: 1024 },
      'capacity: taskCpu and taskMemoryMiB must be given together (or both omitted so the model chooses), got taskCpu 1024 and taskMemoryMiB undefined',
    ],
    [
      'only taskMemoryMiB',
      { taskMemoryMiB: 2048 },
      'capacity: taskCpu and taskMemoryMiB must be given together (or both omitted so the model chooses), got taskCpu undefined and taskMemoryMiB 2048',
    ],
    [
      'unknown CPU',
      { taskCpu: 1000, taskMemoryMiB: 2048 },
      'capacity: taskCpu must be one of the Fargate CPU values 256, 512, 1024, 2048, 4096, 8192, 16384, got 1000',
    ],
    [
      'unknown combination',
      { taskCpu: 1024, taskMemoryMiB: 1024 },
      'capacity: taskMemoryMiB must be a Fargate memory size for taskCpu 1024: 2048 to 8192 in steps of 1024 MiB, got 1024',
    ],
    [
      'memory not on the step',
      { taskCpu: 8192, taskMemoryMiB: 17408 },
      'capacity: taskMemoryMiB must be a Fargate memory size for taskCpu 8192: 16384 to 61440 in steps of 4096 MiB, got 17408',
    ],
    [
      'connection does not fit the task',
      { taskCpu: 256, taskMemoryMiB: 512, memoryPerConnectionMiB: 300 },
      'capacity: taskMemoryMiB must be at least baseMemoryPerTaskMiB + memoryPerConnectionMiB = 556 MiB so that one connection fits in a task (and a Fargate size for taskCpu 256: 512, 1024 or 2048), got 512',
    ],
    [
      'zero CPU target',
      { targetCpuUtilizationPercent: 0 },
      'capacity: targetCpuUtilizationPercent must be a finite number from 1 to 100, got 0',
    ],
    [
      'CPU target above 100',
      { targetCpuUtilizationPercent: 101 },
      'capacity: targetCpuUtilizationPercent must be a finite number from 1 to 100, got 101',
    ],
    ['max factor below 1', { maxTasksFactor: 0.5 }, 'capacity: maxTasksFactor must be a finite number ≥ 1, got 0.5'],
    [
      'max factor Infinity',
      { maxTasksFactor: Infinity },
      'capacity: maxTasksFactor must be a finite number ≥ 1, got Infinity',
    ],
  ];
  test.each(cases)('%s', (_name, change, message) => {
    const input = { ...GUIDE, ...change } as unknown as CapacityInput;
    expect(() => planCapacity(input)).toThrow(new Error(message));
    expect(() => validateCapacityInput(input)).toThrow(message);
  });

  test('a non-object input', () => {
    expect(() => planCapacity(null as unknown as CapacityInput)).toThrow(
      /^capacity: input must be an object .*, got null$/,
    );
  });
});
