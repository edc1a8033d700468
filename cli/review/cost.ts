/**
 * The seam between the review report and a cost model. The report reads the capacity a template deploys
 * ({@link CapacityFacts}) and asks a {@link CostModel} for its monthly cost; without one it renders
 * "cost: not available in this build". The price table and model live in lib/capacity (another change);
 * wiring it is one line in cli/review/index.ts (`costModel: …`).
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

/** What the template deploys that costs money by the hour. */
export interface CapacityFacts {
  readonly region?: string;
  readonly services: readonly ServiceCapacity[];
  readonly data: readonly DataCapacity[];
  readonly natGateways: number;
  readonly loadBalancers: number;
  readonly lambdaFunctions: number;
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
