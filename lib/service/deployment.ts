/**
 * Rolling-deployment arithmetic for ECS. Pure: no CDK imports.
 *
 * ECS replaces tasks within [minimumHealthyPercent, maximumPercent] of the desired count, and rounds
 * maximumPercent × desired DOWN to whole tasks. With minimumHealthyPercent = 100 (never below capacity),
 * the batch size is floor(desired × maximumPercent / 100) − desired. A plain 125 % gives 0 extra tasks for
 * fewer than 4 tasks, and the deployment can never start; so the maximum is raised to the smallest
 * percent that gives one extra task, while a batch never exceeds 25 % of the tasks when there are 4 or more.
 */

/** The ECS deployment percentages for a rolling update. */
export interface RollingDeployment {
  /** Never go below the desired count during a deployment. */
  readonly minHealthyPercent: number;
  /** Percent of desired tasks that may run during a deployment. */
  readonly maxHealthyPercent: number;
  /** Tasks started per batch at `desiredTasks`. */
  readonly batchSize: number;
}

/**
 * Deployment percentages for `desiredTasks` tasks and a maximum batch of `maxBatchFraction` of them
 * (default 0.25): min healthy 100 %, max healthy 100 % + one batch, where a batch is at least one task.
 */
export function rollingDeployment(desiredTasks: number, maxBatchFraction = 0.25): RollingDeployment {
  if (!Number.isInteger(desiredTasks) || desiredTasks < 1) {
    throw new Error(`rollingDeployment: desiredTasks must be an integer ≥ 1, got ${desiredTasks}`);
  }
  if (!(maxBatchFraction > 0 && maxBatchFraction <= 1)) {
    throw new Error(`rollingDeployment: maxBatchFraction must be in (0, 1], got ${maxBatchFraction}`);
  }
  const batchSize = Math.max(1, Math.floor(desiredTasks * maxBatchFraction));
  // Smallest whole percent p with floor(desired × p / 100) ≥ desired + batchSize.
  const maxHealthyPercent = Math.ceil(((desiredTasks + batchSize) * 100) / desiredTasks);
  return { minHealthyPercent: 100, maxHealthyPercent, batchSize };
}
