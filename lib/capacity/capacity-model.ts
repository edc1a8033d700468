/**
 * The public face of the capacity model: one class with static methods (so that jsii keeps it for
 * Python, Java, .NET and Go), over the pure functions of this folder. No CDK imports.
 */
import { ConnectionBudget, ConnectionBudgetInput, connectionBudget } from './connections';
import {
  CostOptions,
  DefaultAppInventoryOptions,
  HOURS_PER_MONTH,
  PlanCost,
  StackInventory,
  costPlan,
  defaultAppInventory,
} from './cost';
import { FargateSize, fargateMemoryOptions, fargateSizes, isValidFargateSize } from './fargate';
import { CAPACITY_DEFAULTS, MAX_TASKS_PER_SERVICE, planCapacity, validateCapacityInput } from './model';
import { PRICED_REGIONS } from './prices';
import { CapacityInput, CapacityPlan, ResolvedCapacityInput } from './types';

/**
 * Sizes an MCP service on Fargate from its load (docs/capacity.md): task size, a minimum for the
 * off-peak baseline, a maximum for peak, scheduled minimums for known peaks, scaling targets; what the
 * plan and the stack around it cost per month; and whether the database connections fit.
 */
export class CapacityModel {
  /** Off-peak load as a fraction of peak when `baselineRps` is not given (0.25; docs/capacity.md says why). */
  public static readonly DEFAULT_BASELINE_FRACTION: number = CAPACITY_DEFAULTS.baselineFraction;
  /** The ECS quota of tasks per service: a plan above it is rejected. */
  public static readonly MAX_TASKS_PER_SERVICE: number = MAX_TASKS_PER_SERVICE;
  /** Hours in the month the cost model prices (730 = 8760 / 12). */
  public static readonly HOURS_PER_MONTH: number = HOURS_PER_MONTH;

  /**
   * Plans capacity: validates the input, chooses the task size when it is not given, and returns the
   * task counts, scheduled minimums, scaling targets, derived figures and an explanation. Throws an
   * error naming the field, the value and what is allowed on bad input.
   */
  public static plan(input: CapacityInput): CapacityPlan {
    return planCapacity(input);
  }

  /** Validates an input and returns it with every default filled in (throws like {@link plan}). */
  public static validate(input: CapacityInput): ResolvedCapacityInput {
    return validateCapacityInput(input);
  }

  /**
   * The monthly cost of a plan and the stack around it, at idle (minimum tasks, no traffic) and at peak
   * (maximum tasks, peak traffic all month), from the price table; with the VPC-endpoint break-even.
   */
  public static cost(plan: CapacityPlan, options: CostOptions): PlanCost {
    return costPlan(plan, options);
  }

  /** What the default app deploys around the tasks, counted for pricing. */
  public static defaultAppInventory(options?: DefaultAppInventoryOptions): StackInventory {
    return defaultAppInventory(options);
  }

  /** The regions the price table covers. */
  public static pricedRegions(): string[] {
    return [...PRICED_REGIONS];
  }

  /**
   * Whether the service's connection pools at the maximum task count, plus the other database clients,
   * fit the instance class's max_connections with margin; with the fixes when they do not.
   */
  public static connectionBudget(input: ConnectionBudgetInput): ConnectionBudget {
    return connectionBudget(input);
  }

  /** True when (cpu, memoryMiB) is a valid Fargate task size. */
  public static isValidFargateSize(cpu: number, memoryMiB: number): boolean {
    return isValidFargateSize(cpu, memoryMiB);
  }

  /** Every valid Fargate task size, by CPU, then memory. */
  public static fargateSizes(): FargateSize[] {
    return fargateSizes();
  }

  /** The valid memory sizes (MiB) for a Fargate CPU value; empty for an invalid one. */
  public static fargateMemoryOptions(cpu: number): number[] {
    return fargateMemoryOptions(cpu);
  }

  private constructor() {}
}
