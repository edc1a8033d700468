/**
 * Types of the capacity model. Pure data: no CDK imports, so the model can be used from
 * the CLI, tests and other tools.
 */

/** What the service must carry at peak, and what one request costs. */
export interface CapacityInput {
  /** Peak request/response arrivals per second (MCP JSON-RPC POSTs). Must be > 0. */
  readonly peakRps: number;
  /** Mean time a request spends in the system, in milliseconds. Must be > 0. */
  readonly meanLatencyMs: number;
  /**
   * 99th-percentile latency in milliseconds. Must be ≥ meanLatencyMs.
   * @default 10 × meanLatencyMs
   */
  readonly p99LatencyMs?: number;
  /** CPU-seconds (vCPU-seconds) one request consumes. Must be > 0. */
  readonly cpuSecondsPerRequest: number;
  /** Memory held per concurrent connection (request in flight or open stream), in MiB. Must be > 0. */
  readonly memoryPerConnectionMiB: number;
  /**
   * Long-lived streams (MCP Streamable HTTP GET/SSE) opened per second at peak. Must be ≥ 0.
   * @default 0
   */
  readonly streamOpensPerSecond?: number;
  /**
   * Mean lifetime of a long-lived stream, in seconds. Must be > 0 when streams are opened.
   * @default 300
   */
  readonly meanStreamDurationSeconds?: number;
  /**
   * Baseline memory of one task before any connection (runtime, heap, caches), in MiB. Must be ≥ 0.
   * @default 256
   */
  readonly baseMemoryPerTaskMiB?: number;
  /**
   * Headroom above peak, as a fraction (0.5 = 50 % more than peak). Must be ≥ 0 and ≤ 10.
   * @default 0.5
   */
  readonly headroom?: number;
  /** Availability zones the service runs in. Integer ≥ 1 (≥ 2 for high availability). @default 2 */
  readonly availabilityZones?: number;
  /**
   * Keep enough capacity for peak (with headroom) when one availability zone is lost: the tasks are
   * spread evenly so that the zones left still run the tasks peak needs. With 2 zones this doubles the
   * fleet, so it is opt-in.
   * @default false
   */
  readonly survivesAzLoss?: boolean;
  /**
   * Task CPU in Fargate CPU units (256 = 0.25 vCPU … 16384 = 16 vCPU). When omitted the model chooses.
   * @default chosen by the model
   */
  readonly taskCpu?: number;
  /**
   * Task memory in MiB; must form a valid Fargate combination with taskCpu. When omitted the model chooses.
   * @default chosen by the model
   */
  readonly taskMemoryMiB?: number;
  /**
   * Target CPU utilisation for target tracking, in percent (1–100).
   * @default 60
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Room for a surge beyond plan: the maximum task count is the count that carries peak with headroom
   * (see {@link CapacityPlan.maxTasks}) times this factor, rounded up. ≥ 1.
   * @default 1 (the maximum carries peak with headroom, and no more)
   */
  readonly maxTasksFactor?: number;
  /**
   * Off-peak request rate (requests/s) the minimum fleet carries with headroom: a quiet night or weekend.
   * From more than 0 to peakRps; equal to peakRps sizes the minimum for peak (the fleet never scales in).
   * @default peakRps × 0.25 ({@link CapacityModel.DEFAULT_BASELINE_FRACTION}, see docs/capacity.md)
   */
  readonly baselineRps?: number;
  /**
   * Long-lived streams opened per second off-peak. From 0 to streamOpensPerSecond.
   * @default streamOpensPerSecond × baselineRps / peakRps (streams follow requests)
   */
  readonly baselineStreamOpensPerSecond?: number;
  /**
   * Known peaks: windows during which the minimum is raised to carry the load expected in them, so the
   * fleet is already there when the load arrives (ECS scheduled scaling actions). At most 20 windows.
   * @default no schedule: the minimum carries the baseline at all times
   */
  readonly schedule?: CapacityScheduleWindow[];
}

