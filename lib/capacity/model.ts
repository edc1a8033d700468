/**
 * The capacity model: from peak load and per-request cost to a Fargate task size, task counts and
 * scaling targets. Pure functions, no CDK imports; documented in docs/capacity.md.
 *
 * In short:
 * - CPU: `peakCores = peakRps × cpuSecondsPerRequest`, `requiredCores = peakCores × (1 + headroom)`.
 * - Memory is held per open connection, so it follows concurrency, not rate (Little's law,
 *   L = λ × W): `requestConcurrency = peakRps × meanLatency`, `streamConcurrency =
 *   streamOpensPerSecond × meanStreamDuration`, `requiredConnections = totalConcurrency ×
 *   (1 + headroom)`, `requiredMemoryMiB = requiredConnections × memoryPerConnectionMiB`.
 * - Tasks: `tasksForCpu = ⌈requiredCores / taskVcpu⌉`; a task holds `maxConnectionsPerTask =
 *   ⌊(taskMemoryMiB − baseMemoryPerTaskMiB) / memoryPerConnectionMiB⌋` whole connections, so
 *   `tasksForMemory = ⌈totalConcurrency × (1 + headroom) / maxConnectionsPerTask⌉`;
 *   `tasksForPeak = max(both)`. The headroom is the only utilisation buffer in sizing (no second
 *   CPU-target factor), so 15 required cores on 4 vCPU tasks give 4 tasks.
 * - AZ rule: `n` tasks become `max(AZs, n)`, or with `survivesAzLoss` `AZs × ⌈n / (AZs − 1)⌉` (tasks
 *   spread evenly, so the AZs left after losing one still run `n` tasks).
 * - `peakTasks` = AZ rule of tasksForPeak; `minTasks` = AZ rule of the tasks the *baseline* (off-peak
 *   load, default 25 % of peak) needs with headroom, on the same task size; `maxTasks` = ⌈max(peakTasks,
 *   tasks target tracking runs for peak with headroom) × maxTasksFactor⌉. Scheduled windows raise the
 *   minimum to the AZ rule of their expected load's needs.
 * - Scaling: one task reaches the CPU target at `taskVcpu × target% / cpuSecondsPerRequest`
 *   requests/s (or earlier, when it fills the same percentage of the connections it holds first).
 * - Task size, when not given: see {@link PREFERRED_TASK_CPU}; memory is the smallest Fargate
 *   memory that adds no tasks for memory.
 */
import {
  FARGATE_CPU_VALUES,
  MAX_FARGATE_MEMORY_MIB,
  describeFargateMemory,
  fargateMemoryOptions,
  isValidFargateCpu,
  isValidFargateSize,
} from './fargate';
import { isTimeZone, parseCron } from './schedule';
import {
  CapacityDerived,
  CapacityInput,
  CapacityPlan,
  CapacityResource,
  CapacityScheduleWindow,
  ResolvedCapacityInput,
  ResolvedScheduleWindow,
  ScheduledMinimum,
} from './types';

/** Defaults of the optional {@link CapacityInput} fields (p99LatencyMs defaults to 10 × meanLatencyMs). */
export const CAPACITY_DEFAULTS = {
  p99LatencyFactor: 10,
  streamOpensPerSecond: 0,
  meanStreamDurationSeconds: 300,
  baseMemoryPerTaskMiB: 256,
  headroom: 0.5,
  availabilityZones: 2,
  survivesAzLoss: false,
  targetCpuUtilizationPercent: 60,
  maxTasksFactor: 1,
  baselineFraction: 0.25,
} as const;

/**
 * Off-peak load as a fraction of peak when `baselineRps` is not given: 25 %. Why a quarter: a service
 * used in working hours carries far less at night and at weekends, so a quarter errs towards more tasks
 * (a real trough below it leaves the floor slightly large, never short); and the floor then carries
 * 25 % × (1 + headroom) = 37.5 % of peak before it saturates, which covers traffic that rises while target
 * tracking adds tasks (one-minute datapoints, a 60 s scale-out cooldown, a minute or two for a task to
 * start and pass its health checks). Measure your trough and set baselineRps (docs/capacity.md).
 */
export const DEFAULT_BASELINE_FRACTION = CAPACITY_DEFAULTS.baselineFraction;

/** Most windows a schedule may have (two scheduled actions each; Application Auto Scaling allows 200 per target). */
export const MAX_SCHEDULE_WINDOWS = 20;

/** Upper bound of `headroom` (10 = eleven times peak). */
export const MAX_HEADROOM = 10;
/** Upper bound of `availabilityZones`: the most AZs an AWS region has. */
export const MAX_AVAILABILITY_ZONES = 6;
/** ECS quota "tasks per service" (not adjustable): a plan whose maxTasks exceeds it is rejected. */
export const MAX_TASKS_PER_SERVICE = 5000;
/**
 * The CPU sizes the model prefers when the task size is not given: 2 vCPU once peak needs at
 * least two such tasks and one per AZ, otherwise 1 vCPU (a Node.js MCP server wants a whole core
 * for its event loop, plus GC and TLS threads; smaller tasks must be given explicitly). Larger
 * sizes only when one connection does not fit in, or the plan would exceed
 * {@link MAX_TASKS_PER_SERVICE} tasks with, the preferred sizes.
 */
