/**
 * The seam between the review report and a cost model. The report reads the capacity a template deploys
 * ({@link CapacityFacts}) and asks a {@link CostModel} for its monthly cost; without one it renders
 * "cost: not available in this build". `mcp-ops review` prices with the capacity model's price table
 * (cli/review/price.ts, over lib/capacity/prices.ts).
 */

/** One ECS service's capacity, from its task definition and scalable target. */
export interface ServiceCapacity {
  readonly id: string;
  readonly name: string;
  readonly launchType: string;
  /** Fargate CPU units (1024 = 1 vCPU). */
  readonly taskCpu?: number;
  readonly taskMemoryMiB?: number;
  /** `ARM64` or `X86_64`. */
  readonly architecture: string;
  readonly desiredCount?: number;
  readonly minTasks?: number;
  readonly maxTasks?: number;
  /** Target-tracking policies as `metric → target`. */
  readonly scaling: readonly string[];
}

/** A database or cache node group. */
export interface DataCapacity {
  readonly id: string;
  readonly name: string;
  readonly kind: 'database' | 'cache';
  readonly engine?: string;
  readonly instanceClass?: string;
  readonly nodes: number;
  readonly multiAz: boolean;
  readonly storageGiB?: number;
}

/** The other resources a template deploys that bill by the hour or the month, counted. */
export interface BillableCounts {
  /** Availability zones of the template's subnets (interface endpoints bill once per zone). */
  readonly availabilityZones: number;
  /** The NAT gateways' Elastic IPs plus one address per subnet of an internet-facing load balancer. */
  readonly publicIpv4Addresses: number;
  /** Standard-resolution alarm metrics (a metric-math alarm counts each metric it reads). */
  readonly standardAlarmMetrics: number;
  /** High-resolution (period under 60 s) alarm metrics. */
  readonly highResolutionAlarmMetrics: number;
  /** Anomaly-detection alarms. */
  readonly anomalyDetectionAlarms: number;
  readonly compositeAlarms: number;
  readonly dashboards: number;
  /** Customer-managed KMS keys. */
  readonly kmsKeys: number;
  readonly secrets: number;
  /** Data Firehose delivery streams. */
  readonly firehoseStreams: number;
  readonly interfaceEndpoints: number;
  readonly gatewayEndpoints: number;
}

/** What the template deploys that costs money by the hour. */
export interface CapacityFacts {
  readonly region?: string;
  readonly services: readonly ServiceCapacity[];
  readonly data: readonly DataCapacity[];
  readonly natGateways: number;
  readonly loadBalancers: number;
  readonly lambdaFunctions: number;
  /** Everything else that bills by the hour or the month. */
  readonly billable: BillableCounts;
}

/** One line of a cost estimate. */
export interface CostLine {
  readonly item: string;
  readonly monthlyUsd: number;
}

/** A monthly cost estimate. */
export interface MonthlyCost {
  /** At the minimum capacity (the steady state the plan pays for). */
  readonly totalUsd: number;
  /** At the autoscaling maximum, when the model distinguishes it. */
  readonly atMaximumUsd?: number;
  readonly lines: readonly CostLine[];
  /** Assumptions and what the estimate leaves out (data transfer, requests, storage growth, …). */
  readonly notes: readonly string[];
}

/** Prices a capacity plan. Returns undefined when it cannot price this region or configuration. */
export interface CostModel {
  monthlyCost(facts: CapacityFacts): MonthlyCost | undefined;
}
