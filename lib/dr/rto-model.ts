/**
 * A model of the recovery time of the disaster-recovery workflow: given how long the AWS
 * operations take, how much does the workflow itself add (polling granularity, Lambda steps,
 * state transitions), and does the total stay under the RTO? Pure: no CDK, no AWS SDK.
 */

/** Drill (restore beside production, verify, clean up) or recover (restore, approve, cut over); the `mode` dimension of the DR metrics. */
export enum RecoveryMode {
  /** A drill: restores beside production, verifies, and deletes what it restored. */
  DRILL = 'drill',
  /** A recovery: restores, waits for approval and cuts the service over. */
  RECOVER = 'recover',
}

/** A mode as the pure functions take it: a `RecoveryMode` or its string value. */
export type RecoveryModeName = `${RecoveryMode}`;

/** In place (this Region) or after the loss of the production Region (the pilot-light stack). */
export enum RecoveryScenario {
  /** Recovery in the production Region. */
  IN_PLACE = 'in-place',
  /** Recovery in the recovery Region after the production Region is lost. */
  REGION_LOSS = 'region-loss',
}

/** How the database comes back: point-in-time restore (the usual path) or a snapshot. */
export enum DatabaseRestoreMethod {
  /** Point-in-time restore (replays the transaction log since the last automated snapshot). */
  PITR = 'pitr',
  /** Restore from a snapshot. */
  SNAPSHOT = 'snapshot',
}