export const PREFERRED_TASK_CPU: readonly number[] = [1024, 2048];

/** Relative tolerance for rounding: 15.000000000000002 cores on 1-vCPU tasks are 15 tasks, not 16. */
const EPSILON = 1e-9;

/** ⌈x⌉ that ignores floating-point noise just above a whole number. */
export function ceilTolerant(x: number): number {
  return Math.ceil(x - EPSILON * Math.max(1, Math.abs(x))) + 0; // + 0 turns -0 into 0
}

/** ⌊x⌋ that ignores floating-point noise just below a whole number. */
export function floorTolerant(x: number): number {
  return Math.floor(x + EPSILON * Math.max(1, Math.abs(x)));
}

/** A value as it appears in an error message: numbers plainly (NaN, Infinity, -5), strings quoted. */
function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function fail(field: string, allowed: string, value: unknown): never {
  throw new Error(`capacity: ${field} must be ${allowed}, got ${show(value)}`);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Reads a required number: finite and > 0. */
function positive(field: string, value: unknown): number {
  if (!isFiniteNumber(value) || value <= 0) fail(field, 'a finite number > 0', value);
  return value;
}

/** Reads an optional number within [min, max] (min exclusive when `minExclusive`). */
function optionalNumber(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  minExclusive = false,
): number {
  if (value === undefined) return fallback;
  const allowed =
    max === Infinity
      ? `a finite number ${minExclusive ? '>' : '≥'} ${min}`
      : `a finite number from ${min}${minExclusive ? ' (exclusive)' : ''} to ${max}`;
  if (!isFiniteNumber(value) || (minExclusive ? value <= min : value < min) || value > max) fail(field, allowed, value);
  return value;
}

/**
 * Validates a {@link CapacityInput} and returns it with every default filled in. Throws on the
 * first bad field with a message that names the field, the value given and what is allowed, e.g.
 * `capacity: meanLatencyMs must be a finite number > 0, got -5`.
 *
 * Checks: required numbers finite and > 0; p99LatencyMs ≥ meanLatencyMs; headroom 0–10;
 * availabilityZones an integer 1–6; survivesAzLoss a boolean and only with ≥ 2 AZs; taskCpu and
 * taskMemoryMiB both given or both omitted and a valid Fargate combination; one connection plus
 * the base memory fits in a task; targetCpuUtilizationPercent 1–100; maxTasksFactor ≥ 1;
 * 0 < baselineRps ≤ peakRps; 0 ≤ baselineStreamOpensPerSecond ≤ streamOpensPerSecond; each schedule
 * window with a unique name, two valid cron expressions, a known time zone and baselineRps ≤
 * expectedRps ≤ peakRps.
 * Fields that are not part of CapacityInput are ignored (so a props object that extends it can
 * be passed as is).
 */
export function validateCapacityInput(input: CapacityInput): ResolvedCapacityInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new Error(
      `capacity: input must be an object with peakRps, meanLatencyMs, cpuSecondsPerRequest and memoryPerConnectionMiB, got ${show(input)}`,
    );
  }
  const peakRps = positive('peakRps', input.peakRps);
  const meanLatencyMs = positive('meanLatencyMs', input.meanLatencyMs);
  let p99LatencyMs = meanLatencyMs * CAPACITY_DEFAULTS.p99LatencyFactor;
  if (input.p99LatencyMs !== undefined) {
    if (!isFiniteNumber(input.p99LatencyMs) || input.p99LatencyMs < meanLatencyMs) {
      fail('p99LatencyMs', `a finite number ≥ meanLatencyMs (${meanLatencyMs})`, input.p99LatencyMs);
    }
    p99LatencyMs = input.p99LatencyMs;
  }
  const cpuSecondsPerRequest = positive('cpuSecondsPerRequest', input.cpuSecondsPerRequest);
  const memoryPerConnectionMiB = positive('memoryPerConnectionMiB', input.memoryPerConnectionMiB);
  if (memoryPerConnectionMiB > MAX_FARGATE_MEMORY_MIB) {
    fail(
      'memoryPerConnectionMiB',
      `a finite number > 0 and ≤ ${MAX_FARGATE_MEMORY_MIB} (the largest Fargate task)`,
      memoryPerConnectionMiB,
    );
  }
  const streamOpensPerSecond = optionalNumber(
    'streamOpensPerSecond',
    input.streamOpensPerSecond,
    CAPACITY_DEFAULTS.streamOpensPerSecond,
    0,
    Infinity,
  );
  const meanStreamDurationSeconds = optionalNumber(
    'meanStreamDurationSeconds',
    input.meanStreamDurationSeconds,
    CAPACITY_DEFAULTS.meanStreamDurationSeconds,
    0,
    Infinity,
    true,
  );
  const baseMemoryPerTaskMiB = optionalNumber(
    'baseMemoryPerTaskMiB',
    input.baseMemoryPerTaskMiB,
    CAPACITY_DEFAULTS.baseMemoryPerTaskMiB,
    0,
    MAX_FARGATE_MEMORY_MIB,
  );
  const headroom = optionalNumber('headroom', input.headroom, CAPACITY_DEFAULTS.headroom, 0, MAX_HEADROOM);

  let availabilityZones: number = CAPACITY_DEFAULTS.availabilityZones;
  if (input.availabilityZones !== undefined) {
    const az = input.availabilityZones;
    if (!isFiniteNumber(az) || !Number.isInteger(az) || az < 1 || az > MAX_AVAILABILITY_ZONES) {
      fail('availabilityZones', `an integer from 1 to ${MAX_AVAILABILITY_ZONES}`, az);
    }
    availabilityZones = az;
  }
  let survivesAzLoss: boolean = CAPACITY_DEFAULTS.survivesAzLoss;
  if (input.survivesAzLoss !== undefined) {
    if (typeof input.survivesAzLoss !== 'boolean') fail('survivesAzLoss', 'true or false', input.survivesAzLoss);
    survivesAzLoss = input.survivesAzLoss;
  }
  if (survivesAzLoss && availabilityZones < 2) {
    throw new Error(
      `capacity: survivesAzLoss needs availabilityZones from 2 to ${MAX_AVAILABILITY_ZONES}, got availabilityZones ${availabilityZones}; leave survivesAzLoss false to run in one AZ`,
    );
  }

  const { taskCpu, taskMemoryMiB } = input;
  if ((taskCpu === undefined) !== (taskMemoryMiB === undefined)) {
    throw new Error(
      `capacity: taskCpu and taskMemoryMiB must be given together (or both omitted so the model chooses), got taskCpu ${show(taskCpu)} and taskMemoryMiB ${show(taskMemoryMiB)}`,
    );
  }
  if (taskCpu !== undefined && taskMemoryMiB !== undefined) {
    if (!isFiniteNumber(taskCpu) || !isValidFargateCpu(taskCpu))
      fail('taskCpu', `one of the Fargate CPU values ${FARGATE_CPU_VALUES.join(', ')}`, taskCpu);
    if (!isFiniteNumber(taskMemoryMiB) || !isValidFargateSize(taskCpu, taskMemoryMiB)) {
      fail(
        'taskMemoryMiB',
        `a Fargate memory size for taskCpu ${taskCpu}: ${describeFargateMemory(taskCpu)} MiB`,
        taskMemoryMiB,
      );
    }
    if (taskMemoryMiB - baseMemoryPerTaskMiB < memoryPerConnectionMiB) {
      fail(
        'taskMemoryMiB',
        `at least baseMemoryPerTaskMiB + memoryPerConnectionMiB = ${baseMemoryPerTaskMiB + memoryPerConnectionMiB} MiB so that one connection fits in a task (and a Fargate size for taskCpu ${taskCpu}: ${describeFargateMemory(taskCpu)})`,
        taskMemoryMiB,
      );
    }
  } else if (baseMemoryPerTaskMiB + memoryPerConnectionMiB > MAX_FARGATE_MEMORY_MIB) {
    fail(
      'memoryPerConnectionMiB',
      `at most ${MAX_FARGATE_MEMORY_MIB - baseMemoryPerTaskMiB} MiB (the largest Fargate task, ${MAX_FARGATE_MEMORY_MIB} MiB, minus baseMemoryPerTaskMiB ${baseMemoryPerTaskMiB}) so that one connection fits in a task`,
      memoryPerConnectionMiB,
    );
  }

  const targetCpuUtilizationPercent = optionalNumber(
    'targetCpuUtilizationPercent',
    input.targetCpuUtilizationPercent,
    CAPACITY_DEFAULTS.targetCpuUtilizationPercent,
    1,
    100,
  );
  const maxTasksFactor = optionalNumber(
    'maxTasksFactor',
    input.maxTasksFactor,
    CAPACITY_DEFAULTS.maxTasksFactor,
    1,
    Infinity,
  );

  let baselineRps = peakRps * CAPACITY_DEFAULTS.baselineFraction;
  if (input.baselineRps !== undefined) {
    if (!isFiniteNumber(input.baselineRps) || input.baselineRps <= 0 || input.baselineRps > peakRps) {
      fail('baselineRps', `a finite number > 0 and ≤ peakRps (${peakRps})`, input.baselineRps);
    }
    baselineRps = input.baselineRps;
  }
  let baselineStreamOpensPerSecond = (streamOpensPerSecond * baselineRps) / peakRps;
  if (input.baselineStreamOpensPerSecond !== undefined) {
    const b = input.baselineStreamOpensPerSecond;
    if (!isFiniteNumber(b) || b < 0 || b > streamOpensPerSecond) {
      fail(
        'baselineStreamOpensPerSecond',
        `a finite number from 0 to streamOpensPerSecond (${streamOpensPerSecond})`,
        b,
      );
    }
    baselineStreamOpensPerSecond = b;
  }
  const schedule = validateSchedule(input.schedule, peakRps, baselineRps, streamOpensPerSecond);

  return {
    peakRps,
    meanLatencyMs,
    p99LatencyMs,
    cpuSecondsPerRequest,
    memoryPerConnectionMiB,
    streamOpensPerSecond,
    meanStreamDurationSeconds,
    baseMemoryPerTaskMiB,
    headroom,
    availabilityZones,
    survivesAzLoss,
    ...(taskCpu !== undefined ? { taskCpu, taskMemoryMiB } : {}),
    targetCpuUtilizationPercent,
    maxTasksFactor,
    baselineRps,
    baselineStreamOpensPerSecond,
    schedule,
  };
}

