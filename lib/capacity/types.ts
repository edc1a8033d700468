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
   * Ratio of maximum tasks to minimum tasks: how far autoscaling may grow the fleet for a surge beyond
   * plan (the minimum already carries peak with headroom). ≥ 1; 1 turns scaling out off.
   * @default 2
   */
  readonly maxTasksFactor?: number;
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
  /** Concurrent connections one task carries at peak when minTasks run. */
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
  /** The resource that decides tasksForPeak: `memory` when tasksForMemory > tasksForCpu, else `cpu`. */
  readonly peakLimitedBy: 'cpu' | 'memory';
  /** Most tasks in one AZ when minTasks run spread evenly: ⌈minTasks / availabilityZones⌉. */
  readonly tasksPerAz: number;
  /** Tasks left after losing the AZ with the most tasks: minTasks − tasksPerAz (0 with one AZ). */
  readonly tasksAfterAzLoss: number;
  /** CPU utilisation at peak when minTasks run, percent: peakCores / (minTasks × taskVcpu) × 100. */
  readonly peakCpuUtilizationPercent: number;
  /** Connection memory of the minimum fleet, MiB: minTasks × connectionMemoryPerTaskMiB. */
  readonly fleetConnectionMemoryMiB: number;
  /** Connections the minimum fleet holds: minTasks × maxConnectionsPerTask. */
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
  readonly scalingLimitedBy: 'cpu' | 'memory';
}

/** The model's answer. */
export interface CapacityPlan {
  /** The input with every default filled in. */
  readonly input: Required<Omit<CapacityInput, 'taskCpu' | 'taskMemoryMiB'>> & {
    taskCpu?: number;
    taskMemoryMiB?: number;
  };
  /** Task CPU in Fargate CPU units (1024 = 1 vCPU). */
  readonly taskCpu: number;
  /** Task memory in MiB; (taskCpu, taskMemoryMiB) is a valid Fargate combination. */
  readonly taskMemoryMiB: number;
  /** Minimum tasks: ≥ availabilityZones, and enough for peak with one AZ lost when survivesAzLoss. */
  readonly minTasks: number;
  /** Maximum tasks for autoscaling: ≥ minTasks. */
  readonly maxTasks: number;
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
