// The capacity model's public API (see docs/capacity.md): the CapacityModel class, its enums and the
// interfaces of its signatures. The pure functions behind it stay internal (import them from their modules
// inside the package).
export { CapacityModel } from './capacity-model';
export { CapacityResource } from './types';
export type {
  CapacityDerived,
  CapacityInput,
  CapacityPlan,
  CapacityScheduleWindow,
  ResolvedCapacityInput,
  ResolvedScheduleWindow,
  ScheduledMinimum,
} from './types';
export type { FargateSize } from './fargate';
export { CostGroup, FargateArchitecture } from './cost';
export type {
  CacheInventory,
  CostLine,
  CostOptions,
  DatabaseInventory,
  DefaultAppInventoryOptions,
  PlanCost,
  ResolvedTrafficAssumptions,
  StackInventory,
  TrafficAssumptions,
  VpcEndpointComparison,
} from './cost';
export type {
  ConnectionBudget,
  ConnectionBudgetClientOptions,
  ConnectionBudgetInput,
  ConnectionBudgetOptions,
  DatabaseClient,
  DatabasePoolSettings,
} from './connections';