/** Validates the schedule's windows (see {@link CapacityScheduleWindow}) and fills their defaults. */
function validateSchedule(
  schedule: unknown,
  peakRps: number,
  baselineRps: number,
  streamOpensPerSecond: number,
): ResolvedScheduleWindow[] {
  if (schedule === undefined) return [];
  if (!Array.isArray(schedule) || schedule.length > MAX_SCHEDULE_WINDOWS) {
    fail('schedule', `a list of at most ${MAX_SCHEDULE_WINDOWS} windows`, schedule);
  }
  const names = new Set<string>();
  return schedule.map((w: CapacityScheduleWindow, k): ResolvedScheduleWindow => {
    const at = `schedule[${k}]`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) {
      fail(at, 'a window {name, startCron, endCron, expectedRps}', w);
    }
    if (typeof w.name !== 'string' || !/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(w.name)) {
      fail(`${at}.name`, 'a letter, then letters and digits, 1–32 characters', w.name);
    }
    if (names.has(w.name)) fail(`${at}.name`, 'unique among the windows', w.name);
    names.add(w.name);
    const crons = (['startCron', 'endCron'] as const).map((field) => {
      const parsed = parseCron(w[field]);
      if ('error' in parsed) throw new Error(`capacity: ${at}.${field} (${w.name}) ${parsed.error}`);
      return parsed.cron;
    });
    if (crons[0] === crons[1]) fail(`${at}.endCron`, `different from startCron (${crons[0]})`, w.endCron);
    if (!isFiniteNumber(w.expectedRps) || w.expectedRps < baselineRps || w.expectedRps > peakRps) {
      fail(
        `${at}.expectedRps`,
        `a finite number from baselineRps (${baselineRps}) to peakRps (${peakRps}); a window raises the minimum above the baseline's`,
        w.expectedRps,
      );
    }
    let streams = (streamOpensPerSecond * w.expectedRps) / peakRps;
    if (w.expectedStreamOpensPerSecond !== undefined) {
      const x = w.expectedStreamOpensPerSecond;
      if (!isFiniteNumber(x) || x < 0 || x > streamOpensPerSecond) {
        fail(
          `${at}.expectedStreamOpensPerSecond`,
          `a finite number from 0 to streamOpensPerSecond (${streamOpensPerSecond})`,
          x,
        );
      }
      streams = x;
    }
    const timeZone = w.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) fail(`${at}.timeZone`, 'an IANA time zone such as UTC or Europe/Dublin', w.timeZone);
    return {
      name: w.name,
      startCron: crons[0],
      endCron: crons[1],
      expectedRps: w.expectedRps,
      expectedStreamOpensPerSecond: streams,
      timeZone,
    };
  });
}