/** A known peak: from `startCron` to `endCron` the minimum carries `expectedRps` with headroom. */
export interface CapacityScheduleWindow {
  /** Name of the window, used in the scheduled actions' ids: a letter, then letters and digits, 1–32 characters. */
  readonly name: string;
  /**
   * When the raised minimum starts: an Application Auto Scaling cron expression body with 6 fields
   * (minutes hours day-of-month month day-of-week year; one of day-of-month and day-of-week is `?`), e.g.
   * `45 7 ? * MON-FRI *` for 07:45 on weekdays. Start it ahead of the peak by the time new tasks need to
   * pass their health checks (a few minutes). `cron(...)` around it is accepted.
   */
  readonly startCron: string;
  /** When the minimum returns to the baseline's: a cron expression like `startCron`, e.g. `0 18 ? * MON-FRI *`. */
  readonly endCron: string;
  /** Requests per second expected in the window: from baselineRps to peakRps. */
  readonly expectedRps: number;
  /**
   * Long-lived streams opened per second expected in the window, from 0 to streamOpensPerSecond.
   * @default streamOpensPerSecond × expectedRps / peakRps
   */
  readonly expectedStreamOpensPerSecond?: number;
  /**
   * IANA time zone of both cron expressions, e.g. `Europe/Dublin`.
   * @default 'UTC'
   */
  readonly timeZone?: string;
}

/** A window of the schedule with every default filled in. */
export interface ResolvedScheduleWindow {
  /** Name of the window. */
  readonly name: string;
  /** Start, as a 6-field cron expression body (without `cron(`). */
  readonly startCron: string;
  /** End, as a 6-field cron expression body. */
  readonly endCron: string;
  /** Requests per second expected in the window. */
  readonly expectedRps: number;
  /** Streams opened per second expected in the window. */
  readonly expectedStreamOpensPerSecond: number;
  /** IANA time zone of the crons. */
  readonly timeZone: string;
}

/** The minimum in force during one window of the schedule. */
export interface ScheduledMinimum {
  /** The window, with defaults filled in. */
  readonly window: ResolvedScheduleWindow;
  /** Minimum tasks during the window: the window's load with headroom, under the AZ rules; between minTasks and maxTasks. */
  readonly minTasks: number;
  /** The resource that decides it. */
  readonly limitedBy: CapacityResource;
}

/** The resource that decides a task count or a scaling target. */
export enum CapacityResource {
  /** CPU decides. */
  CPU = 'cpu',
  /** Memory (whole connections per task) decides. */
  MEMORY = 'memory',
}

/** A {@link CapacityInput} with every default filled in (what {@link CapacityPlan.input} holds). */
export interface ResolvedCapacityInput {
  /** Peak requests/s. */
  readonly peakRps: number;
  /** Mean latency, ms. */
  readonly meanLatencyMs: number;
  /** p99 latency, ms. */
  readonly p99LatencyMs: number;
  /** CPU-seconds per request. */
  readonly cpuSecondsPerRequest: number;
  /** MiB per open connection. */
  readonly memoryPerConnectionMiB: number;
  /** Streams opened per second at peak. */
  readonly streamOpensPerSecond: number;
  /** Mean stream lifetime, s. */
  readonly meanStreamDurationSeconds: number;
  /** Base memory of a task, MiB. */
  readonly baseMemoryPerTaskMiB: number;
  /** Headroom fraction. */
  readonly headroom: number;
  /** Availability zones. */
  readonly availabilityZones: number;
  /** Whether peak is carried with one AZ lost. */
  readonly survivesAzLoss: boolean;
  /** Task CPU units, when given. */
  readonly taskCpu?: number;
  /** Task memory MiB, when given. */
  readonly taskMemoryMiB?: number;
  /** CPU target, percent. */
  readonly targetCpuUtilizationPercent: number;
  /** Surge factor on the maximum. */
  readonly maxTasksFactor: number;
  /** Off-peak requests/s. */
  readonly baselineRps: number;
  /** Off-peak streams opened per second. */
  readonly baselineStreamOpensPerSecond: number;
  /** Known peaks (empty without a schedule). */
  readonly schedule: ResolvedScheduleWindow[];
}

