/**
 * The capacity report: a plan, what it and its stack cost, the alternatives side by side and the
 * database connection budget. What `npm run capacity` prints (tables, `--json`, `--markdown`) and the
 * README's cost block. Pure: no CDK imports.
 */
import { ConnectionBudget, connectionBudget } from './connections';
import {
  FargateArchitecture,
  PlanCost,
  StackInventory,
  TrafficAssumptions,
  costPlan,
  defaultAppInventory,
  taskHourUsd,
  HOURS_PER_MONTH,
} from './cost';
import { FARGATE_CPU_VALUES } from './fargate';
import { modelMemoryFor, planCapacity } from './model';
import { CapacityInput, CapacityPlan } from './types';

/** One task size priced side by side with the plan's. */
export interface SizeAlternative {
  /** Task CPU units. */
  readonly taskCpu: number;
  /** Task memory, MiB (the model's memory for that CPU). */
  readonly taskMemoryMiB: number;
  /** True for the plan's own size. */
  readonly planned: boolean;
  /** Minimum tasks with this size. */
  readonly minTasks: number;
  /** Maximum tasks with this size. */
  readonly maxTasks: number;
  /** Fargate per month at the minimum and the maximum, by architecture. */
  readonly arm64AtMinimumUsd: number;
  readonly arm64AtMaximumUsd: number;
  readonly x8664AtMinimumUsd: number;
  readonly x8664AtMaximumUsd: number;
}

/** Everything `npm run capacity` reports. */
export interface CapacityReport {
  /** The plan. */
  readonly plan: CapacityPlan;
  /** The plan and its stack priced for the chosen region and architecture. */
  readonly cost: PlanCost;
  /** The same stack with the other architecture. */
  readonly otherArchitecture: PlanCost;
  /** Task sizes side by side (0.5 to 8 vCPU, where the load fits). */
  readonly alternatives: SizeAlternative[];
  /** The database connection budget at maxTasks, when the stack has a database. */
  readonly connectionBudget?: ConnectionBudget;
}

/** Inputs of {@link capacityReport}. */
export interface CapacityReportOptions {
  readonly input: CapacityInput;
  readonly region: string;
  readonly architecture?: FargateArchitecture;
  readonly inventory?: StackInventory;
  readonly traffic?: TrafficAssumptions;
}

/** Builds the report (throws on bad input, like the model and the cost model). */
export function capacityReport(options: CapacityReportOptions): CapacityReport {
  const plan = planCapacity(options.input);
  const architecture = options.architecture ?? FargateArchitecture.ARM64;
  const inventory = options.inventory ?? defaultAppInventory({ availabilityZones: plan.input.availabilityZones });
  const common = { region: options.region, inventory, traffic: options.traffic };
  const cost = costPlan(plan, { ...common, architecture });
  const other = architecture === FargateArchitecture.ARM64 ? FargateArchitecture.X86_64 : FargateArchitecture.ARM64;
  const otherArchitecture = costPlan(plan, { ...common, architecture: other });
  const alternatives: SizeAlternative[] = [];
  for (const cpu of FARGATE_CPU_VALUES.filter((c) => c >= 512 && c <= 8192)) {
    const memoryMiB = cpu === plan.taskCpu ? plan.taskMemoryMiB : modelMemoryFor(options.input, cpu);
    if (memoryMiB === undefined) continue;
    let p: CapacityPlan;
    try {
      p = cpu === plan.taskCpu ? plan : planCapacity({ ...options.input, taskCpu: cpu, taskMemoryMiB: memoryMiB });
    } catch {
      continue; // more tasks than ECS allows with this size
    }
    const month = (arch: FargateArchitecture, tasks: number) =>
      tasks * taskHourUsd(options.region, arch, cpu, memoryMiB) * HOURS_PER_MONTH;
    alternatives.push({
      taskCpu: cpu,
      taskMemoryMiB: memoryMiB,
      planned: cpu === plan.taskCpu,
      minTasks: p.minTasks,
      maxTasks: p.maxTasks,
      arm64AtMinimumUsd: month(FargateArchitecture.ARM64, p.minTasks),
      arm64AtMaximumUsd: month(FargateArchitecture.ARM64, p.maxTasks),
      x8664AtMinimumUsd: month(FargateArchitecture.X86_64, p.minTasks),
      x8664AtMaximumUsd: month(FargateArchitecture.X86_64, p.maxTasks),
    });
  }
  const budget = inventory.database
    ? connectionBudget({ instanceClass: inventory.database.instanceClass, maxTasks: plan.maxTasks })
    : undefined;
  return { plan, cost, otherArchitecture, alternatives, ...(budget ? { connectionBudget: budget } : {}) };
}