/** Load figures at one request rate (peak, baseline or a window's), independent of the task size. */
interface Load {
  readonly rps: number;
  readonly cores: number;
  readonly requiredCores: number;
  readonly requestConcurrency: number;
  readonly requestConcurrencyP99: number;
  readonly streamConcurrency: number;
  readonly totalConcurrency: number;
  readonly requiredMemoryMiB: number;
  readonly requiredConnections: number;
}

/** The load of `rps` requests/s and `streamOpens` streams/s with the input's costs and headroom. */
function loadAt(i: ResolvedCapacityInput, rps: number, streamOpens: number): Load {
  const cores = rps * i.cpuSecondsPerRequest;
  const requestConcurrency = (rps * i.meanLatencyMs) / 1000;
  const streamConcurrency = streamOpens * i.meanStreamDurationSeconds;
  const totalConcurrency = requestConcurrency + streamConcurrency;
  return {
    rps,
    cores,
    requiredCores: cores * (1 + i.headroom),
    requestConcurrency,
    requestConcurrencyP99: (rps * i.p99LatencyMs) / 1000,
    streamConcurrency,
    totalConcurrency,
    requiredMemoryMiB: totalConcurrency * i.memoryPerConnectionMiB * (1 + i.headroom),
    requiredConnections: totalConcurrency * (1 + i.headroom),
  };
}

/** Task counts for one task size. */
interface Counts {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly tasksForCpu: number;
  readonly tasksForMemory: number;
  readonly tasksForPeak: number;
  readonly peakTasks: number;
  readonly trackingTasksForPeakWithHeadroom: number;
  readonly maxTasks: number;
}

function tasksForCpuOf(load: Load, cpu: number): number {
  return Math.max(1, ceilTolerant(load.requiredCores / (cpu / 1024)));
}

/** Whole connections a task of `memoryMiB` holds after its base memory (connections do not split across tasks). */
function connectionsPerTaskOf(i: ResolvedCapacityInput, memoryMiB: number): number {
  // Plain floor, like the validation's check that one connection fits: x ≥ y implies x / y ≥ 1 in floating point.
  return Math.floor((memoryMiB - i.baseMemoryPerTaskMiB) / i.memoryPerConnectionMiB);
}