/** Figures the model derived, for reports and for alarms. */
export interface CapacityDerived {
  /** Cores needed at peak before headroom: peakRps × cpuSecondsPerRequest. */
  readonly peakCores: number;
  /** Cores needed with headroom: peakCores × (1 + headroom). */
  readonly requiredCores: number;
  /** Concurrent requests in flight at peak by Little's law: peakRps × meanLatency. */
  readonly requestConcurrency: number;
  /** Concurrent requests at the p99 tail: peakRps × p99Latency (a burst bound). */
  readonly requestConcurrencyP99: number;
  /** Concurrent long-lived streams at peak by Little's law: streamOpensPerSecond × meanStreamDuration. */
  readonly streamConcurrency: number;
  /** requestConcurrency + streamConcurrency. */
  readonly totalConcurrency: number;
  /** Memory needed for connections with headroom, MiB: totalConcurrency × memoryPerConnection × (1 + headroom). */
  readonly requiredMemoryMiB: number;
  /** Tasks needed at peak for CPU alone. */
  readonly tasksForCpu: number;
  /**
   * Tasks needed at peak for memory alone: ⌈requiredConnections / maxConnectionsPerTask⌉ (a connection's
   * memory is not split across tasks).
   */
  readonly tasksForMemory: number;
  /** Tasks needed to carry peak with headroom (max of CPU and memory), before the AZ rules. */
  readonly tasksForPeak: number;
  /** Concurrent connections one task carries at peak when peakTasks run (the alarm on connections per task uses it). */
  readonly concurrencyPerTask: number;
  /** Task vCPU: taskCpu / 1024. */
  readonly taskVcpu: number;
  /** Memory of one task left for connections, MiB: taskMemoryMiB − baseMemoryPerTaskMiB. */
  readonly connectionMemoryPerTaskMiB: number;
  /** Connections with headroom to hold at peak: totalConcurrency × (1 + headroom). */
  readonly requiredConnections: number;
  /** Whole connections one task's memory holds: ⌊connectionMemoryPerTaskMiB / memoryPerConnectionMiB⌋ (≥ 1). */
  readonly maxConnectionsPerTask: number;
  /** True when the model chose the task size (taskCpu/taskMemoryMiB were not given). */
  readonly taskSizeChosen: boolean;
  /** The resource that decides tasksForPeak: memory when tasksForMemory > tasksForCpu, else CPU. */
  readonly peakLimitedBy: CapacityResource;
  /** Most tasks in one AZ when peakTasks run spread evenly: ⌈peakTasks / availabilityZones⌉. */
  readonly tasksPerAz: number;
  /** Tasks left after losing the AZ with the most tasks: peakTasks − tasksPerAz (0 with one AZ). */
  readonly tasksAfterAzLoss: number;
  /** CPU utilisation at peak when peakTasks run, percent: peakCores / (peakTasks × taskVcpu) × 100. */
  readonly peakCpuUtilizationPercent: number;
  /** Connection memory of the peak fleet, MiB: peakTasks × connectionMemoryPerTaskMiB. */
  readonly fleetConnectionMemoryMiB: number;
  /** Connections the peak fleet holds: peakTasks × maxConnectionsPerTask. */
  readonly fleetConnections: number;
  /** Memory of a p99 burst without headroom, MiB: (requestConcurrencyP99 + streamConcurrency) × memoryPerConnectionMiB. */
  readonly burstMemoryMiB: number;
  /** True when the burst's connections (requestConcurrencyP99 + streamConcurrency) ≤ fleetConnections (the explanation warns otherwise). */
  readonly burstFits: boolean;
  /** Requests/s at which one task reaches the CPU target: taskVcpu × target% / cpuSecondsPerRequest. */
  readonly requestsPerTaskPerSecondForCpu: number;
  /**
   * Requests/s at which one task fills the same percentage of the connections its memory holds, assuming
   * streams grow in proportion to requests: maxConnectionsPerTask × target% × peakRps / totalConcurrency.
   */
  readonly requestsPerTaskPerSecondForMemory: number;
  /** Which of the two rates is lower and so sets requestsPerTaskPerSecond. */
  readonly scalingLimitedBy: CapacityResource;
  /** Cores needed off-peak before headroom: baselineRps × cpuSecondsPerRequest. */
  readonly baselineCores: number;
  /** Off-peak cores with headroom. */
  readonly baselineRequiredCores: number;
  /** Connections open off-peak (Little's law, requests and streams). */
  readonly baselineConcurrency: number;
  /** Off-peak connections with headroom. */
  readonly baselineRequiredConnections: number;
  /** Tasks the baseline needs with headroom for CPU alone. */
  readonly baselineTasksForCpu: number;
  /** Tasks the baseline needs with headroom for memory alone. */
  readonly baselineTasksForMemory: number;
  /** Tasks the baseline needs with headroom, before the AZ rules: max of the two. */
  readonly tasksForBaseline: number;
  /** The resource that decides tasksForBaseline. */
  readonly baselineLimitedBy: CapacityResource;
  /** Tasks target tracking runs at peak: ⌈peakRps / requestsPerTaskPerSecond⌉. */
  readonly trackingTasksAtPeak: number;
  /** Tasks target tracking runs for peak with headroom: ⌈peakRps × (1 + headroom) / requestsPerTaskPerSecond⌉. */
  readonly trackingTasksForPeakWithHeadroom: number;
  /** Tasks target tracking runs off-peak: ⌈baselineRps / requestsPerTaskPerSecond⌉, at least minTasks. */
  readonly trackingTasksAtBaseline: number;
}

