/**
 * The metrics the disaster-recovery workflow publishes in the `McpOps` namespace (docs/dr.md), as
 * `McpDisasterRecovery.metric` takes them. The values are the metric names.
 */
export enum RecoveryMetric {
  /**
   * Execution start until verified (drill) or until the probe passed after the cut-over (recover); dimensions
   * `service` and `mode`.
   */
  RECOVERY_TIME_SECONDS = 'RecoveryTimeSeconds',
  /** The data a run's recovery point loses, in seconds; dimensions `service` and `mode`. */
  DATA_LOSS_SECONDS = 'DataLossSeconds',
  /** Age of the newest successful execution, published hourly; dimension `service` only. */
  DRILL_AGE_SECONDS = 'DrillAgeSeconds',
  /** How long the oldest running execution has been running (0 when none), every 5 minutes; dimension `service` only. */
  RUNNING_EXECUTION_SECONDS = 'RunningExecutionSeconds',
}