function tasksForMemoryOf(load: Load, i: ResolvedCapacityInput, memoryMiB: number): number {
  return Math.max(1, ceilTolerant(load.requiredConnections / connectionsPerTaskOf(i, memoryMiB)));
}

/** Tasks a load needs with headroom on one task size: CPU, memory, and the larger of the two. */
function tasksFor(
  load: Load,
  i: ResolvedCapacityInput,
  cpu: number,
  memoryMiB: number,
): { cpu: number; memory: number; tasks: number; limitedBy: CapacityResource } {
  const forCpu = tasksForCpuOf(load, cpu);
  const forMemory = tasksForMemoryOf(load, i, memoryMiB);
  return {
    cpu: forCpu,
    memory: forMemory,
    tasks: Math.max(forCpu, forMemory),
    limitedBy: forMemory > forCpu ? CapacityResource.MEMORY : CapacityResource.CPU,
  };
}

/**
 * The AZ rule: the task count for `tasksNeeded` tasks in `availabilityZones` zones, at least one per
 * zone, and with `survivesAzLoss` enough that the zones left after losing one still run `tasksNeeded`.
 */
export function minTasksFor(tasksNeeded: number, availabilityZones: number, survivesAzLoss: boolean): number {
  if (survivesAzLoss && availabilityZones >= 2) {
    return availabilityZones * ceilTolerant(tasksNeeded / (availabilityZones - 1));
  }
  return Math.max(availabilityZones, tasksNeeded);
}

/**
 * Tasks target tracking runs for peak with headroom on one task size: each task held at the CPU target
 * (or the same share of the connections it holds), i.e. ⌈max(requiredCores / (vCPU × target),
 * requiredConnections / (connections per task × target))⌉. Uses the exact per-second rate, not the
 * per-minute ALB target rounded down, so that it grows with load.
 */
function trackingTasksFor(load: Load, i: ResolvedCapacityInput, cpu: number, memoryMiB: number): number {
  const target = i.targetCpuUtilizationPercent / 100;
  const forCpu = load.requiredCores / ((cpu / 1024) * target);
  const forMemory = load.requiredConnections / (connectionsPerTaskOf(i, memoryMiB) * target);
  return Math.max(1, ceilTolerant(Math.max(forCpu, forMemory)));
}

function countsFor(load: Load, i: ResolvedCapacityInput, cpu: number, memoryMiB: number): Counts {
  const need = tasksFor(load, i, cpu, memoryMiB);
  const peakTasks = minTasksFor(need.tasks, i.availabilityZones, i.survivesAzLoss);
  const tracking = trackingTasksFor(load, i, cpu, memoryMiB);
  const maxTasks = ceilTolerant(Math.max(peakTasks, tracking) * i.maxTasksFactor);
  return {
    cpu,
    memoryMiB,
    tasksForCpu: need.cpu,
    tasksForMemory: need.memory,
    tasksForPeak: need.tasks,
    peakTasks,
    trackingTasksForPeakWithHeadroom: tracking,
    maxTasks,
  };
}

/**
 * The memory the model gives a task of `cpu` units: the smallest Fargate memory that holds one
 * connection and keeps tasksForMemory ≤ tasksForCpu, so memory never adds tasks that CPU does not
 * need; when even the largest memory for that CPU cannot, the smallest memory that needs as few
 * tasks as the largest does (memory then decides the task count). `undefined` when one connection
 * does not fit in the largest memory.
 *
 * With this rule tasksForPeak = max(tasksForCpu, tasksForMemory at the largest memory), which
 * grows with every load input, so for a fixed CPU size the task counts never shrink as load grows.
 * Memory per task may shrink when more tasks (for CPU) share the connections.
 */
function memoryFor(load: Load, i: ResolvedCapacityInput, cpu: number): number | undefined {
  const options = fargateMemoryOptions(cpu).filter((m) => connectionsPerTaskOf(i, m) >= 1);
  if (options.length === 0) return undefined;
  const tasksForCpu = tasksForCpuOf(load, cpu);
  const fewest = tasksForMemoryOf(load, i, options[options.length - 1]);
  return options.find((m) => tasksForMemoryOf(load, i, m) <= Math.max(tasksForCpu, fewest))!;
}

/**
 * The memory the model would give a task of `cpu` units for this input's peak (see the rule above), or
 * undefined when one connection does not fit. Used to price task-size alternatives side by side.
 */
export function modelMemoryFor(input: CapacityInput, cpu: number): number | undefined {
  const i = validateCapacityInput({ ...input, taskCpu: undefined, taskMemoryMiB: undefined });
  return isValidFargateCpu(cpu) ? memoryFor(loadAt(i, i.peakRps, i.streamOpensPerSecond), i, cpu) : undefined;
}

interface Choice {
  readonly counts: Counts;
  readonly reason: string;
}