/** The model's answer. */
export interface CapacityPlan {
  /** The input with every default filled in. */
  readonly input: ResolvedCapacityInput;
  /** Task CPU in Fargate CPU units (1024 = 1 vCPU). */
  readonly taskCpu: number;
  /** Task memory in MiB; (taskCpu, taskMemoryMiB) is a valid Fargate combination. */
  readonly taskMemoryMiB: number;
  /**
   * Minimum tasks: carry the baseline with headroom; at least one per AZ, and with survivesAzLoss enough
   * that the AZs left after losing one still carry the baseline with headroom.
   */
  readonly minTasks: number;
  /**
   * Tasks that carry peak with headroom (at full CPU), under the same AZ rules: what the minimum was
   * before the baseline existed. minTasks ≤ peakTasks ≤ maxTasks.
   */
  readonly peakTasks: number;
  /**
   * Maximum tasks for autoscaling: the tasks target tracking runs for peak with headroom (each task held
   * at the scaling target), at least peakTasks, times maxTasksFactor. ≥ minTasks.
   */
  readonly maxTasks: number;
  /** Raised minimums of the schedule's windows, in the order given (empty without a schedule). */
  readonly scheduledMinimums: ScheduledMinimum[];
  /**
   * ALB RequestCountPerTarget target for request-count scaling (requests per task per minute):
   * ⌊requestsPerTaskPerSecond × 60⌋, at least 1.
   */
  readonly requestsPerTaskPerMinute: number;
  /**
   * Requests per second one task should carry at the scaling target: the rate at which it reaches
   * targetCpuUtilizationPercent of its CPU (or, if lower, of its connection memory). Not rounded.
   */
  readonly requestsPerTaskPerSecond: number;
  /** CPU utilisation target for target tracking, percent. */
  readonly targetCpuUtilizationPercent: number;
  /** Derived figures. */
  readonly derived: CapacityDerived;
  /** A few sentences explaining how the numbers were reached. */
  readonly explanation: string[];
}
