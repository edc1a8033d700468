/**
 * A model of the recovery time of the disaster-recovery workflow: given how long the AWS
 * operations take, how much does the workflow itself add (polling granularity, Lambda steps,
 * state transitions), and does the total stay under the RTO? Pure: no CDK, no AWS SDK.
 */

/** Durations of the AWS operations, in seconds. */
export interface AwsDurations {
  /** RDS restore (PITR or snapshot) until the instance is `available`. */
  readonly databaseRestore: number;
  /** ElastiCache replication group created (seeded or cold) until `available`; 0 without a cache. */
  readonly cacheRestore: number;
  /** Download, checksum and write of the configuration object. */
  readonly configurationRestore: number;
  /** One-off ECS readiness task: provisioning, image pull, run, stop. 0 when not configured. */
  readonly readinessTask: number;
  /** Human approval of the cut-over (recover mode only). */
  readonly approval: number;
  /** ECS deployment after cut-over until the new tasks are healthy (recover mode only). */
  readonly cutoverDeployment: number;
  /** MCP probe against the public endpoint (recover mode only). */
  readonly probe: number;
  /** Deletion of restored resources at the end of a drill (drill mode; not part of the RTO). */
  readonly cleanup: number;
}

/** The workflow's own settings, in seconds. */
export interface WorkflowTimings {
  /** Wait between database status checks. */
  readonly databasePollInterval: number;
  /** Wait between cache status checks. */
  readonly cachePollInterval: number;
  /** Wait between cut-over deployment checks (recover mode). */
  readonly deploymentPollInterval: number;
  /** Duration of one Lambda step (invocation, including a cold start on the first one). */
  readonly lambdaStep: number;
  /** Overhead of one state transition in a Standard workflow. */
  readonly stateTransition: number;
}

/** What the model answers, in seconds. */
export interface RtoEstimate {
  readonly mode: 'drill' | 'recover';
  /** Sum of the AWS operations on the critical path. */
  readonly awsSeconds: number;
  /** Time lost because a status is only seen at the next poll, for exactly these durations. */
  readonly pollingLagSeconds: number;
  /**
   * Worst case of the same over any durations: one full poll interval per polling loop on the
   * critical path (a status changes just after a check). Used for the total.
   */
  readonly pollingOverheadSeconds: number;
  /** Lambda steps and state transitions on the critical path. */
  readonly stepOverheadSeconds: number;
  /** pollingOverhead + stepOverhead: what the workflow itself adds (worst case). */
  readonly workflowOverheadSeconds: number;
  /** Worst case end to end (what the RTO is compared with). */
  readonly totalSeconds: number;
  readonly rtoSeconds: number;
  /** rto − total; negative when the RTO is missed. */
  readonly marginSeconds: number;
  readonly withinRto: boolean;
}

/** Time an operation of `duration` s takes to be noticed by a loop that checks every `interval` s. */
export function polledDuration(duration: number, interval: number): number {
  if (!(interval > 0)) throw new Error(`polledDuration: interval must be > 0, got ${interval}`);
  if (!(duration >= 0)) throw new Error(`polledDuration: duration must be ≥ 0, got ${duration}`);
  return Math.max(1, Math.ceil(duration / interval)) * interval;
}

/**
 * Worst-case recovery time of the workflow as built in `lib/dr/disaster-recovery.ts`:
 * resolve → Parallel(database start+poll, configuration, cache start+poll) → readiness task →
 * verify → [recover: approval → cut-over + deployment poll → probe] → report. In drill mode the
 * cleanup runs after the measured point and is excluded, like the real metric.
 */
export function estimateRecoveryTime(
  mode: 'drill' | 'recover',
  aws: AwsDurations,
  wf: WorkflowTimings,
  rtoSeconds: number,
): RtoEstimate {
  for (const [k, v] of Object.entries({ ...aws, ...wf, rtoSeconds })) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`estimateRecoveryTime: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  const step = (lambdas: number, transitions: number): number =>
    lambdas * wf.lambdaStep + transitions * wf.stateTransition;
  // Branches of the Parallel: a polled branch ends when a check sees `available`.
  type Branch = { aws: number; lag: number; interval: number; steps: number };
  const polled = (duration: number, interval: number): Branch => ({
    aws: duration,
    lag: polledDuration(duration, interval) - duration,
    interval,
    steps: step(2, 4),
  });
  const dbBranch = polled(aws.databaseRestore, wf.databasePollInterval);
  const cacheBranch: Branch =
    aws.cacheRestore > 0
      ? polled(aws.cacheRestore, wf.cachePollInterval)
      : { aws: 0, lag: 0, interval: 0, steps: step(1, 2) };
  const configBranch: Branch = { aws: aws.configurationRestore, lag: 0, interval: 0, steps: step(1, 2) };
  const worst = (b: Branch): number => b.aws + b.interval + b.steps;
  const longest = [dbBranch, cacheBranch, configBranch].sort((a, b) => worst(b) - worst(a))[0];

  let awsSeconds = longest.aws + aws.readinessTask;
  let lag = longest.lag;
  let polling = longest.interval;
  // resolve, verify (twice with the readiness task), report + the transitions between the top-level states.
  let steps = longest.steps + step(3, 6);
  if (mode === 'recover') {
    awsSeconds += aws.approval + aws.cutoverDeployment + aws.probe;
    lag += polledDuration(aws.cutoverDeployment, wf.deploymentPollInterval) - aws.cutoverDeployment;
    polling += wf.deploymentPollInterval;
    steps += step(2, 6);
  }
  const totalSeconds = awsSeconds + polling + steps;
  return {
    mode,
    awsSeconds,
    pollingLagSeconds: lag,
    pollingOverheadSeconds: polling,
    stepOverheadSeconds: steps,
    workflowOverheadSeconds: polling + steps,
    totalSeconds,
    rtoSeconds,
    marginSeconds: rtoSeconds - totalSeconds,
    withinRto: totalSeconds <= rtoSeconds,
  };
}

/** Typical durations (seconds) for a small PostgreSQL instance and a one-node Valkey cache. */
export const TYPICAL_AWS_DURATIONS: AwsDurations = {
  databaseRestore: 15 * 60,
  cacheRestore: 8 * 60,
  configurationRestore: 2,
  readinessTask: 90,
  approval: 3 * 60,
  cutoverDeployment: 4 * 60,
  probe: 5,
  cleanup: 6 * 60,
};

/**
 * Typical workflow step costs, seconds: one Lambda step (a warm invocation, with the odd cold start
 * averaged in) and one Standard state transition.
 */
export const TYPICAL_STEP_TIMINGS: Pick<WorkflowTimings, 'lambdaStep' | 'stateTransition'> = {
  lambdaStep: 1.5,
  stateTransition: 0.1,
};