function chooseTaskSize(load: Load, i: ResolvedCapacityInput): Choice {
  const evaluate = (cpu: number): Counts | undefined => {
    const memoryMiB = memoryFor(load, i, cpu);
    return memoryMiB === undefined ? undefined : countsFor(load, i, cpu, memoryMiB);
  };
  const fits = (c: Counts | undefined): c is Counts => c !== undefined && c.maxTasks <= MAX_TASKS_PER_SERVICE;
  // PREFERRED_TASK_CPU: 2 vCPU once peak needs at least two such tasks and at least one per AZ.
  const threshold = Math.max(2, i.availabilityZones);
  const two = evaluate(PREFERRED_TASK_CPU[1]);
  if (fits(two) && two.tasksForPeak >= threshold) {
    return {
      counts: two,
      reason: `peak needs at least ${threshold} tasks of 2 vCPU (${two.tasksForPeak}: two or more, and one per AZ), so 2 vCPU tasks: fewer, larger tasks and no task that exists only to cover an AZ`,
    };
  }
  const one = evaluate(PREFERRED_TASK_CPU[0]);
  if (fits(one)) {
    return {
      counts: one,
      reason: `peak needs fewer than ${threshold} tasks of 2 vCPU (${two ? two.tasksForPeak : 'none fit'}), so 1 vCPU tasks, the smallest the model chooses (a Node.js server wants a whole core for its event loop)`,
    };
  }
  if (fits(two)) {
    return { counts: two, reason: 'one connection does not fit in a 1 vCPU task (at most 8192 MiB), so 2 vCPU tasks' };
  }
  for (const cpu of FARGATE_CPU_VALUES.filter((c) => c > 2048)) {
    const c = evaluate(cpu);
    if (fits(c)) {
      return {
        counts: c,
        reason: `1 and 2 vCPU tasks cannot hold one connection or would need more than ${MAX_TASKS_PER_SERVICE} tasks, so the smallest larger size that can: ${cpu / 1024} vCPU`,
      };
    }
  }
  const largest = evaluate(16384);
  throw new Error(
    `capacity: no Fargate task size can carry peakRps ${i.peakRps} within the ECS limit of ${MAX_TASKS_PER_SERVICE} tasks per service` +
      (largest ? ` (16 vCPU tasks would need maxTasks ${largest.maxTasks})` : '') +
      '; lower peakRps, cpuSecondsPerRequest, memoryPerConnectionMiB or maxTasksFactor, or split the service',
  );
}

/** A number for explanations: whole numbers as they are, others to 4 significant digits. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x) >= 1000) return String(Math.round(x * 10) / 10);
  return String(Number.parseFloat(x.toPrecision(4)));
}

/**
 * Sizes the service: validates the input ({@link validateCapacityInput}), derives cores, memory
 * and concurrency at peak and off-peak, chooses the task size when it is not given, and returns task
 * counts (minimum for the baseline, maximum for peak), scheduled minimums, scaling targets and an
 * explanation. Deterministic; throws on bad input or a plan ECS cannot run.
 */