/** A phase of a recovery: one field of the model's AWS durations (`DurationTerm.phase`). */
export enum RecoveryPhase {
  /** RDS restore until the instance is `available`. */
  DATABASE_RESTORE = 'databaseRestore',
  /** ElastiCache replication group until `available`. */
  CACHE_RESTORE = 'cacheRestore',
  /** Download, checksum and write of the configuration object. */
  CONFIGURATION_RESTORE = 'configurationRestore',
  /** The one-off ECS readiness task. */
  READINESS_TASK = 'readinessTask',
  /** Human approval of the cut-over (recover mode). */
  APPROVAL = 'approval',
  /** ECS deployment after the cut-over (recover mode). */
  CUTOVER_DEPLOYMENT = 'cutoverDeployment',
  /** MCP probe against the public endpoint (recover mode). */
  PROBE = 'probe',
  /** Deletion of restored resources (drill mode; not part of the RTO). */
  CLEANUP = 'cleanup',
  /** Region loss: the DNS change and cached answers' TTL (recover mode). */
  TRAFFIC_MOVE = 'trafficMove',
}

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
  /**
   * Region loss, after the approval: the SECONDARY record's change reaching Route 53's servers plus the cached
   * answers' TTL (recover mode). 0 in place (no DNS change).
   */
  readonly trafficMove?: number;
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
  readonly mode: RecoveryMode;
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
  mode: RecoveryModeName,
  aws: AwsDurations,
  wf: WorkflowTimings,
  rtoSeconds: number,
): RtoEstimate {
  checkMode('estimateRecoveryTime', mode);
  for (const [k, v] of Object.entries({ trafficMove: 0, ...aws, ...wf, rtoSeconds })) {
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
    awsSeconds += aws.approval + aws.cutoverDeployment + aws.probe + (aws.trafficMove ?? 0);
    lag += polledDuration(aws.cutoverDeployment, wf.deploymentPollInterval) - aws.cutoverDeployment;
    polling += wf.deploymentPollInterval;
    steps += step(2, 6);
  }
  const totalSeconds = awsSeconds + polling + steps;
  return {
    mode: mode as RecoveryMode,
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
// ------------------------------------------------------------------ durations from sizes

/** What drives the AWS durations of one recovery (the pure functions take the enums or their string values). */
export interface RecoverySizing {
  readonly scenario: RecoveryScenario | `${RecoveryScenario}`;
  /** Allocated storage of the database, in GB. */
  readonly databaseSizeGb: number;
  /** How the database comes back: point-in-time (the usual path) or a snapshot. */
  readonly databaseMethod: DatabaseRestoreMethod | `${DatabaseRestoreMethod}`;
  /** Whether the restored instance is Multi-AZ (the workflow makes it so in `recover` mode). */
  readonly multiAz: boolean;
  /** Transaction log written per hour, in GB (a PITR replays the log since the last daily snapshot). */
  readonly writeGbPerHour: number;
  /** Cache data in GB; 0 without a cache. */
  readonly cacheSizeGb: number;
  /** Whether the cache is seeded from the export (else it starts cold). */
  readonly cacheSeeded: boolean;
  /** Tasks the cut-over deploys (the service's desired count; the planned minimum after a region loss). */
  readonly tasks: number;
  /** ECS `maximumPercent` of the service's deployments. */
  readonly maximumPercent: number;
  /** Target-group health check interval, seconds. */
  readonly healthCheckIntervalSeconds: number;
  /** Consecutive passing health checks before a target is healthy. */
  readonly healthyThresholdCount: number;
  /** Target-group deregistration delay, seconds (old tasks drain before an in-place deployment completes). */
  readonly deregistrationDelaySeconds: number;
  /** How long the approver takes to answer (bounded by `approvalTimeout`). */
  readonly approvalWaitSeconds: number;
  /** TTL of the record clients resolve (region loss: cached answers keep pointing at the lost Region until then). */
  readonly dnsTtlSeconds: number;
}

/**
 * The sizes `McpDisasterRecovery` plans its recovery with (`rtoSizing`); each one left out is derived from the
 * construct's resources or taken from {@link TYPICAL_SIZING}. See {@link RecoverySizing} for what each means.
 */
export interface RecoverySizingOptions {
  /** @default `regionLoss` given: `RecoveryScenario.REGION_LOSS`, else `RecoveryScenario.IN_PLACE` */
  readonly scenario?: RecoveryScenario;
  /** @default the database's allocated storage, else 50 */
  readonly databaseSizeGb?: number;
  /** @default DatabaseRestoreMethod.PITR */
  readonly databaseMethod?: DatabaseRestoreMethod;
  /** @default true (the workflow restores Multi-AZ in recover mode) */
  readonly multiAz?: boolean;
  /** @default 0.5 */
  readonly writeGbPerHour?: number;
  /** @default 1 with `cache`, else 0 */
  readonly cacheSizeGb?: number;
  /** @default true */
  readonly cacheSeeded?: boolean;
  /** @default the service's desired count (the planned minimum after a region loss), else 2 */
  readonly tasks?: number;
  /** @default 200 */
  readonly maximumPercent?: number;
  /** @default 10 (McpService's target group) */
  readonly healthCheckIntervalSeconds?: number;
  /** @default 2 (McpService's target group) */
  readonly healthyThresholdCount?: number;
  /** @default 60 (McpService's default) */
  readonly deregistrationDelaySeconds?: number;
  /** @default 180, at most `approvalTimeout` */
  readonly approvalWaitSeconds?: number;
  /** @default 60 */
  readonly dnsTtlSeconds?: number;
}

/** The sizes of the reference deployment: the default app's data tier and service (see docs/dr.md). */
export const TYPICAL_SIZING: RecoverySizing = {
  scenario: RecoveryScenario.IN_PLACE,
  databaseSizeGb: 50,
  databaseMethod: DatabaseRestoreMethod.PITR,
  multiAz: true,
  writeGbPerHour: 0.5,
  cacheSizeGb: 1,
  cacheSeeded: true,
  tasks: 2,
  maximumPercent: 200,
  healthCheckIntervalSeconds: 10,
  healthyThresholdCount: 2,
  deregistrationDelaySeconds: 60,
  approvalWaitSeconds: 180,
  dnsTtlSeconds: 60,
};

/**
 * One term of a duration, with where its number comes from: an AWS page (`source`) for documented behaviour
 * and defaults, or this model's planning assumption (`source` undefined) where AWS publishes no duration.
 * Replace assumptions with your drills' measured `RecoveryTimeSeconds` and restore times.
 */
export interface DurationTerm {
  readonly phase: RecoveryPhase;
  readonly what: string;
  readonly seconds: number;
  readonly source?: string;
}

/** Sources of the documented behaviour the model relies on. */
export const RTO_SOURCES = {
  pitrFactors: 'https://repost.aws/knowledge-center/rds-mysql-pitr-periods',
  volumeInitialization: 'https://docs.aws.amazon.com/ebs/latest/userguide/initalize-volume.html',
  replicatedBackups: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html',
  deploymentBatches: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html',
  healthCheckSpeed: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-healthcheck.html',
  route53Propagation: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-editing.html',
} as const;

/**
 * Planning assumptions, in seconds (AWS publishes no restore or provisioning durations): what a small
 * PostgreSQL restore, a Valkey replication group and a Fargate task start take in practice. Each is one term of
 * {@link awsDurationsFor}, so a drill's measured figure can replace it.
 */
export const PLANNING_ASSUMPTIONS = {
  /** New DB instance from a backup until `available`, excluding size and log replay. */
  databaseProvisioning: 600,
  /** Extra for a Multi-AZ restore (the standby is created and synchronized before `available`). */
  multiAzStandby: 300,
  /**
   * Per GB of allocated storage: the volume is created from the snapshot and loaded lazily (blocks come from S3
   * on first access, `volumeInitialization`), so size adds little to the time until `available`; it slows first
   * queries instead, which the readiness check and the probe see.
   */
  snapshotVolumePerGb: 0.2,
  /** Log replay rate of a PITR, GB per second (the replay is proportional to the log, `pitrFactors`). */
  logReplayGbPerSecond: 0.1,
  /** Hours of log a PITR replays, worst case: the automated snapshot is daily, so up to 24 h before the target. */
  logHoursWorstCase: 24,
  /** Region loss: ModifyDBInstance of the master password until `available` again. */
  passwordReset: 120,
  /** ElastiCache replication group created, cold. */
  cacheProvisioning: 480,
  /** Seeding from the `.rdb` export, per GB. */
  cacheSeedPerGb: 30,
  /** A Fargate task from RunTask or a deployment to RUNNING (capacity, ENI, image pull). */
  taskStart: 60,
  /** The readiness command's own run (DEFAULT_READINESS_COMMAND polls for up to 60 s; typical). */
  readinessRun: 30,
  /** Configuration object download, checksum and write. */
  configurationRestore: 2,
  /** The MCP probe. */
  probe: 5,
  /** Drill clean-up (not part of the RTO). */
  cleanup: 360,
  /** Route 53: changes generally reach all its name servers within 60 s (`route53Propagation`). */
  route53Propagation: 60,
} as const;

/** Tasks one deployment batch may start: `maximumPercent` bounds RUNNING + PENDING tasks, rounded down. */
export function deploymentBatches(tasks: number, maximumPercent: number, oldTasks: number): number {
  if (!Number.isInteger(tasks) || tasks < 0)
    throw new Error(`deploymentBatches: tasks must be an integer ≥ 0, got ${tasks}`);
  if (!(maximumPercent >= 100 && maximumPercent <= 200))
    throw new Error(`deploymentBatches: maximumPercent must be from 100 to 200, got ${maximumPercent}`);
  if (tasks === 0) return 0;
  // With minimumHealthyPercent 100 (McpService), a new task starts only in the headroom above the desired count;
  // with no old tasks (a standby scaled up from 0) all start at once.
  const headroom = oldTasks === 0 ? tasks : Math.floor((tasks * maximumPercent) / 100) - tasks;
  return Math.ceil(tasks / Math.max(1, headroom));
}

/**
 * The AWS durations of one recovery for the given sizes, each phase as a sum of cited or assumed terms.
 * `mode` decides the Multi-AZ standby (recover only, as the workflow restores) unless `sizing.multiAz` is false.
 */
export function awsDurationsFor(
  sizing: RecoverySizing,
  mode: RecoveryModeName,
): { readonly aws: AwsDurations; readonly terms: readonly DurationTerm[] } {
  checkMode('awsDurationsFor', mode);
  checkSizing(sizing);
  const a = PLANNING_ASSUMPTIONS;
  const s = RTO_SOURCES;
  const terms: DurationTerm[] = [];
  const add = (phase: keyof AwsDurations, what: string, seconds: number, source?: string): void => {
    terms.push({ phase: PHASES[phase], what, seconds, source });
  };
  const regionLoss = sizing.scenario === 'region-loss';

  add('databaseRestore', 'new instance from the backup (assumption)', a.databaseProvisioning, s.pitrFactors);
  if (sizing.multiAz && mode === 'recover') add('databaseRestore', 'Multi-AZ standby (assumption)', a.multiAzStandby);
  add(
    'databaseRestore',
    `${sizing.databaseSizeGb} GB volume from the snapshot, lazily loaded (${a.snapshotVolumePerGb} s/GB, assumption)`,
    sizing.databaseSizeGb * a.snapshotVolumePerGb,
    s.volumeInitialization,
  );
  if (sizing.databaseMethod === 'pitr') {
    const logGb = sizing.writeGbPerHour * a.logHoursWorstCase;
    add(
      'databaseRestore',
      `replay ${round(logGb)} GB of transaction log (${sizing.writeGbPerHour} GB/h × ${a.logHoursWorstCase} h since the daily snapshot, ${a.logReplayGbPerSecond} GB/s assumed)`,
      logGb / a.logReplayGbPerSecond,
      regionLoss ? s.replicatedBackups : s.pitrFactors,
    );
  }
  if (regionLoss) add('databaseRestore', "master password set to this Region's secret (assumption)", a.passwordReset);

  if (sizing.cacheSizeGb > 0) {
    add('cacheRestore', 'replication group created (assumption)', a.cacheProvisioning);
    if (sizing.cacheSeeded)
      add(
        'cacheRestore',
        `seeded with ${sizing.cacheSizeGb} GB (${a.cacheSeedPerGb} s/GB, assumption)`,
        sizing.cacheSizeGb * a.cacheSeedPerGb,
      );
  }
  add('configurationRestore', 'download, checksum, write (assumption)', a.configurationRestore);
  add('readinessTask', 'task start (assumption)', a.taskStart);
  add('readinessTask', 'readiness check run (assumption)', a.readinessRun);

  if (mode === 'recover') {
    add('approval', 'approver answers', sizing.approvalWaitSeconds);
    const oldTasks = regionLoss ? 0 : sizing.tasks;
    const batches = deploymentBatches(sizing.tasks, sizing.maximumPercent, oldTasks);
    const healthy = sizing.healthyThresholdCount * sizing.healthCheckIntervalSeconds;
    add(
      'cutoverDeployment',
      `${sizing.tasks} task(s) in ${batches} batch(es) of start (assumption) + ${sizing.healthyThresholdCount} × ${sizing.healthCheckIntervalSeconds} s health checks`,
      batches * (a.taskStart + healthy),
      s.deploymentBatches,
    );
    if (oldTasks > 0)
      add(
        'cutoverDeployment',
        `old tasks drain: deregistration delay ${sizing.deregistrationDelaySeconds} s`,
        sizing.deregistrationDelaySeconds,
        s.healthCheckSpeed,
      );
    add('probe', 'MCP probe (assumption)', a.probe);
    if (regionLoss) {
      add('trafficMove', 'Route 53 change on all its name servers', a.route53Propagation, s.route53Propagation);
      add(
        'trafficMove',
        `cached answers expire (TTL ${sizing.dnsTtlSeconds} s)`,
        sizing.dnsTtlSeconds,
        s.route53Propagation,
      );
    }
  }
  add(
    'cleanup',
    'delete restored instance and cache (assumption; after the measured point)',
    mode === 'drill' ? a.cleanup : 0,
  );

  const sum = (phase: keyof AwsDurations): number =>
    terms.filter((t) => t.phase === phase).reduce((acc, t) => acc + t.seconds, 0);
  return {
    aws: {
      databaseRestore: sum('databaseRestore'),
      cacheRestore: sum('cacheRestore'),
      configurationRestore: sum('configurationRestore'),
      readinessTask: sum('readinessTask'),
      approval: sum('approval'),
      cutoverDeployment: sum('cutoverDeployment'),
      probe: sum('probe'),
      cleanup: sum('cleanup'),
      trafficMove: sum('trafficMove'),
    },
    terms,
  };
}

/** The workflow's own timings for a poll interval (Lambda step and transition: planning assumptions). */
export function workflowTimings(pollIntervalSeconds: number): WorkflowTimings {
  return {
    databasePollInterval: pollIntervalSeconds,
    cachePollInterval: pollIntervalSeconds,
    deploymentPollInterval: pollIntervalSeconds,
    lambdaStep: 1.5,
    stateTransition: 0.2,
  };
}

/** A planned recovery: the estimate for these sizes, with the terms it adds up. */
export interface RecoveryPlanEstimate extends RtoEstimate {
  readonly scenario: RecoveryScenario;
  readonly terms: DurationTerm[];
}

/** Worst-case recovery time for the given sizes (awsDurationsFor + estimateRecoveryTime). */
export function planRecoveryTime(
  sizing: RecoverySizing,
  mode: RecoveryModeName,
  wf: WorkflowTimings,
  rtoSeconds: number,
): RecoveryPlanEstimate {
  const { aws, terms } = awsDurationsFor(sizing, mode);
  return {
    ...estimateRecoveryTime(mode, aws, wf, rtoSeconds),
    scenario: sizing.scenario as RecoveryScenario,
    terms: [...terms],
  };
}

/**
 * The largest database (GB, whole) whose planned recovery still meets the RTO, all else as `sizing`; 0 when even an
 * empty one misses it. Recovery time grows with size, so a binary search finds it.
 */
export function largestDatabaseWithinRto(
  sizing: RecoverySizing,
  mode: RecoveryModeName,
  wf: WorkflowTimings,
  rtoSeconds: number,
  maxGb = 65536,
): number {
  const fits = (gb: number): boolean =>
    planRecoveryTime({ ...sizing, databaseSizeGb: gb }, mode, wf, rtoSeconds).withinRto;
  if (!fits(0)) return 0;
  let lo = 0;
  let hi = maxGb;
  if (fits(hi)) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The phase of each AWS duration (a `Record` over the keys, so a new duration without its phase does not compile). */
const PHASES: Record<keyof AwsDurations, RecoveryPhase> = {
  databaseRestore: RecoveryPhase.DATABASE_RESTORE,
  cacheRestore: RecoveryPhase.CACHE_RESTORE,
  configurationRestore: RecoveryPhase.CONFIGURATION_RESTORE,
  readinessTask: RecoveryPhase.READINESS_TASK,
  approval: RecoveryPhase.APPROVAL,
  cutoverDeployment: RecoveryPhase.CUTOVER_DEPLOYMENT,
  probe: RecoveryPhase.PROBE,
  cleanup: RecoveryPhase.CLEANUP,
  trafficMove: RecoveryPhase.TRAFFIC_MOVE,
};

function checkMode(fn: string, mode: string): void {
  if (mode !== RecoveryMode.DRILL && mode !== RecoveryMode.RECOVER)
    throw new Error(`${fn}: mode must be "drill" or "recover", got ${JSON.stringify(mode)}`);
}

function checkSizing(s: RecoverySizing): void {
  const nonNegative: Array<keyof RecoverySizing> = [
    'databaseSizeGb',
    'writeGbPerHour',
    'cacheSizeGb',
    'healthCheckIntervalSeconds',
    'deregistrationDelaySeconds',
    'approvalWaitSeconds',
    'dnsTtlSeconds',
  ];
  for (const k of nonNegative) {
    const v = s[k] as number;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`RTO model: ${k} must be a finite number ≥ 0, got ${v}`);
  }
  if (!Number.isInteger(s.tasks) || s.tasks < 1)
    throw new Error(`RTO model: tasks must be an integer ≥ 1, got ${s.tasks}`);
  if (!Number.isInteger(s.healthyThresholdCount) || s.healthyThresholdCount < 2 || s.healthyThresholdCount > 10)
    throw new Error(`RTO model: healthyThresholdCount must be an integer from 2 to 10, got ${s.healthyThresholdCount}`);
  if (s.scenario !== 'in-place' && s.scenario !== 'region-loss')
    throw new Error(`RTO model: scenario must be "in-place" or "region-loss", got ${JSON.stringify(s.scenario)}`);
  if (s.databaseMethod !== 'pitr' && s.databaseMethod !== 'snapshot')
    throw new Error(`RTO model: databaseMethod must be "pitr" or "snapshot", got ${JSON.stringify(s.databaseMethod)}`);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