export function planCapacity(input: CapacityInput): CapacityPlan {
  const i = validateCapacityInput(input);
  const load = loadAt(i, i.peakRps, i.streamOpensPerSecond);
  const base = loadAt(i, i.baselineRps, i.baselineStreamOpensPerSecond);
  const f = formatNumber;

  let counts: Counts;
  let sizeReason = '';
  const taskSizeChosen = i.taskCpu === undefined || i.taskMemoryMiB === undefined;
  if (i.taskCpu !== undefined && i.taskMemoryMiB !== undefined) {
    counts = countsFor(load, i, i.taskCpu, i.taskMemoryMiB);
    if (counts.maxTasks > MAX_TASKS_PER_SERVICE) {
      throw new Error(
        `capacity: the plan needs maxTasks ${counts.maxTasks} of taskCpu ${i.taskCpu} / taskMemoryMiB ${i.taskMemoryMiB}, above the ECS limit of ${MAX_TASKS_PER_SERVICE} tasks per service; choose a larger taskCpu/taskMemoryMiB, lower maxTasksFactor or split the service`,
      );
    }
  } else {
    const choice = chooseTaskSize(load, i);
    counts = choice.counts;
    sizeReason = choice.reason;
  }

  const { cpu, memoryMiB, tasksForCpu, tasksForMemory, tasksForPeak, peakTasks, maxTasks } = counts;
  const azs = i.availabilityZones;
  const baseNeed = tasksFor(base, i, cpu, memoryMiB);
  const minTasks = minTasksFor(baseNeed.tasks, azs, i.survivesAzLoss);
  const taskVcpu = cpu / 1024;
  const connectionMemoryPerTaskMiB = memoryMiB - i.baseMemoryPerTaskMiB;
  const maxConnectionsPerTask = connectionsPerTaskOf(i, memoryMiB);
  const tasksPerAz = Math.ceil(peakTasks / azs);
  const tasksAfterAzLoss = azs >= 2 ? peakTasks - tasksPerAz : 0;
  const target = i.targetCpuUtilizationPercent / 100;

  const requestsPerTaskPerSecondForCpu = (taskVcpu * target) / i.cpuSecondsPerRequest;
  // Connections per task grow with its request rate r as r × totalConcurrency / peakRps (streams
  // assumed to grow in proportion to requests); the task fills the same percentage of the
  // connections its memory holds at this rate.
  const requestsPerTaskPerSecondForMemory = maxConnectionsPerTask * target * (i.peakRps / load.totalConcurrency);
  const scalingLimitedBy =
    requestsPerTaskPerSecondForMemory < requestsPerTaskPerSecondForCpu ? CapacityResource.MEMORY : CapacityResource.CPU;
  const requestsPerTaskPerSecond = Math.min(requestsPerTaskPerSecondForCpu, requestsPerTaskPerSecondForMemory);
  const requestsPerTaskPerMinute = Math.max(1, floorTolerant(requestsPerTaskPerSecond * 60));
  const trackingTasksAtPeak = Math.min(maxTasks, ceilTolerant(i.peakRps / requestsPerTaskPerSecond));
  const trackingTasksAtBaseline = Math.min(
    maxTasks,
    Math.max(minTasks, ceilTolerant(i.baselineRps / requestsPerTaskPerSecond)),
  );

  const fleetConnectionMemoryMiB = peakTasks * connectionMemoryPerTaskMiB;
  const fleetConnections = peakTasks * maxConnectionsPerTask;
  const burstConnections = load.requestConcurrencyP99 + load.streamConcurrency;
  const burstMemoryMiB = burstConnections * i.memoryPerConnectionMiB;
  const peakCpuUtilizationPercent = (load.cores / (peakTasks * taskVcpu)) * 100;

  const scheduledMinimums: ScheduledMinimum[] = i.schedule.map((window) => {
    const need = tasksFor(loadAt(i, window.expectedRps, window.expectedStreamOpensPerSecond), i, cpu, memoryMiB);
    return {
      window,
      minTasks: Math.min(maxTasks, Math.max(minTasks, minTasksFor(need.tasks, azs, i.survivesAzLoss))),
      limitedBy: need.limitedBy,
    };
  });

  const derived: CapacityDerived = {
    peakCores: load.cores,
    requiredCores: load.requiredCores,
    requestConcurrency: load.requestConcurrency,
    requestConcurrencyP99: load.requestConcurrencyP99,
    streamConcurrency: load.streamConcurrency,
    totalConcurrency: load.totalConcurrency,
    requiredMemoryMiB: load.requiredMemoryMiB,
    requiredConnections: load.requiredConnections,
    tasksForCpu,
    tasksForMemory,
    tasksForPeak,
    concurrencyPerTask: load.totalConcurrency / peakTasks,
    taskVcpu,
    connectionMemoryPerTaskMiB,
    maxConnectionsPerTask,
    taskSizeChosen,
    peakLimitedBy: tasksForMemory > tasksForCpu ? CapacityResource.MEMORY : CapacityResource.CPU,
    tasksPerAz,
    tasksAfterAzLoss,
    peakCpuUtilizationPercent,
    fleetConnectionMemoryMiB,
    fleetConnections,
    burstMemoryMiB,
    burstFits: burstConnections <= fleetConnections,
    requestsPerTaskPerSecondForCpu,
    requestsPerTaskPerSecondForMemory,
    scalingLimitedBy,
    baselineCores: base.cores,
    baselineRequiredCores: base.requiredCores,
    baselineConcurrency: base.totalConcurrency,
    baselineRequiredConnections: base.requiredConnections,
    baselineTasksForCpu: baseNeed.cpu,
    baselineTasksForMemory: baseNeed.memory,
    tasksForBaseline: baseNeed.tasks,
    baselineLimitedBy: baseNeed.limitedBy,
    trackingTasksAtPeak,
    trackingTasksForPeakWithHeadroom: counts.trackingTasksForPeakWithHeadroom,
    trackingTasksAtBaseline,
  };

  const h = f(i.headroom * 100);
  const azText = `${azs} AZ${azs > 1 ? 's' : ''}`;
  const azRule = (n: number, tasks: number, what: string): string =>
    i.survivesAzLoss
      ? `${Math.ceil(n / azs)} per AZ × ${azs} AZs, so after losing one AZ ${azs > 2 ? `the other ${azs - 1} still run` : 'the other still runs'} ${n - Math.ceil(n / azs)} ≥ ${tasks} tasks ${what}`
      : `max(${azText}, ${tasks} ${what}); losing an AZ is not planned for`;
  const baselineSource =
    input.baselineRps === undefined
      ? `default: ${f(CAPACITY_DEFAULTS.baselineFraction * 100)} % of peak`
      : `${f((i.baselineRps / i.peakRps) * 100)} % of peak`;
  const explanation: string[] = [
    `CPU: ${f(i.peakRps)} req/s × ${f(i.cpuSecondsPerRequest)} CPU-s = ${f(load.cores)} cores at peak; with ${h} % headroom ${f(load.requiredCores)} cores.`,
    `Concurrency (Little's law, in flight = arrival rate × time in system): requests ${f(i.peakRps)}/s × ${f(i.meanLatencyMs / 1000)} s = ${f(load.requestConcurrency)}` +
      ` (p99 burst bound ${f(load.requestConcurrencyP99)}); streams ${f(i.streamOpensPerSecond)}/s × ${f(i.meanStreamDurationSeconds)} s = ${f(load.streamConcurrency)}; total ${f(load.totalConcurrency)}.`,
    `Memory: ${f(load.totalConcurrency)} connections × ${f(i.memoryPerConnectionMiB)} MiB × ${f(1 + i.headroom)} = ${f(load.requiredMemoryMiB)} MiB for connections,` +
      ` plus ${f(i.baseMemoryPerTaskMiB)} MiB base per task (memory is held per open connection, so it follows concurrency, not the request rate).`,
    taskSizeChosen
      ? `Task size ${f(taskVcpu)} vCPU / ${memoryMiB} MiB, chosen: ${sizeReason}; memory is the smallest Fargate size that adds no tasks for memory` +
        ` (when memory decides, the smallest that needs as few tasks as the largest); ${f(connectionMemoryPerTaskMiB)} MiB per task for connections = ${maxConnectionsPerTask} connections.`
      : `Task size ${f(taskVcpu)} vCPU / ${memoryMiB} MiB, given; ${f(connectionMemoryPerTaskMiB)} MiB per task for connections = ${maxConnectionsPerTask} connections.`,
    `Tasks for peak: CPU ⌈${f(load.requiredCores)} cores / ${f(taskVcpu)}⌉ = ${tasksForCpu}, memory ⌈${f(load.requiredConnections)} connections / ${maxConnectionsPerTask}⌉ = ${tasksForMemory};` +
      ` ${tasksForPeak} (${derived.peakLimitedBy} decides).`,
    `Baseline (off-peak): ${f(i.baselineRps)} req/s (${baselineSource}) × ${f(i.cpuSecondsPerRequest)} CPU-s = ${f(base.cores)} cores, ${f(base.requiredCores)} with headroom;` +
      ` ${f(base.totalConcurrency)} connections, ${f(base.requiredConnections)} with headroom; tasks: CPU ${baseNeed.cpu}, memory ${baseNeed.memory}; ${baseNeed.tasks} (${baseNeed.limitedBy} decides).`,
    `Minimum ${minTasks} tasks, for the baseline: ${azRule(minTasks, baseNeed.tasks, 'for the baseline')}.`,
    `Peak fleet ${peakTasks} tasks carry peak with headroom at full CPU: ${azRule(peakTasks, tasksForPeak, 'for peak')}.`,
    `Maximum ${maxTasks} tasks: target tracking holds each task at ${f(i.targetCpuUtilizationPercent)} %, so peak with headroom needs ${counts.trackingTasksForPeakWithHeadroom} tasks` +
      ` (⌈${f(load.requiredCores)} cores / (${f(taskVcpu)} × ${f(target)})⌉${scalingLimitedBy === CapacityResource.MEMORY ? `, or ⌈${f(load.requiredConnections)} connections / (${maxConnectionsPerTask} × ${f(target)})⌉` : ''}); ⌈max(${peakTasks}, ${counts.trackingTasksForPeakWithHeadroom}) × ${f(i.maxTasksFactor)}⌉.`,
    `Scaling: one task reaches ${f(i.targetCpuUtilizationPercent)} % at ${f(requestsPerTaskPerSecond)} req/s (${requestsPerTaskPerMinute} per minute for ALB RequestCountPerTarget), limited by ${scalingLimitedBy};` +
      ` target tracking runs about ${trackingTasksAtBaseline} tasks off-peak and ${trackingTasksAtPeak} at peak (CPU ${f(peakCpuUtilizationPercent)} % at peak on the ${peakTasks} of the peak fleet).`,
  ];
  for (const s of scheduledMinimums) {
    explanation.push(
      `Schedule ${s.window.name}: from "${s.window.startCron}" to "${s.window.endCron}" (${s.window.timeZone}) the minimum is ${s.minTasks} tasks for ${f(s.window.expectedRps)} req/s expected (${s.limitedBy} decides).`,
    );
  }
  if (i.baselineRps === i.peakRps && i.baselineStreamOpensPerSecond === i.streamOpensPerSecond) {
    explanation.push(
      'Note: baselineRps equals peakRps, so the minimum is sized for peak and the fleet never scales in.',
    );
  }
  if (maxTasks === minTasks) {
    explanation.push(
      `Note: maxTasks equals minTasks (${minTasks}): autoscaling has no room to move (raise maxTasksFactor or lower baselineRps).`,
    );
  }
  if (scalingLimitedBy === CapacityResource.MEMORY) {
    explanation.push(
      'Note: memory binds before CPU; scale on memory utilisation as well, CPU target tracking alone will not see it.',
    );
  }
  if (!derived.burstFits) {
    explanation.push(
      `Warning: a p99 burst (${f(burstConnections)} connections, ${f(burstMemoryMiB)} MiB) exceeds what the peak fleet holds (${fleetConnections} connections, ${f(fleetConnectionMemoryMiB)} MiB).`,
    );
  }
  if (i.cpuSecondsPerRequest > i.meanLatencyMs / 1000) {
    explanation.push(
      `Warning: cpuSecondsPerRequest (${f(i.cpuSecondsPerRequest)} s) exceeds the mean latency (${f(i.meanLatencyMs / 1000)} s); one request can only use that much CPU if it runs on several cores at once. Check the inputs.`,
    );
  }

  return {
    input: i,
    taskCpu: cpu,
    taskMemoryMiB: memoryMiB,
    minTasks,
    peakTasks,
    maxTasks,
    scheduledMinimums,
    requestsPerTaskPerMinute,
    requestsPerTaskPerSecond,
    targetCpuUtilizationPercent: i.targetCpuUtilizationPercent,
    derived,
    explanation,
  };
}
