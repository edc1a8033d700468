import { Annotations, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { nagResourceString } from '../internal/nag';
import { McpDrOperatorPolicy } from './operator-policy';
import { McpCacheEngine } from '../data/cache-engine';
import { McpOpsFunction } from '../internal/nodejs-function';
import { DEFAULT_READINESS_COMMAND } from './ready-check';
import { restoredPrefix } from './recovery-plan';
import {
  RecoveryPlanEstimate,
  RecoverySizing,
  RecoverySizingOptions,
  TYPICAL_SIZING,
  planRecoveryTime,
  workflowTimings,
} from './rto-model';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { nameLengthProblem, stateMachineName as drStateMachineName } from '../internal/names';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { Problems } from '../internal/validate';
import { RecoveryMetric } from './recovery-metric';
import { estimateRecoveryTime, RecoveryMode, TYPICAL_AWS_DURATIONS, TYPICAL_STEP_TIMINGS } from './rto-model';
import { AlarmFactory, alarmFactoryFor } from '../internal/alarm-factory';
import { acknowledgeCompliance } from '../internal/compliance';
import { stackLogKey } from '../internal/log-key';
import { MCP_OPS_NAMESPACE } from '../internal/metrics';
import { McpAlarmTopic } from '../monitoring/alarm-topic';
import { McpEndpointParameters } from '../data/endpoint-parameters';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';

const OWNER = 'McpDisasterRecovery';
/** Runbook linked from alarm descriptions and notifications. */
/** The runbook the workflow's alarms and notifications link (docs/runbooks/disaster-recovery.md). */
export const DR_RUNBOOK = 'disaster-recovery';

/** The cache the workflow restores beside production (a Valkey/Redis replication group). */
export interface McpDrCacheOptions {
  /**
   * Production's replication group id: protected by an explicit IAM deny, never restored into.
   * @default none to protect (a pilot-light stack in the recovery Region before any recovery)
   */
  readonly replicationGroupId?: string;
  /** Node type of the restored cache, e.g. `cache.t4g.small`. */
  readonly nodeType: string;
  /** Cache subnet group of the restored cache (usually production's). */
  readonly subnetGroupName: string;
  /** Security groups of the restored cache (usually production's, so the service can reach it). */
  readonly securityGroups: ec2.ISecurityGroup[];
  /**
   * Engine of the restored cache.
   * @default McpCacheEngine.VALKEY
   */
  readonly engine?: McpCacheEngine;
  /**
   * RBAC user groups to attach (for a cache that authenticates users).
   * @default none
   */
  readonly userGroupIds?: string[];
  /**
   * Secret holding production's AUTH token (a plain string), given to the restored cache so the service's
   * `CACHE_AUTH_TOKEN` keeps working after cut-over.
   * @default no AUTH token
   */
  readonly authTokenSecret?: secretsmanager.ISecret;
  /**
   * Customer managed KMS key for the restored cache at rest (usually production's).
   * @default the ElastiCache default key
   */
  readonly kmsKey?: kms.IKey;
}

/**
 * Region-loss recovery: the workflow runs in the recovery Region's pilot-light stack and never calls the
 * production Region. It restores from production's automated backups as replicated into this Region (found by
 * the instance the replicated manifests name), sets the restored instance's master password to this Region's
 * secret, brings the standby service up to its planned minimum, probes it, and after the approval moves traffic.
 */
export interface McpDrRegionLossOptions {
  /** The production Region (its automated backups replicate here; it is never called). */
  readonly productionRegion: string;
  /**
   * The production account.
   * @default this stack's account
   */
  readonly productionAccount?: string;
  /** KMS key of this Region that encrypts the replicated automated backups (restores need grants on it). */
  readonly dataKey: kms.IKey;
  /**
   * Secret in this Region with the master `password` the restored instance gets (production's secret is in the
   * lost Region). Its `username` must be production's master user name.
   */
  readonly masterSecret: secretsmanager.ISecret;
  /** The standby service's planned minimum task count, reached before the probe. */
  readonly minimumTaskCount: number;
  /** This Region's load balancer, where traffic moves after the approval. */
  readonly loadBalancer: elbv2.ILoadBalancerV2;
  /**
   * Route 53 failover pair: the hosted zone and record name. The workflow UPSERTs the SECONDARY alias record.
   * @default no hosted zone: the workflow notifies the operator with the DNS step
   */
  readonly trafficRecord?: McpDrTrafficRecord;
}

/** The Route 53 failover pair a region-loss recovery completes. */
export interface McpDrTrafficRecord {
  /** Id of the hosted zone, e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** The record name, e.g. `mcp.example.com`. */
  readonly recordName: string;
}

/** Props of {@link McpDisasterRecovery}. */
export interface McpDisasterRecoveryProps extends McpAlarmOptions {
  /**
   * Service name: names the state machine (`<stack name>-<serviceName>-disaster-recovery`, at most 80
   * characters), prefixes every restored resource (`<serviceName>-dr-…`) and is the `service` metric dimension.
   * Must match the manifests' `service`, i.e. the serviceName of the McpBackup whose bucket is `backupBucket`
   * (checked when that McpBackup is in the app). 1–20 lowercase letters, digits and single hyphens, starting with a letter (the package's one service-name rule, see McpService).
   */
  readonly serviceName: string;
  /**
   * Retention of the restore function's own log group (KMS-encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;
  /**
   * Retention of the state machine's execution log group (every state's input and output: the record of each
   * drill and recovery; KMS-encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly executionLogRetention?: logs.RetentionDays;
  /** The bucket the backup Lambda writes manifests and components to (see lib/backup/manifest.ts). */
  readonly backupBucket: s3.IBucket;
  /**
   * Production database: restored from (PITR or snapshot) and protected by an explicit IAM deny. The
   * restored instance gets production's DB subnet group and parameter group (read from the instance's
   * CloudFormation resource) unless `databaseSubnetGroup` is given.
   * @default no database restore
   */
  readonly database?: rds.IDatabaseInstance;
  /**
   * DB parameter group of the restored instance.
   * @default production's (read from the instance's CloudFormation resource), else the engine default
   */
  readonly databaseParameterGroupName?: string;
  /**
   * KMS key of the production database's storage, when it is a customer managed key (restores need grants on it).
   * @default the AWS managed key (no grant needed)
   */
  readonly databaseEncryptionKey?: kms.IKey;
  /**
   * VPC of the readiness task (and of a new subnet group for the restored database, when production's is unknown).
   * @default the database's VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the readiness task, and of the restored database when neither `databaseSubnetGroup` is given
   * nor production's subnet group can be read from `database`.
   * @default the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * DB subnet group of the restored instance.
   * @default production's subnet group (same subnets as production), else a new subnet group in `vpc`/`vpcSubnets`
   */
  readonly databaseSubnetGroup?: rds.ISubnetGroup;
  /**
   * Security groups of the restored instance.
   * @default the production database's security groups (so the service's rules carry over)
   */
  readonly databaseSecurityGroups?: ec2.ISecurityGroup[];
  /**
   * Instance class of the restored instance, e.g. `db.t4g.medium`.
   * @default the class of the source (PITR) or of the snapshot
   */
  readonly databaseInstanceClass?: string;
  /**
   * Cache to restore beside production.
   * @default no cache restore
   */
  readonly cache?: McpDrCacheOptions;
  /**
   * Cluster of the readiness task and of the service.
   * @default the service's cluster
   */
  readonly cluster?: ecs.ICluster;
  /**
   * The production service: cut-over target in `recover` mode (its endpoint parameters rewritten with the
   * restored endpoints, then a forced new deployment). Needs `endpointParameters`.
   * @default no cut-over: `recover` mode stops after verification and approval has nothing to switch
   */
  readonly service?: ecs.FargateService;
  /**
   * The endpoint parameters the service's container reads its database and cache endpoints from (ECS secrets;
   * see `McpDataTier` `endpointParameters`). The cut-over overwrites them; it never registers a task
   * definition, so the next `cdk deploy` does not revert it.
   * @default none; required with `service`
   */
  readonly endpointParameters?: McpEndpointParameters;
  /**
   * Region-loss recovery (the pilot-light stack in the recovery Region); `database` is then not given.
   * @default recovery in production's Region
   */
  readonly regionLoss?: McpDrRegionLossOptions;
  /**
   * Task definition of the one-off readiness task.
   * @default the service's task definition
   */
  readonly taskDefinition?: ecs.TaskDefinition;
  /**
   * Container that runs the readiness check and gets the restored endpoints.
   * @default the task definition's default (first essential) container
   */
  readonly containerName?: string;
  /**
   * Command of the readiness task: must check the configured dependencies once (as `/health/ready`
   * does) and exit 0 when all pass.
   * @default DEFAULT_READINESS_COMMAND: starts `dist/main.js` (the reference server) and polls its own
   * `GET /health/ready` for up to 60 s; exit 0 on 200
   */
  readonly readinessCommand?: string[];
  /**
   * Security groups of the readiness task.
   * @default the service's security groups
   */
  readonly readinessSecurityGroups?: ec2.ISecurityGroup[];
  /**
   * MCP probe Lambda, invoked after cut-over; it must throw or return `{ success: false }` on failure.
   * @default no probe after cut-over
   */
  readonly probeFunction?: lambda.IFunction;
  /**
   * Recovery point objective: a recovery whose expected data loss is larger fails unless accepted.
   * @default Duration.hours(1)
   */
  readonly rpo?: Duration;
  /**
   * Recovery time objective: an execution taking longer raises an alarm.
   * @default Duration.minutes(30)
   */
  readonly rto?: Duration;
  /**
   * Schedule of the drill. `undefined` gives the weekly default; pass `scheduledDrills: false` to turn it off.
   * @default events.Schedule.cron({ weekDay: 'MON', hour: '3', minute: '0' })
   */
  readonly drillSchedule?: events.Schedule;
  /**
   * Run drills on `drillSchedule`, and alarm when no execution succeeded for `drillOverdueAfter`.
   * @default true
   */
  readonly scheduledDrills?: boolean;
  /**
   * Age of the last successful execution after which the drill-overdue alarm fires.
   * @default Duration.days(8) (a weekly drill plus a day)
   */
  readonly drillOverdueAfter?: Duration;
  /**
   * Wait between database status checks (and cache checks).
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * A database or cache restore that is not available after this fails the execution.
   * @default Duration.minutes(90)
   */
  readonly restoreTimeout?: Duration;
  /**
   * Time an approver has to answer the cut-over request.
   * @default Duration.minutes(15)
   */
  readonly approvalTimeout?: Duration;
  /**
   * The sizes the RTO model plans this workflow's recovery with (`planRecoveryTime`, docs/dr.md "RTO model"): the
   * synth warns when the planned recovery is longer than `rto`. Give what you know (database size, write rate,
   * cache size, approval wait, DNS TTL); the rest is derived.
   * @default the database's allocated storage, PITR, a Multi-AZ restore, the service's desired count (the planned
   * minimum after a region loss), a 1 GB seeded cache when `cache` is given; `TYPICAL_SIZING` for the rest
   */
  readonly rtoSizing?: RecoverySizingOptions;
  /**
   * Whole-execution timeout.
   * @default Duration.hours(4)
   */
  readonly executionTimeout?: Duration;
}

/**
 * The serviceName of the McpBackup that created `bucket`, when it did (the bucket is its child `Bucket`),
 * else undefined (an imported or foreign bucket: nothing to compare with).
 */
function backupServiceOf(bucket: s3.IBucket): string | undefined {
  const owner = bucket.node.scope as { serviceName?: unknown; backupFunction?: unknown } | undefined;
  return owner && owner.backupFunction !== undefined && typeof owner.serviceName === 'string'
    ? owner.serviceName
    : undefined;
}

/**
 * The message of an approval request (`sns:publish.waitForTaskToken`): what `mcp-ops dr status` shows and the task
 * token `mcp-ops dr approve|reject` reads from the execution history (`cli/dr/history.ts`), with those two commands
 * filled in with this execution and state machine (`taskToken` stays in the message for other tools).
 */
function approvalRequest(
  serviceName: string,
  runbook: string,
  extra: Record<string, string> = {},
): Record<string, unknown> {
  const command = (verb: string, tail = ''): string =>
    sfn.JsonPath.format(
      `mcp-ops dr ${verb} --execution {} --state-machine {}${tail}`,
      sfn.JsonPath.executionName,
      sfn.JsonPath.stateMachineId,
    );
  return {
    kind: 'approval-request',
    service: serviceName,
    execution: sfn.JsonPath.executionName,
    runbook,
    taskToken: sfn.JsonPath.taskToken,
    'recoveryPoint.$': '$.plan.recoveryPoint',
    'restored.$': '$.restored',
    'verification.$': '$.verification',
    ...extra,
    approve: command('approve'),
    reject: command('reject', ' --cause "<why>"'),
  };
}

/** The workflow's durations, defaults applied. */
interface DrDurations {
  readonly rpo: Duration;
  readonly rto: Duration;
  readonly poll: Duration;
  readonly restoreTimeout: Duration;
  readonly approvalTimeout: Duration;
  readonly executionTimeout: Duration;
  readonly overdue: Duration;
}

/** The production parts the workflow restores from or runs. */
interface DrParts {
  /** Production's L1 DB instance, when `database` is one. */
  readonly productionDb?: rds.CfnDBInstance;
  readonly vpc?: ec2.IVpc;
  readonly taskDefinition?: ecs.TaskDefinition;
  readonly cluster?: ecs.ICluster;
  readonly container?: ecs.ContainerDefinition;
  readonly readinessCommand: string[];
}

/** What `validate` hands the builders: the checked props with defaults, the alarm factory and the workflow's names. */
interface DrSettings extends DrDurations, DrParts {
  readonly factory: AlarmFactory;
  readonly runbook: string;
  readonly stateMachineName: string;
  readonly stateMachineArn: string;
}

/** The failure ends every step catches into. */
interface DrFailureStates {
  /** Fails the execution with the caught error. */
  readonly failed: sfn.Fail;
  /** Refused input: notify, fail. */
  readonly refused: sfn.IChainable;
  /** Notify, clean up in drill mode, fail. */
  readonly onFailure: sfn.IChainable;
}

/** The workflow's plan (`$.plan`, from the resolve step), passed to most steps. */
const PLAN = sfn.JsonPath.objectAt('$.plan');
/** Where a caught error goes. */
const ERROR_PATH = '$.error';
/** Every restore-Lambda step retries the `Throttled` it reports. */
const RETRY_THROTTLED: sfn.RetryProps = {
  errors: ['Throttled'],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 6,
  jitterStrategy: sfn.JitterType.FULL,
};
// A restored resource still being created cannot be deleted yet: the clean-up retries for about 80 minutes.
const RETRY_CLEANUP: sfn.RetryProps = {
  errors: ['CleanupPending'],
  interval: Duration.minutes(1),
  backoffRate: 1.5,
  maxDelay: Duration.minutes(5),
  maxAttempts: 20,
};

/**
 * The disaster-recovery workflow: a Standard Step Functions state machine (JSONPath) that finds
 * the recovery point, restores database, configuration and cache beside production, verifies them,
 * and in `recover` mode cuts over after approval; a weekly drill; RTO/failure/overdue alarms.
 */
export class McpDisasterRecovery extends Construct implements IMcpMonitoringSegment {
  /** The workflow; start it with a deterministic name (see the runbook). */
  public readonly stateMachine: sfn.StateMachine;
  /** The Lambda that runs every logic step. */
  public readonly restoreFunction: lambda.Function;
  /**
   * The managed policy of this workflow's operators (`mcp-ops dr`): start, list, describe and read executions,
   * answer the approval request; nothing on production data. Attach it to your operators' role.
   */
  public readonly operatorPolicy: McpDrOperatorPolicy;
  /**
   * The RTO model's worst case for `rtoSizing` (recover mode with a service to cut over, else restore and verify),
   * with the terms it adds up and their sources. A synth warning says so when it exceeds the RTO.
   */
  public readonly plannedRecovery: RecoveryPlanEstimate;
  /** Topic of approvals, notifications and (until a monitoring construct includes them) alarms. */
  public readonly alarmTopic: sns.ITopic;
  /**
   * The alarms: `DrExecutionFailed` (an execution failed, timed out or was aborted), `DrRtoExceeded` (an
   * execution took longer than the RTO) and, with scheduled drills, `DrDrillOverdue`; all warnings.
   */
  public readonly alarms: McpAlarm[];
  /** Title of the workflow's dashboard row (see `McpMonitoring.addSegment`). */
  public readonly segmentTitle = 'Disaster recovery';
  /** Prefix of every restored resource, `<serviceName>-dr`. */
  public readonly restoredPrefix: string;

  private readonly serviceName: string;
  private readonly rto: Duration;
  private readonly rpo: Duration;
  /** The runbook's URL, linked from every notification and the approval request. */
  private readonly runbook: string;

  constructor(scope: Construct, id: string, props: McpDisasterRecoveryProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const settings = this.validate(props);
    this.warnIgnored(props);

    this.serviceName = props.serviceName;
    this.rto = settings.rto;
    this.rpo = settings.rpo;
    this.runbook = settings.runbook;
    this.restoredPrefix = restoredPrefix(props.serviceName);
    this.alarmTopic =
      props.alarmTopic ??
      new McpAlarmTopic(this, 'AlarmTopic', { displayName: `${props.serviceName} disaster recovery` }).topic;
    const fn = this.buildRestoreFunction(props, settings);
    this.restoreFunction = fn;
    this.grantRestore(fn, props, settings.stateMachineArn);
    this.stateMachine = this.buildStateMachine(props, settings);
    this.grantStateMachine();
    this.operatorPolicy = this.buildOperatorPolicy(props);
    this.buildSchedules(props, fn);
    this.plannedRecovery = this.planRecovery(props, settings.rto, settings.poll, settings.approvalTimeout);
    this.alarms = this.createAlarms(props, settings.factory, settings.rto, settings.overdue);
    this.acknowledgeFindings(fn, props);
  }

  /**
   * Checks every prop (the service name first) and reports all problems at once; returns the settings the
   * builders share, with defaults applied.
   */
  private validate(props: McpDisasterRecoveryProps): DrSettings {
    const problems = new Problems(OWNER, this.node.path);
    const nameProblem = this.checkServiceName(props, problems);
    const durations = this.resolveDurations(props, problems);
    problems.throwIfAny();
    const factory = alarmFactoryFor(this, 'McpDisasterRecovery', props.serviceName, props);
    const runbook = factory.runbookUrl(DR_RUNBOOK);
    this.checkDurationRanges(durations, problems);
    const parts = this.resolveParts(props, problems);
    if (nameProblem === undefined && durations.rto.toSeconds({ integral: false }) >= 1)
      this.checkRtoModel(props, durations, parts, problems);
    problems.throwIfAny();
    const stack = Stack.of(this);
    const stateMachineName = drStateMachineName(stack.stackName, props.serviceName);
    const stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    return { ...durations, ...parts, factory, runbook, stateMachineName, stateMachineArn };
  }

  /** The service name's own problems, its claim, the state machine name's length and the backup's service. */
  private checkServiceName(props: McpDisasterRecoveryProps, problems: Problems): string | undefined {
    const nameProblem = serviceNameProblem(props.serviceName);
    problems.add(nameProblem);
    if (!nameProblem) {
      problems.add(claimServiceName(this, OWNER, props.serviceName));
      problems.add(
        nameLengthProblem(
          'stateMachine',
          'the state machine name',
          drStateMachineName(Stack.of(this).stackName, props.serviceName),
        ),
      );
      const backupService = backupServiceOf(props.backupBucket);
      problems.check(
        backupService === undefined || backupService === props.serviceName,
        `serviceName ${JSON.stringify(props.serviceName)} must be the serviceName of the McpBackup whose bucket is backupBucket (${JSON.stringify(backupService)}): the workflow only restores manifests of its own service`,
      );
    }
    return nameProblem;
  }

  /** The workflow's durations with their defaults, each checked to be a whole number of seconds. */
  private resolveDurations(props: McpDisasterRecoveryProps, problems: Problems): DrDurations {
    const rpo = props.rpo ?? Duration.hours(1);
    const rto = props.rto ?? Duration.minutes(30);
    const poll = props.pollInterval ?? Duration.seconds(30);
    const restoreTimeout = props.restoreTimeout ?? Duration.minutes(90);
    const approvalTimeout = props.approvalTimeout ?? Duration.minutes(15);
    const executionTimeout = props.executionTimeout ?? Duration.hours(4);
    const overdue = props.drillOverdueAfter ?? Duration.days(8);
    // Step Functions waits, timeouts and the alarm thresholds take whole seconds.
    for (const [prop, d] of Object.entries({
      rpo,
      rto,
      pollInterval: poll,
      restoreTimeout,
      approvalTimeout,
      executionTimeout,
      drillOverdueAfter: overdue,
    })) {
      problems.check(
        Number.isInteger(d.toSeconds({ integral: false })),
        `${prop} must be a whole number of seconds, got ${d.toHumanString()}`,
      );
    }
    return { rpo, rto, poll, restoreTimeout, approvalTimeout, executionTimeout, overdue };
  }

  /** The range of each duration, and how they must relate to each other. */
  private checkDurationRanges(d: DrDurations, problems: Problems): void {
    const { rpo, rto, poll, restoreTimeout, approvalTimeout, executionTimeout, overdue } = d;
    problems.check(
      rpo.toSeconds() >= 60 && rpo.toSeconds() <= 7 * 86400,
      `rpo must be from 1 minute to 7 days, got ${rpo.toHumanString()}`,
    );
    problems.check(
      rto.toSeconds() >= 300 && rto.toSeconds() <= 86400,
      `rto must be from 5 minutes to 1 day, got ${rto.toHumanString()}`,
    );
    problems.check(
      poll.toSeconds() >= 10 && poll.toSeconds() <= 300,
      `pollInterval must be from 10 to 300 seconds, got ${poll.toHumanString()}`,
    );
    problems.check(
      restoreTimeout.toSeconds() > poll.toSeconds() && restoreTimeout.toSeconds() <= 86400,
      `restoreTimeout must be longer than pollInterval (${poll.toHumanString()}) and at most 1 day, got ${restoreTimeout.toHumanString()}`,
    );
    problems.check(
      approvalTimeout.toSeconds() >= 60 && approvalTimeout.toSeconds() <= 86400,
      `approvalTimeout must be from 1 minute to 1 day, got ${approvalTimeout.toHumanString()}`,
    );
    problems.check(
      executionTimeout.toSeconds() > restoreTimeout.toSeconds() + approvalTimeout.toSeconds(),
      `executionTimeout must exceed restoreTimeout + approvalTimeout (${restoreTimeout.toSeconds() + approvalTimeout.toSeconds()} s), got ${executionTimeout.toSeconds()} s`,
    );
    problems.check(
      overdue.toSeconds() >= 86400 && overdue.toSeconds() <= 30 * 86400,
      `drillOverdueAfter must be from 1 to 30 days, got ${overdue.toHumanString()}`,
    );
  }

  /** The production parts the workflow restores or runs (database, VPC, cache, readiness task), checked. */
  private resolveParts(props: McpDisasterRecoveryProps, problems: Problems): DrParts {
    const check = (condition: boolean, message: string): boolean => problems.check(condition, message);
    // Production's L1 resource (by type, not instanceof: another copy of aws-cdk-lib may have made it).
    const dbChild = props.database?.node.defaultChild as rds.CfnDBInstance | undefined;
    const productionDb =
      dbChild && (dbChild as { cfnResourceType?: string }).cfnResourceType === rds.CfnDBInstance.CFN_RESOURCE_TYPE_NAME
        ? dbChild
        : undefined;
    const vpc = props.vpc ?? (props.database as { vpc?: ec2.IVpc } | undefined)?.vpc;
    if (props.cache) {
      check(
        props.cache.replicationGroupId === undefined ||
          Token.isUnresolved(props.cache.replicationGroupId) ||
          /^[a-z][a-z0-9-]{0,39}$/.test(props.cache.replicationGroupId),
        `cache.replicationGroupId must be a valid replication group id, got ${JSON.stringify(props.cache.replicationGroupId)}`,
      );
      check(
        Token.isUnresolved(props.cache.nodeType) || /^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(props.cache.nodeType),
        `cache.nodeType must look like cache.t4g.small, got ${JSON.stringify(props.cache.nodeType)}`,
      );
      check(props.cache.securityGroups.length > 0, 'cache.securityGroups must not be empty, got []');
    }
    if (props.databaseInstanceClass !== undefined) {
      check(
        Token.isUnresolved(props.databaseInstanceClass) ||
          /^db\.[a-z0-9]+\.[a-z0-9]+$/.test(props.databaseInstanceClass),
        `databaseInstanceClass must look like db.t4g.medium, got ${JSON.stringify(props.databaseInstanceClass)}`,
      );
    }
    const taskDefinition = props.taskDefinition ?? props.service?.taskDefinition;
    const cluster = props.cluster ?? props.service?.cluster;
    const container = taskDefinition
      ? props.containerName
        ? taskDefinition.findContainer(props.containerName)
        : taskDefinition.defaultContainer
      : undefined;
    check(
      !taskDefinition || !!container,
      `containerName ${JSON.stringify(props.containerName)} is not a container of the task definition`,
    );
    check(
      !taskDefinition || !!cluster,
      'cluster is required with taskDefinition (the readiness task runs in it), got none',
    );
    check(
      !props.service || props.endpointParameters !== undefined,
      'endpointParameters is required with service: the cut-over rewrites the endpoint parameters the container reads (it never registers task definitions); give McpDataTier endpointParameters and pass dataTier.endpointParameters',
    );
    const readinessCommand = props.readinessCommand ?? [...DEFAULT_READINESS_COMMAND];
    check(
      Array.isArray(readinessCommand) && readinessCommand.length > 0,
      `readinessCommand must not be empty, got ${JSON.stringify(readinessCommand)}`,
    );
    check(
      !props.database || vpc !== undefined,
      'vpc is required with a database whose VPC is unknown (the restore subnet group needs one)',
    );
    return { productionDb, vpc, taskDefinition, cluster, container, readinessCommand };
  }

  /**
   * The RTO the library's own model says this workflow can meet (lib/dr/rto-model.ts), with typical AWS
   * durations and this workflow's polling: a drill is the fastest recovery, so an RTO below its estimate
   * can never be met and its alarm would fire on every drill.
   */
  private checkRtoModel(
    props: McpDisasterRecoveryProps,
    { rto, poll }: DrDurations,
    { taskDefinition }: DrParts,
    problems: Problems,
  ): void {
    const estimate = estimateRecoveryTime(
      'drill',
      {
        ...TYPICAL_AWS_DURATIONS,
        databaseRestore: props.database ? TYPICAL_AWS_DURATIONS.databaseRestore : 0,
        cacheRestore: props.cache ? TYPICAL_AWS_DURATIONS.cacheRestore : 0,
        readinessTask: taskDefinition ? TYPICAL_AWS_DURATIONS.readinessTask : 0,
      },
      {
        databasePollInterval: poll.toSeconds({ integral: false }),
        cachePollInterval: poll.toSeconds({ integral: false }),
        deploymentPollInterval: poll.toSeconds({ integral: false }),
        ...TYPICAL_STEP_TIMINGS,
      },
      rto.toSeconds({ integral: false }),
    );
    problems.check(
      estimate.withinRto,
      `rto ${rto.toHumanString()} cannot be met: the RTO model (lib/dr/rto-model.ts) estimates ${Math.ceil(estimate.totalSeconds / 60)} minutes for a drill with typical AWS durations (database restore ${TYPICAL_AWS_DURATIONS.databaseRestore / 60} min${props.cache ? `, cache ${TYPICAL_AWS_DURATIONS.cacheRestore / 60} min` : ''}${taskDefinition ? `, readiness task ${TYPICAL_AWS_DURATIONS.readinessTask} s` : ''}) and pollInterval ${poll.toHumanString()}; allow at least ${Math.ceil(estimate.totalSeconds / 60)} minutes`,
    );
  }

  /** The restore Lambda that runs every logic step (not yet granted anything: see grantRestore). */
  private buildRestoreFunction(props: McpDisasterRecoveryProps, s: DrSettings): McpOpsFunction {
    const subnetGroupName = this.buildRestoreSubnetGroup(props, s);
    return new McpOpsFunction(this, 'RestoreFunction', {
      handlerName: 'restore',
      logRetention: props.functionLogRetention,
      description: `${props.serviceName} disaster recovery: restore workflow steps`,
      timeout: Duration.minutes(2),
      memorySize: 512,
      outsideVpcReason:
        'Drives the restore through AWS APIs (RDS, ElastiCache, ECS, Step Functions, S3): no resource in a VPC; the readiness check runs as an ECS task in the VPC',
      noDeadLetterQueueReason:
        'Invoked synchronously by the state machine (which retries and fails the execution, seen by the RTO alarms) and by schedules that publish RunningExecutionSeconds and DrillAgeSeconds (a missed run delays a datapoint; the drill-age alarm treats missing data as breaching)',
      environment: this.restoreEnvironment(props, s, subnetGroupName),
    });
  }

  /** The subnet group restored instances go into: the given or production's one, else a new `RestoreSubnetGroup`. */
  private buildRestoreSubnetGroup(props: McpDisasterRecoveryProps, s: DrSettings): string | undefined {
    // Restored beside production: in its subnets (e.g. isolated ones) unless told otherwise.
    let subnetGroupName = props.databaseSubnetGroup?.subnetGroupName ?? s.productionDb?.dbSubnetGroupName;
    if ((props.database || props.regionLoss) && !subnetGroupName) {
      subnetGroupName = new rds.SubnetGroup(this, 'RestoreSubnetGroup', {
        vpc: s.vpc!,
        vpcSubnets: props.vpcSubnets,
        description: `${props.serviceName} disaster-recovery restores`,
      }).subnetGroupName;
    }
    return subnetGroupName;
  }

  /** The restore Lambda's environment: what it restores, from where, into what, and how long it polls. */
  private restoreEnvironment(
    props: McpDisasterRecoveryProps,
    s: DrSettings,
    subnetGroupName: string | undefined,
  ): Record<string, string> {
    const { rpo, poll, restoreTimeout, productionDb, container } = s;
    const dbSecurityGroups = props.databaseSecurityGroups ?? props.database?.connections.securityGroups ?? [];
    const regionalDb: Record<string, string> = {};
    if (props.regionLoss) {
      regionalDb.DB_SECURITY_GROUP_IDS = dbSecurityGroups.map((sg) => sg.securityGroupId).join(',');
      if (props.databaseParameterGroupName) regionalDb.DB_PARAMETER_GROUP = props.databaseParameterGroupName;
      if (props.databaseInstanceClass) regionalDb.DB_INSTANCE_CLASS = props.databaseInstanceClass;
    }
    const maxPolls = Math.ceil(restoreTimeout.toSeconds() / poll.toSeconds());
    const environment: Record<string, string> = {
      ...regionalDb,
      SERVICE_NAME: props.serviceName,
      BACKUP_BUCKET: props.backupBucket.bucketName,
      RPO_SECONDS: String(rpo.toSeconds()),
      METRICS_NAMESPACE: MCP_OPS_NAMESPACE,
      DB_MAX_POLLS: String(maxPolls),
      CACHE_MAX_POLLS: String(maxPolls),
      DEPLOY_MAX_POLLS: String(Math.ceil(Duration.minutes(30).toSeconds() / poll.toSeconds())),
      STATE_MACHINE_ARN: s.stateMachineArn,
    };
    if (props.database) {
      environment.PRODUCTION_DB_INSTANCE_ID = props.database.instanceIdentifier;
      environment.DB_SUBNET_GROUP = subnetGroupName!;
      const parameterGroup = props.databaseParameterGroupName ?? productionDb?.dbParameterGroupName;
      if (parameterGroup) environment.DB_PARAMETER_GROUP = parameterGroup;
      environment.DB_SECURITY_GROUP_IDS = dbSecurityGroups.map((sg) => sg.securityGroupId).join(',');
      if (props.databaseInstanceClass) environment.DB_INSTANCE_CLASS = props.databaseInstanceClass;
    }
    if (props.cache) {
      if (props.cache.replicationGroupId) environment.CACHE_PRODUCTION_ID = props.cache.replicationGroupId;
      environment.CACHE_NODE_TYPE = props.cache.nodeType;
      environment.CACHE_SUBNET_GROUP = props.cache.subnetGroupName;
      environment.CACHE_SECURITY_GROUP_IDS = props.cache.securityGroups.map((sg) => sg.securityGroupId).join(',');
      environment.CACHE_ENGINE = props.cache.engine ?? 'valkey';
      if (props.cache.userGroupIds?.length) environment.CACHE_USER_GROUP_IDS = props.cache.userGroupIds.join(',');
      if (props.cache.authTokenSecret) environment.CACHE_AUTH_TOKEN_SECRET_ARN = props.cache.authTokenSecret.secretArn;
      if (props.cache.kmsKey) environment.CACHE_KMS_KEY_ID = props.cache.kmsKey.keyArn;
    }
    if (container) environment.READINESS_CONTAINER = container.containerName;
    if (props.regionLoss) Object.assign(environment, this.regionLossEnvironment(props.regionLoss, subnetGroupName));
    if (props.endpointParameters)
      environment.ENDPOINT_PARAMETERS = JSON.stringify(props.endpointParameters.parameterNames());
    if (props.service) {
      environment.ECS_CLUSTER = props.service.cluster.clusterArn;
      environment.ECS_SERVICE = props.service.serviceName;
      environment.SERVICE_CONTAINER =
        container?.containerName ?? props.service.taskDefinition.defaultContainer!.containerName;
    }
    return environment;
  }

  /**
   * A step the restore Lambda runs (`action` in its event), retried when it reports `Throttled`.
   */
  private step(
    sid: string,
    action: string,
    payload: Record<string, unknown>,
    resultPath: string | undefined,
    comment?: string,
  ): tasks.LambdaInvoke {
    const task = new tasks.LambdaInvoke(this, sid, {
      lambdaFunction: this.restoreFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ action, ...payload }),
      resultPath,
      comment,
      retryOnServiceExceptions: true,
    });
    task.addRetry(RETRY_THROTTLED);
    return task;
  }

  /** A notification on the alarm topic, naming the service, the execution and the runbook. */
  private notify(sid: string, subject: string, message: Record<string, unknown>): tasks.SnsPublish {
    const task = new tasks.SnsPublish(this, sid, {
      topic: this.alarmTopic,
      subject,
      message: sfn.TaskInput.fromObject({
        service: this.serviceName,
        execution: sfn.JsonPath.executionName,
        runbook: this.runbook,
        ...message,
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    task.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 3 });
    return task;
  }

  /**
   * The state machine: resolve the recovery point, restore, verify, then the drill's or the recovery's end,
   * logged to its own log group.
   */
  private buildStateMachine(props: McpDisasterRecoveryProps, s: DrSettings): sfn.StateMachine {
    const failure = this.failureStates(props);
    const resolve = this.step(
      'Resolve recovery point',
      'resolve',
      {
        'request.$': '$',
        execution: { name: sfn.JsonPath.executionName, startTime: sfn.JsonPath.stringAt('$$.Execution.StartTime') },
      },
      '$.plan',
      'validate input, choose PITR or snapshot, check the RPO',
    ).addCatch(failure.refused, { resultPath: ERROR_PATH });
    const restore = this.restoreStates(s, failure.onFailure);
    const verifyChain = this.verificationStates(props, s, failure.onFailure);
    const drillEnd = this.drillStates(props, failure.onFailure);
    const recoverEnd = this.recoverStates(props, s, failure);

    const definition = sfn.Chain.start(resolve)
      .next(restore)
      .next(verifyChain)
      .next(
        new sfn.Choice(this, 'Mode?')
          .when(sfn.Condition.stringEquals('$.plan.request.mode', 'recover'), recoverEnd)
          .otherwise(drillEnd),
      );

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.executionLogRetention ?? logs.RetentionDays.ONE_YEAR,
      encryptionKey: stackLogKey(this),
    });
    return new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: s.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: s.executionTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `${props.serviceName} disaster recovery (${s.runbook}); RPO ${s.rpo.toHumanString()}, RTO ${s.rto.toHumanString()}`,
    });
  }

  /**
   * The failure ends: `refused` (bad input, nothing created), `onFailure` (notify, clean up in drill mode,
   * fail) and the shared `failed` state.
   */
  private failureStates(props: McpDisasterRecoveryProps): DrFailureStates {
    const failed = new sfn.Fail(this, 'Recovery failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    // Refused input: nothing was created, nothing to clean up.
    const refused = this.notify('Notify refused', `DR ${props.serviceName}: recovery refused`, {
      outcome: 'refused',
      'error.$': '$.error',
      'input.$': '$$.Execution.Input',
    }).next(new sfn.Fail(this, 'Recovery refused', { errorPath: '$.error.Error', causePath: '$.error.Cause' }));
    const cleanupFailed = this.notify(
      'Notify clean-up failure',
      `DR ${props.serviceName}: restored resources left behind`,
      {
        outcome: 'cleanup-failed',
        'error.$': '$.cleanupError',
        'restoreId.$': '$.plan.restoreId',
        note: 'the drill could not delete what it restored: delete <restoreId> by hand (runbook, "Abort"); production was not modified',
      },
    ).next(failed);
    const cleanupAfterFailure = this.step(
      'Clean up after failure',
      'cleanup',
      { plan: PLAN },
      '$.cleanup',
      'drill: delete what this execution restored',
    )
      .addRetry(RETRY_CLEANUP)
      .addCatch(cleanupFailed, { resultPath: '$.cleanupError' });
    const failureMode = new sfn.Choice(this, 'Failure in drill mode?')
      .when(sfn.Condition.stringEquals('$.plan.request.mode', 'drill'), cleanupAfterFailure.next(failed))
      .otherwise(failed);
    const onFailure = this.notify('Notify failure', `DR ${props.serviceName}: recovery failed`, {
      outcome: 'failed',
      'error.$': '$.error',
      'mode.$': '$.plan.request.mode',
      'restoreId.$': '$.plan.restoreId',
      note: 'production was not modified; in recover mode the restored resources are kept for inspection',
    }).next(failureMode);
    return { failed, refused, onFailure };
  }

  /** The restore: database, configuration and cache branches side by side. */
  private restoreStates(s: DrSettings, onFailure: sfn.IChainable): sfn.Parallel {
    const dbBranch = this.databaseBranch(s);
    const configBranch = this.configurationBranch();
    const cacheBranch = this.cacheBranch(s);
    return new sfn.Parallel(this, 'Restore', {
      comment: 'database, configuration and cache side by side; production is only read',
      resultSelector: { 'database.$': '$[0]', 'configuration.$': '$[1]', 'cache.$': '$[2]' },
      resultPath: '$.restored',
    })
      .branch(dbBranch)
      .branch(configBranch)
      .branch(cacheBranch)
      .addCatch(onFailure, { resultPath: ERROR_PATH });
  }

  /** Database branch: start the restore, poll until available, failed or timed out. */
  private databaseBranch({ poll, restoreTimeout }: DrSettings): sfn.Choice {
    const dbWait = new sfn.Wait(this, 'Wait for database', { time: sfn.WaitTime.duration(poll) });
    const dbCheck = this.step(
      'Check database',
      'check-database',
      { plan: PLAN, 'database.$': '$.database' },
      '$.database',
    );
    return new sfn.Choice(this, 'Restore database?')
      .when(
        sfn.Condition.booleanEquals('$.plan.database.enabled', true),
        this.step(
          'Start database restore',
          'start-database-restore',
          { plan: PLAN },
          '$.database',
          'new instance; "already exists" is described instead',
        )
          .next(dbWait)
          .next(dbCheck)
          .next(
            new sfn.Choice(this, 'Database available?')
              .when(
                sfn.Condition.stringEquals('$.database.state', 'available'),
                new sfn.Pass(this, 'Database restored', { outputPath: '$.database' }),
              )
              .when(
                sfn.Condition.stringEquals('$.database.state', 'failed'),
                new sfn.Fail(this, 'Database restore failed', {
                  error: 'RestoreFailed',
                  cause: 'the restored DB instance reached a failed state',
                }),
              )
              .when(
                sfn.Condition.booleanEquals('$.database.timedOut', true),
                new sfn.Fail(this, 'Database restore timed out', {
                  error: 'RestoreTimedOut',
                  cause: `the restored DB instance was not available within ${restoreTimeout.toHumanString()}`,
                }),
              )
              .otherwise(dbWait),
          ),
      )
      .otherwise(new sfn.Pass(this, 'No database', { result: sfn.Result.fromObject({ skipped: true }) }));
  }

  /** Configuration branch: one step (checksum, decompress, write). */
  private configurationBranch(): sfn.Choice {
    return new sfn.Choice(this, 'Restore configuration?')
      .when(
        sfn.Condition.booleanEquals('$.plan.configuration.enabled', true),
        this.step(
          'Restore configuration',
          'restore-configuration',
          { plan: PLAN },
          undefined,
          'checksum, decompress, write to restores/<restoreId>/',
        ),
      )
      .otherwise(new sfn.Pass(this, 'No configuration', { result: sfn.Result.fromObject({ skipped: true }) }));
  }

  /** Cache branch: start the restore, poll until available, failed or timed out. */
  private cacheBranch({ poll, restoreTimeout }: DrSettings): sfn.Choice {
    const cacheWait = new sfn.Wait(this, 'Wait for cache', { time: sfn.WaitTime.duration(poll) });
    const cacheCheck = this.step('Check cache', 'check-cache', { plan: PLAN, 'cache.$': '$.cache' }, '$.cache');
    return new sfn.Choice(this, 'Restore cache?')
      .when(
        sfn.Condition.booleanEquals('$.plan.cache.enabled', true),
        this.step(
          'Start cache restore',
          'start-cache-restore',
          { plan: PLAN },
          '$.cache',
          'from the exported backup, or cold',
        )
          .next(cacheWait)
          .next(cacheCheck)
          .next(
            new sfn.Choice(this, 'Cache available?')
              .when(
                sfn.Condition.stringEquals('$.cache.state', 'available'),
                new sfn.Pass(this, 'Cache restored', { outputPath: '$.cache' }),
              )
              .when(
                sfn.Condition.stringEquals('$.cache.state', 'failed'),
                new sfn.Fail(this, 'Cache restore failed', {
                  error: 'RestoreFailed',
                  cause: 'the restored cache reached a failed state',
                }),
              )
              .when(
                sfn.Condition.booleanEquals('$.cache.timedOut', true),
                new sfn.Fail(this, 'Cache restore timed out', {
                  error: 'RestoreTimedOut',
                  cause: `the restored cache was not available within ${restoreTimeout.toHumanString()}`,
                }),
              )
              .otherwise(cacheWait),
          ),
      )
      .otherwise(new sfn.Pass(this, 'No cache', { result: sfn.Result.fromObject({ skipped: true }) }));
  }

  /** Verification: checksums, then (with a task definition) the readiness task and its evaluation. */
  private verificationStates(props: McpDisasterRecoveryProps, s: DrSettings, onFailure: sfn.IChainable): sfn.Chain {
    const { taskDefinition, cluster, container, readinessCommand } = s;
    const verifyChecksums = this.step(
      'Verify checksums',
      'verify',
      { plan: PLAN, 'restored.$': '$.restored' },
      '$.verification',
      'manifest sha256 of the backup and of the restored copy; database available',
    ).addCatch(onFailure, { resultPath: ERROR_PATH });
    let verifyChain: sfn.Chain = sfn.Chain.start(verifyChecksums);
    if (taskDefinition && cluster && container) {
      const readiness = this.readinessTask(taskDefinition, cluster, container, readinessCommand, props).addCatch(
        onFailure,
        { resultPath: ERROR_PATH },
      );
      const evaluate = this.step(
        'Evaluate readiness',
        'verify',
        { plan: PLAN, 'restored.$': '$.restored', 'readiness.$': '$.readiness' },
        '$.verification',
        'the readiness task must exit 0',
      ).addCatch(onFailure, { resultPath: ERROR_PATH });
      verifyChain = verifyChain.next(readiness).next(evaluate);
    }
    return verifyChain;
  }

  /** Drill: report, clean up, done. */
  private drillStates(props: McpDisasterRecoveryProps, onFailure: sfn.IChainable): sfn.Chain {
    return this.step(
      'Report drill',
      'report',
      { plan: PLAN, outcome: 'drill-succeeded' },
      '$.report',
      'RecoveryTimeSeconds and DataLossSeconds',
    )
      .addCatch(onFailure, { resultPath: ERROR_PATH })
      .next(
        this.step('Clean up drill', 'cleanup', { plan: PLAN }, '$.cleanup', 'delete the restored resources')
          .addRetry(RETRY_CLEANUP)
          .addCatch(onFailure, { resultPath: ERROR_PATH }),
      )
      .next(
        this.notify('Notify drill succeeded', `DR ${props.serviceName}: drill succeeded`, {
          outcome: 'drill-succeeded',
          'report.$': '$.report',
          'recoveryPoint.$': '$.plan.recoveryPoint',
        }),
      )
      .next(new sfn.Succeed(this, 'Drill succeeded'));
  }

  /** Recover: approval, cut-over, deployment, probe, report. */
  private recoverStates(props: McpDisasterRecoveryProps, s: DrSettings, failure: DrFailureStates): sfn.IChainable {
    const rejected = this.notify('Notify approval rejected', `DR ${props.serviceName}: cut-over rejected`, {
      outcome: 'rejected',
      'restored.$': '$.restored',
      note: 'production was not modified; the restored resources are kept',
    }).next(
      new sfn.Fail(this, 'Cut-over rejected', {
        error: 'ApprovalRejected',
        cause: 'the cut-over was rejected or not approved in time',
      }),
    );
    let afterApproval: sfn.IChainable;
    if (props.service) {
      afterApproval = this.cutoverStates(props, s, rejected, failure.failed);
    } else {
      afterApproval = this.step('Report recovery', 'report', { plan: PLAN, outcome: 'restored-no-cutover' }, '$.report')
        .addCatch(failure.onFailure, { resultPath: ERROR_PATH })
        .next(
          this.notify('Notify restored', `DR ${props.serviceName}: restored (no service to cut over)`, {
            outcome: 'restored',
            'report.$': '$.report',
            'restored.$': '$.restored',
          }),
        )
        .next(new sfn.Succeed(this, 'Restored'));
    }
    // Region loss: the traffic approval comes after the activation and the probe (trafficChain), not here.
    const regionalCutover = props.regionLoss !== undefined && props.service !== undefined;
    const approval = (): sfn.TaskStateBase =>
      new tasks.SnsPublish(this, 'Request cut-over approval', {
        topic: this.alarmTopic,
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        subject: `DR ${props.serviceName}: approve cut-over`,
        message: sfn.TaskInput.fromObject(approvalRequest(props.serviceName, s.runbook)),
        taskTimeout: sfn.Timeout.duration(s.approvalTimeout),
        resultPath: '$.approval',
      })
        .addCatch(rejected, { errors: ['ApprovalRejected', 'States.Timeout'], resultPath: ERROR_PATH })
        .addCatch(failure.onFailure, { resultPath: ERROR_PATH });
    return regionalCutover
      ? afterApproval
      : approval().next(
          new sfn.Choice(this, 'Approved?')
            .when(
              sfn.Condition.and(
                sfn.Condition.isPresent('$.approval.approved'),
                sfn.Condition.booleanEquals('$.approval.approved', true),
              ),
              afterApproval,
            )
            .otherwise(rejected),
        );
  }

  /**
   * The cut-over of the service, after the approval: rewrite the endpoint parameters, wait for the forced
   * deployment, probe, (region loss) move traffic, report.
   */
  private cutoverStates(
    props: McpDisasterRecoveryProps,
    s: DrSettings,
    rejected: sfn.IChainable,
    failed: sfn.IChainable,
  ): sfn.IChainable {
    const deployWait = new sfn.Wait(this, 'Wait for deployment', { time: sfn.WaitTime.duration(s.poll) });
    // The cut-over step itself failed: UpdateService is its last call, so production was not switched.
    const cutoverStepFailure = this.notify(
      'Notify cut-over failure',
      `DR ${props.serviceName}: cut-over failed, production not switched`,
      {
        outcome: 'cutover-failed',
        'error.$': '$.error',
        'restored.$': '$.restored',
        note: 'the service still reads its previous endpoints (see error: a parameter may already have been rewritten; cutover.previousEndpoints restores them); the restored resources are kept',
      },
    ).next(failed);
    // After UpdateService: the service points at the restored resources; roll back by hand if needed.
    const cutoverFailure = this.notify(
      'Notify failure after cut-over',
      `DR ${props.serviceName}: failure after cut-over`,
      {
        outcome: 'failed-after-cutover',
        'error.$': '$.error',
        'cutover.$': '$.cutover',
        rollback:
          'aws ssm put-parameter --overwrite --name <parameter> --value <previous value> for each of cutover.previousEndpoints, then aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment',
      },
    ).next(failed);
    let afterDeploy: sfn.IChainable = this.step(
      'Report recovery',
      'report',
      { plan: PLAN, outcome: 'recovered' },
      '$.report',
    )
      .addCatch(cutoverFailure, { resultPath: ERROR_PATH })
      .next(
        this.notify('Notify recovered', `DR ${props.serviceName}: recovered`, {
          outcome: 'recovered',
          'report.$': '$.report',
          'cutover.$': '$.cutover',
          ...(props.regionLoss ? { 'traffic.$': '$.traffic' } : {}),
        }),
      )
      .next(new sfn.Succeed(this, 'Recovered'));
    // Region loss: the service is up in this Region and probed; traffic moves only after the approval.
    if (props.regionLoss)
      afterDeploy = this.trafficChain(afterDeploy, rejected, cutoverFailure, s.approvalTimeout, props);
    if (props.probeFunction) afterDeploy = this.probeStates(props.probeFunction, afterDeploy, cutoverFailure);
    const checkDeployment = this.step(
      'Check deployment',
      'check-deployment',
      { 'cutover.$': '$.cutover' },
      '$.cutover',
    ).addCatch(cutoverFailure, { resultPath: ERROR_PATH });
    return this.step(
      'Cut over',
      'cutover',
      { plan: PLAN, 'restored.$': '$.restored' },
      '$.cutover',
      'endpoint parameters rewritten with the restored endpoints; forced new deployment (no task-definition revision)',
    )
      .addCatch(cutoverStepFailure, { resultPath: ERROR_PATH })
      .next(deployWait)
      .next(checkDeployment)
      .next(
        new sfn.Choice(this, 'Deployment done?')
          .when(sfn.Condition.stringEquals('$.cutover.state', 'available'), afterDeploy)
          .when(
            sfn.Condition.or(
              sfn.Condition.stringEquals('$.cutover.state', 'failed'),
              sfn.Condition.booleanEquals('$.cutover.timedOut', true),
            ),
            new sfn.Pass(this, 'Deployment failed', {
              parameters: { Error: 'CutoverFailed', Cause: 'the forced deployment failed or did not complete' },
              resultPath: ERROR_PATH,
            }).next(cutoverFailure),
          )
          .otherwise(deployWait),
      );
  }

  /** The MCP probe against the public endpoint after the cut-over; `next` when it passes. */
  private probeStates(probeFunction: lambda.IFunction, next: sfn.IChainable, failure: sfn.IChainable): sfn.IChainable {
    const probe = new tasks.LambdaInvoke(this, 'Probe public endpoint', {
      lambdaFunction: probeFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ source: 'disaster-recovery', execution: sfn.JsonPath.executionName }),
      resultPath: '$.probe',
      retryOnServiceExceptions: true,
    })
      .addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(15), backoffRate: 2, maxAttempts: 3 })
      .addCatch(failure, { resultPath: ERROR_PATH });
    return probe.next(
      new sfn.Choice(this, 'Probe passed?')
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.probe.success'),
            sfn.Condition.booleanEquals('$.probe.success', false),
          ),
          new sfn.Pass(this, 'Probe failed', {
            parameters: {
              Error: 'ProbeFailed',
              Cause: 'the MCP probe against the public endpoint failed after cut-over',
            },
            resultPath: ERROR_PATH,
          }).next(failure),
        )
        .otherwise(next),
    );
  }

  /** The state machine's own grants: the readiness task (when there is one) and publishing to the topic. */
  private grantStateMachine(): void {
    if (this.readinessGrants) this.grantReadiness(this.readinessGrants.taskDefinition, this.readinessGrants.cluster);
    // Notifications and the approval request are published by the state machine's role: on an SSE-KMS
    // topic it needs the key too (SnsPublish grants sns:Publish only). grantPublish adds both.
    this.alarmTopic.grantPublish(this.stateMachine);
  }

  /** The managed policy of the workflow's operators (`mcp-ops dr`). */
  private buildOperatorPolicy(props: McpDisasterRecoveryProps): McpDrOperatorPolicy {
    return new McpDrOperatorPolicy(this, 'OperatorPolicy', {
      stateMachines: [this.stateMachine],
      description: `${props.serviceName} disaster-recovery operator (mcp-ops dr): start drills and recoveries, follow them, approve or reject the cut-over; nothing on production data`,
    });
  }

  /** The schedules: RunningExecutionSeconds every 5 minutes and, with scheduled drills, the drill and DrillAgeSeconds. */
  private buildSchedules(props: McpDisasterRecoveryProps, fn: McpOpsFunction): void {
    // Every 5 minutes: how long the oldest running execution has been running (for the RTO alarm).
    const runningSchedule = new events.Rule(this, 'RunningSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(5)),
      description: `${props.serviceName}: publish RunningExecutionSeconds (age of the oldest running recovery execution)`,
      targets: [
        new targets.LambdaFunction(fn, {
          event: events.RuleTargetInput.fromObject({ action: 'report-running' }),
          retryAttempts: 2,
        }),
      ],
    });
    if (props.scheduledDrills !== false) {
      const schedule = props.drillSchedule ?? events.Schedule.cron({ weekDay: 'MON', hour: '3', minute: '0' });
      const drillSchedule = new events.Rule(this, 'DrillSchedule', {
        schedule,
        description: `${props.serviceName}: scheduled disaster-recovery drill (deterministic execution name from the scheduled time)`,
        targets: [
          new targets.LambdaFunction(fn, {
            event: events.RuleTargetInput.fromObject({ action: 'start-drill', scheduledTime: events.EventField.time }),
            retryAttempts: 3,
          }),
        ],
      });
      const drillAgeSchedule = new events.Rule(this, 'DrillAgeSchedule', {
        schedule: events.Schedule.rate(Duration.hours(1)),
        description: `${props.serviceName}: publish DrillAgeSeconds (age of the last successful recovery execution)`,
        targets: [
          new targets.LambdaFunction(fn, {
            event: events.RuleTargetInput.fromObject({ action: 'report-drill-age' }),
            retryAttempts: 2,
          }),
        ],
      });
      acknowledgeCompliance(drillSchedule, {
        EventBusDLQ:
          'A drill that does not start leaves DrillAgeSeconds growing, and the drill-overdue alarm notices; 3 retries first',
      });
      acknowledgeCompliance(drillAgeSchedule, {
        EventBusDLQ:
          'Publishes the DrillAgeSeconds metric hourly; a missed run is a missing datapoint, which its alarm treats as breaching',
      });
    }
    acknowledgeCompliance(runningSchedule, {
      EventBusDLQ:
        'Publishes RunningExecutionSeconds every 5 minutes; a missed run only delays that metric by one period (the next run measures again)',
    });
  }

  /** Warns about settings that another setting makes ineffective (they would otherwise be dropped silently). */
  private warnIgnored(props: McpDisasterRecoveryProps): void {
    const drills = props.scheduledDrills ?? true;
    const taskDefinition = props.taskDefinition ?? props.service?.taskDefinition;
    const ignored: Array<[boolean, string]> = [
      [!drills && props.drillSchedule !== undefined, 'drillSchedule is ignored: scheduledDrills is false'],
      [!drills && props.drillOverdueAfter !== undefined, 'drillOverdueAfter is ignored: scheduledDrills is false'],
      [
        !props.database &&
          [
            props.databaseInstanceClass,
            props.databaseSubnetGroup,
            props.databaseSecurityGroups,
            props.databaseEncryptionKey,
          ].some((v) => v !== undefined),
        'databaseInstanceClass, databaseSubnetGroup, databaseSecurityGroups and databaseEncryptionKey are ignored: there is no database',
      ],
      [
        !taskDefinition &&
          [props.containerName, props.readinessCommand, props.readinessSecurityGroups].some((v) => v !== undefined),
        'containerName, readinessCommand and readinessSecurityGroups are ignored: there is no taskDefinition (or service) to run the readiness task',
      ],
      [
        !props.service && props.probeFunction !== undefined,
        'probeFunction is ignored: the probe runs after a cut-over, and there is no service to cut over',
      ],
    ];
    for (const [applies, message] of ignored)
      if (applies) Annotations.of(this).addWarningV2('mcp-ops:settingIgnored', `${OWNER}: ${message}`);
  }

  /** The planned recovery for the configured sizes; warns at synth when it exceeds the RTO. */
  private planRecovery(
    props: McpDisasterRecoveryProps,
    rto: Duration,
    poll: Duration,
    approvalTimeout: Duration,
  ): RecoveryPlanEstimate {
    const numeric = (v: unknown): number | undefined =>
      typeof v === 'number' && !Token.isUnresolved(v)
        ? v
        : typeof v === 'string' && !Token.isUnresolved(v) && /^\d+$/.test(v)
          ? Number(v)
          : undefined;
    const dbResource = props.database?.node.defaultChild as rds.CfnDBInstance | undefined;
    const serviceResource = props.service?.node.defaultChild as ecs.CfnService | undefined;
    const sizing: RecoverySizing = {
      ...TYPICAL_SIZING,
      scenario: props.regionLoss ? 'region-loss' : 'in-place',
      databaseSizeGb: numeric(dbResource?.allocatedStorage) ?? TYPICAL_SIZING.databaseSizeGb,
      tasks: props.regionLoss?.minimumTaskCount ?? numeric(serviceResource?.desiredCount) ?? TYPICAL_SIZING.tasks,
      cacheSizeGb: props.cache ? TYPICAL_SIZING.cacheSizeGb : 0,
      approvalWaitSeconds: Math.min(TYPICAL_SIZING.approvalWaitSeconds, approvalTimeout.toSeconds()),
      ...(Object.fromEntries(
        Object.entries(props.rtoSizing ?? {}).filter(([, v]) => v !== undefined),
      ) as RecoverySizingOptions),
    };
    const mode = props.service ? 'recover' : 'drill';
    let plan: RecoveryPlanEstimate;
    try {
      plan = planRecoveryTime(sizing, mode, workflowTimings(poll.toSeconds()), rto.toSeconds());
    } catch (e) {
      const problems = new Problems(OWNER, this.node.path); // with the construct path, like the other prop errors
      problems.add(`rtoSizing: ${(e as Error).message}`);
      problems.throwIfAny();
      throw e;
    }
    if (!plan.withinRto) {
      const minutes = (sec: number): string => `${(sec / 60).toFixed(1)} min`;
      const longest = [...plan.terms].sort((a, b) => b.seconds - a.seconds).slice(0, 3);
      Annotations.of(this).addWarningV2(
        '@mcp-ops/dr:rto-exceeded',
        `the planned ${sizing.scenario} recovery takes ${minutes(plan.totalSeconds)}, more than the RTO of ${minutes(plan.rtoSeconds)} ` +
          `(database ${sizing.databaseSizeGb} GB ${sizing.databaseMethod}${sizing.multiAz ? ' Multi-AZ' : ''}, ${sizing.tasks} task(s), approval ${minutes(sizing.approvalWaitSeconds)}); ` +
          `longest terms: ${longest.map((t) => `${t.what} ${Math.round(t.seconds)} s`).join('; ')}. ` +
          'Shorten what dominates (instance class, write rate, poll interval, approval), raise rto, or give rtoSizing your drills’ measured figures (docs/dr.md, "RTO model")',
      );
    }
    return plan;
  }

  /**
   * The workflow's alarms, all warnings (whoever runs a recovery is already engaged; a failed or overdue drill
   * is work for the day, not a page): `DrExecutionFailed`, `DrRtoExceeded`, `DrDrillOverdue` (with drills).
   */
  private createAlarms(
    props: McpDisasterRecoveryProps,
    factory: AlarmFactory,
    rto: Duration,
    overdue: Duration,
  ): McpAlarm[] {
    const fiveMinutes = Duration.minutes(5);
    factory.addAlarm(
      'DrExecutionFailed',
      {
        severity: AlarmSeverity.WARNING,
        runbook: DR_RUNBOOK,
        summary: 'a disaster-recovery execution failed, timed out or was aborted (production was not modified)',
        threshold:
          'ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted (sums) at or above 1 in one 5-minute period',
        constructId: 'FailureAlarm',
      },
      (constructId, alarmName, alarmDescription) =>
        new cloudwatch.MathExpression({
          expression: 'failed + timedOut + aborted',
          usingMetrics: {
            failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
            timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
            aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
          },
          period: fiveMinutes,
          label: 'failed, timed-out or aborted executions',
        }).createAlarm(this, constructId, {
          alarmName,
          alarmDescription,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    // Finished executions (ExecutionTime, published when one ends) and running ones (RunningExecutionSeconds,
    // every 5 minutes), in seconds: the alarm fires while a recovery overruns, not only at its end.
    factory.addAlarm(
      'DrRtoExceeded',
      {
        severity: AlarmSeverity.WARNING,
        runbook: DR_RUNBOOK,
        summary: `a disaster-recovery execution took, or has been running, longer than the RTO (${rto.toHumanString()})`,
        threshold: `the longest execution (ExecutionTime of finished ones, RunningExecutionSeconds of running ones) above ${rto.toSeconds()} s in one 5-minute period`,
        constructId: 'RtoAlarm',
      },
      (constructId, alarmName, alarmDescription) =>
        new cloudwatch.MathExpression({
          expression: 'MAX([FILL(finishedMs, 0) / 1000, FILL(running, 0)])',
          usingMetrics: {
            finishedMs: this.stateMachine.metric('ExecutionTime', { statistic: 'Maximum', period: fiveMinutes }),
            running: this.metric(RecoveryMetric.RUNNING_EXECUTION_SECONDS, undefined, {
              statistic: 'Maximum',
              period: fiveMinutes,
            }),
          },
          period: fiveMinutes,
          label: 'longest execution (finished or running), seconds',
        }).createAlarm(this, constructId, {
          alarmName,
          alarmDescription,
          threshold: rto.toSeconds(),
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    if (props.scheduledDrills !== false) {
      factory.metricAlarm(
        'DrDrillOverdue',
        {
          severity: AlarmSeverity.WARNING,
          runbook: DR_RUNBOOK,
          summary: `no disaster-recovery execution succeeded in the last ${overdue.toHumanString()} (backup and recovery not tested)`,
          threshold: `DrillAgeSeconds (minimum) above ${overdue.toSeconds()} s in 3 consecutive one-hour periods; no data counts as breaching`,
          constructId: 'DrillOverdueAlarm',
        },
        {
          metric: this.metric(RecoveryMetric.DRILL_AGE_SECONDS, undefined, {
            statistic: 'Minimum',
            period: Duration.hours(1),
          }),
          threshold: overdue.toSeconds(),
          evaluationPeriods: 3,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      );
    }
    return factory.alarms;
  }

  /**
   * A metric of the workflow in the `McpOps` namespace: `mode` for `RECOVERY_TIME_SECONDS` and `DATA_LOSS_SECONDS`
   * (undefined for the other two, which have the `service` dimension only).
   */
  public metric(
    name: RecoveryMetric,
    mode: RecoveryMode | undefined,
    props: cloudwatch.MetricOptions = {},
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: name,
      dimensionsMap: mode ? { service: this.serviceName, mode } : { service: this.serviceName },
      statistic: 'Maximum',
      period: Duration.days(1),
      ...props,
    });
  }

  /** Dashboard widgets: drill duration against the RTO, data loss against the RPO, last drill age, alarms. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'DR: recovery time (drill and recover)',
        left: [
          this.metric(RecoveryMetric.RECOVERY_TIME_SECONDS, RecoveryMode.DRILL, { label: 'drill' }),
          this.metric(RecoveryMetric.RECOVERY_TIME_SECONDS, RecoveryMode.RECOVER, { label: 'recover' }),
        ],
        leftAnnotations: [
          { value: this.rto.toSeconds(), label: `RTO ${this.rto.toHumanString()}`, color: cloudwatch.Color.RED },
        ],
        leftYAxis: { min: 0, label: 'seconds', showUnits: false },
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'DR: expected data loss',
        left: [
          this.metric(RecoveryMetric.DATA_LOSS_SECONDS, RecoveryMode.DRILL, { label: 'drill' }),
          this.metric(RecoveryMetric.DATA_LOSS_SECONDS, RecoveryMode.RECOVER, { label: 'recover' }),
        ],
        leftAnnotations: [
          { value: this.rpo.toSeconds(), label: `RPO ${this.rpo.toHumanString()}`, color: cloudwatch.Color.RED },
        ],
        leftYAxis: { min: 0, label: 'seconds', showUnits: false },
        width: 8,
      }),
      new cloudwatch.SingleValueWidget({
        title: 'DR: last drill duration (s) and age of last success (s)',
        metrics: [
          this.metric(RecoveryMetric.RECOVERY_TIME_SECONDS, RecoveryMode.DRILL, {
            label: 'last drill duration',
            period: Duration.days(7),
          }),
          this.metric(RecoveryMetric.DRILL_AGE_SECONDS, undefined, {
            label: 'last success age',
            statistic: 'Minimum',
            period: Duration.hours(1),
          }),
        ],
        width: 8,
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'DR alarms',
        alarms: this.alarms.map((a) => a.alarm),
        width: 24,
        height: 2,
      }),
    ];
  }

  /** The readiness task state: one run of the service task definition with the restored endpoints. */
  private readinessTask(
    taskDefinition: ecs.TaskDefinition,
    cluster: ecs.ICluster,
    container: ecs.ContainerDefinition,
    command: string[],
    props: McpDisasterRecoveryProps,
  ): sfn.CustomState {
    const stack = Stack.of(this);
    const subnets = cluster.vpc.selectSubnets(props.vpcSubnets).subnetIds;
    const securityGroups = (props.readinessSecurityGroups ?? props.service?.connections.securityGroups ?? []).map(
      (sg) => sg.securityGroupId,
    );
    if (securityGroups.length === 0)
      throw new Error(`${OWNER}: readinessSecurityGroups is required when no service is given, got none`);
    const state = new sfn.CustomState(this, 'Readiness task', {
      stateJson: {
        Type: 'Task',
        Comment:
          'one-off task of the service task definition with the restored endpoints; runs the readiness check once',
        Resource: `arn:${stack.partition}:states:::ecs:runTask.sync`,
        Parameters: {
          Cluster: cluster.clusterArn,
          TaskDefinition: taskDefinition.family,
          LaunchType: 'FARGATE',
          PlatformVersion: 'LATEST',
          NetworkConfiguration: {
            AwsvpcConfiguration: { Subnets: subnets, SecurityGroups: securityGroups, AssignPublicIp: 'DISABLED' },
          },
          Overrides: {
            ContainerOverrides: [
              { Name: container.containerName, Command: command, 'Environment.$': '$.verification.environment' },
            ],
          },
          StartedBy: 'disaster-recovery',
        },
        TimeoutSeconds: 900,
        ResultPath: '$.readiness',
      },
    });
    state.addRetry({
      errors: ['ECS.AmazonECSException', 'ECS.ThrottlingException'],
      interval: Duration.seconds(10),
      backoffRate: 2,
      maxAttempts: 3,
    });
    this.readinessGrants = { taskDefinition, cluster };
    return state;
  }

  private readinessGrants?: { taskDefinition: ecs.TaskDefinition; cluster: ecs.ICluster };

  /** What `ecs:runTask.sync` needs (the role of the state machine). */
  private grantReadiness(taskDefinition: ecs.TaskDefinition, cluster: ecs.ICluster): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunReadinessTask',
        actions: ['ecs:RunTask'],
        resources: [
          stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinition.family}:*` }),
        ],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WatchReadinessTask',
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassReadinessTaskRoles',
        actions: ['iam:PassRole'],
        resources: [
          taskDefinition.taskRole.roleArn,
          ...(taskDefinition.executionRole ? [taskDefinition.executionRole.roleArn] : []),
        ],
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunTaskSyncEvents',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForECSTaskRule',
          }),
        ],
      }),
    );
  }

  /** What the restore Lambda may do: read the backups, restore beside production (never change it), cut over. */
  private grantRestore(fn: McpOpsFunction, props: McpDisasterRecoveryProps, stateMachineArn: string): void {
    const prefix = this.restoredPrefix;
    props.backupBucket.grantRead(fn);
    props.backupBucket.grantPut(fn, 'restores/*');
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PutRecoveryMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': MCP_OPS_NAMESPACE } },
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'StartDrills',
        actions: ['states:StartExecution', 'states:ListExecutions'],
        resources: [stateMachineArn],
      }),
    );
    if (props.database) {
      const prod = props.database.instanceArn;
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeDatabases',
          actions: ['rds:DescribeDBInstances', 'rds:DescribeDBInstanceAutomatedBackups'],
          resources: ['*'],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RestoreIntoNewInstance',
          actions: [
            'rds:RestoreDBInstanceToPointInTime',
            'rds:RestoreDBInstanceFromDBSnapshot',
            'rds:AddTagsToResource',
            'rds:DeleteDBInstance',
          ],
          resources: [this.rdsArn('db', `${prefix}-*`)],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RestoreFromProductionAndSnapshots',
          actions: ['rds:RestoreDBInstanceToPointInTime', 'rds:RestoreDBInstanceFromDBSnapshot'],
          // auto-backup: PITR from the retained automated backups of a production instance that is gone.
          resources: [
            prod,
            this.rdsArn('snapshot', '*'),
            this.rdsArn('auto-backup', '*'),
            this.rdsArn('subgrp', '*'),
            this.rdsArn('og', '*'),
            this.rdsArn('pg', '*'),
          ],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DenyProductionDatabaseChanges',
          effect: iam.Effect.DENY,
          actions: [
            'rds:DeleteDBInstance',
            'rds:ModifyDBInstance',
            'rds:RebootDBInstance',
            'rds:StopDBInstance',
            'rds:PromoteReadReplica',
            'rds:AddTagsToResource',
            'rds:RemoveTagsFromResource',
            'rds:DeleteDBInstanceAutomatedBackup',
          ],
          resources: [prod],
        }),
      );
      if (props.databaseEncryptionKey) props.databaseEncryptionKey.grant(fn, 'kms:CreateGrant', 'kms:DescribeKey');
    }
    if (props.cache) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeCaches',
          actions: ['elasticache:DescribeReplicationGroups'],
          resources: [this.ecArn('replicationgroup', `${prefix}-*`)],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'CreateRestoredCache',
          actions: [
            'elasticache:CreateReplicationGroup',
            'elasticache:AddTagsToResource',
            'elasticache:DeleteReplicationGroup',
          ],
          resources: [this.ecArn('replicationgroup', `${prefix}-*`), this.ecArn('cluster', `${prefix}-*`)],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'CreateRestoredCacheDependencies',
          actions: ['elasticache:CreateReplicationGroup'],
          resources: [
            this.ecArn('subnetgroup', props.cache.subnetGroupName),
            this.ecArn('parametergroup', '*'),
            this.ecArn('usergroup', '*'),
            this.ecArn('snapshot', '*'),
          ],
        }),
      );
      const protectedCache = props.cache.replicationGroupId;
      if (protectedCache)
        fn.addToRolePolicy(
          new iam.PolicyStatement({
            sid: 'DenyProductionCacheChanges',
            effect: iam.Effect.DENY,
            actions: [
              'elasticache:DeleteReplicationGroup',
              'elasticache:ModifyReplicationGroup',
              'elasticache:DeleteCacheCluster',
              'elasticache:ModifyCacheCluster',
              'elasticache:RebootCacheCluster',
              'elasticache:AddTagsToResource',
              'elasticache:RemoveTagsFromResource',
            ],
            resources: [this.ecArn('replicationgroup', protectedCache), this.ecArn('cluster', `${protectedCache}-*`)],
          }),
        );
      props.cache.authTokenSecret?.grantRead(fn);
      props.cache.kmsKey?.grant(fn, 'kms:CreateGrant', 'kms:DescribeKey');
    }
    if (props.service) this.grantCutover(fn, props.service, props.endpointParameters!);
    if (props.regionLoss) this.grantRegionLoss(fn, props.regionLoss, props.service);
  }

  /** The restore Lambda's settings of a region-loss recovery. */
  private regionLossEnvironment(
    r: McpDrRegionLossOptions,
    subnetGroupName: string | undefined,
  ): Record<string, string> {
    const stack = Stack.of(this);
    const lb = r.loadBalancer as elbv2.ILoadBalancerV2 & { loadBalancerCanonicalHostedZoneId?: string };
    return {
      DB_SOURCE_REGION: r.productionRegion,
      DB_SOURCE_ACCOUNT: r.productionAccount ?? stack.account,
      AWS_PARTITION: stack.partition,
      DB_MASTER_SECRET_ARN: r.masterSecret.secretArn,
      ACTIVATE_MIN_TASKS: String(r.minimumTaskCount),
      TRAFFIC_TARGET_DNS: r.loadBalancer.loadBalancerDnsName,
      TRAFFIC_TARGET_ZONE_ID: lb.loadBalancerCanonicalHostedZoneId ?? '',
      TRAFFIC_SET_IDENTIFIER: `${stack.stackName}-secondary`,
      ...(subnetGroupName ? { DB_SUBNET_GROUP: subnetGroupName } : {}),
      ...(r.trafficRecord
        ? { TRAFFIC_HOSTED_ZONE_ID: r.trafficRecord.hostedZoneId, TRAFFIC_RECORD_NAME: r.trafficRecord.recordName }
        : {}),
    };
  }

  /**
   * Region loss, in this Region only: restore from the replicated automated backups, set the restored instance's
   * password (ModifyDBInstance on `<service>-dr-*` only), raise the standby service's autoscaling minimum, and
   * UPSERT the one failover record.
   */
  private grantRegionLoss(
    fn: McpOpsFunction,
    r: McpDrRegionLossOptions,
    service: ecs.FargateService | undefined,
  ): void {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeReplicatedBackups',
        actions: ['rds:DescribeDBInstanceAutomatedBackups', 'rds:DescribeDBInstances'],
        resources: ['*'],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RestoreFromReplicatedBackups',
        actions: ['rds:RestoreDBInstanceToPointInTime'],
        resources: [
          this.rdsArn('auto-backup', '*'),
          this.rdsArn('subgrp', '*'),
          this.rdsArn('og', '*'),
          this.rdsArn('pg', '*'),
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RestoreIntoNewInstanceHere',
        actions: [
          'rds:RestoreDBInstanceToPointInTime',
          'rds:AddTagsToResource',
          'rds:DeleteDBInstance',
          'rds:ModifyDBInstance',
        ],
        resources: [this.rdsArn('db', `${this.restoredPrefix}-*`)],
      }),
    );
    r.dataKey.grant(fn, 'kms:CreateGrant', 'kms:DescribeKey');
    r.masterSecret.grantRead(fn);
    if (service) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'RaiseServiceMinimum',
          actions: ['application-autoscaling:RegisterScalableTarget'],
          resources: ['*'],
          conditions: { StringEquals: { 'application-autoscaling:service-namespace': 'ecs' } },
        }),
      );
    }
    if (r.trafficRecord) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'UpsertSecondaryRecord',
          actions: ['route53:ChangeResourceRecordSets'],
          resources: [`arn:${stack.partition}:route53:::hostedzone/${r.trafficRecord.hostedZoneId}`],
          conditions: {
            'ForAllValues:StringEquals': {
              'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
                r.trafficRecord.recordName.replace(/\.$/, '').toLowerCase(),
              ],
              'route53:ChangeResourceRecordSetsActions': ['UPSERT'],
              'route53:ChangeResourceRecordSetsRecordTypes': ['A'],
            },
          },
        }),
      );
    }
  }

  /**
   * Region loss, after the standby service is up and probed: the approval, then the traffic move (the SECONDARY
   * failover record, or the operator's DNS step as a notification), then `next` (report, notify).
   */
  private trafficChain(
    next: sfn.IChainable,
    rejected: sfn.IChainable,
    failure: sfn.IChainable,
    approvalTimeout: Duration,
    props: McpDisasterRecoveryProps,
  ): sfn.IChainable {
    const region = Stack.of(this).region;
    const approval = new tasks.SnsPublish(this, 'Request traffic approval', {
      topic: this.alarmTopic,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      subject: `DR ${props.serviceName}: approve moving traffic to ${region}`,
      message: sfn.TaskInput.fromObject(approvalRequest(props.serviceName, this.runbook, { 'cutover.$': '$.cutover' })),
      taskTimeout: sfn.Timeout.duration(approvalTimeout),
      resultPath: '$.approval',
    })
      .addCatch(rejected, { errors: ['ApprovalRejected', 'States.Timeout'], resultPath: '$.error' })
      .addCatch(failure, { resultPath: '$.error' });
    const move = this.step(
      'Move traffic',
      'move-traffic',
      { 'plan.$': '$.plan', 'cutover.$': '$.cutover' },
      '$.traffic',
      'UPSERT the SECONDARY failover record, or return the operator DNS step',
    ).addCatch(failure, { resultPath: '$.error' });
    const dnsStep = this.notify('Notify DNS step', `DR ${props.serviceName}: move traffic to ${region} (DNS step)`, {
      outcome: 'dns-step',
      'traffic.$': '$.traffic',
      note: 'no hosted zone was given: take the DNS step now; the recovery Region serves the restored data',
    });
    return approval.next(
      new sfn.Choice(this, 'Traffic approved?')
        .when(
          sfn.Condition.and(
            sfn.Condition.isPresent('$.approval.approved'),
            sfn.Condition.booleanEquals('$.approval.approved', true),
          ),
          move.next(
            new sfn.Choice(this, 'Traffic moved?')
              .when(sfn.Condition.booleanEquals('$.traffic.moved', true), next)
              .otherwise(dnsStep.next(next)),
          ),
        )
        .otherwise(rejected),
    );
  }

  /**
   * The cut-over: read and overwrite the endpoint parameters, then force a new deployment of the one service.
   * No ecs:RegisterTaskDefinition, no iam:PassRole: the service keeps the task definition CloudFormation made.
   */
  private grantCutover(fn: McpOpsFunction, service: ecs.FargateService, endpoints: McpEndpointParameters): void {
    endpoints.grantUpdate(fn).assertSuccess();
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CutOverService',
        actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
        resources: [service.serviceArn],
      }),
    );
  }

  /** The ARN of an RDS resource of this stack's account and Region (`arn:…:rds:…:<type>:<name>`). */
  private rdsArn(type: string, name: string): string {
    return Stack.of(this).formatArn({
      service: 'rds',
      resource: type,
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The ARN of an ElastiCache resource of this stack's account and Region. */
  private ecArn(type: string, name: string): string {
    return Stack.of(this).formatArn({
      service: 'elasticache',
      resource: type,
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** How cdk-nag prints a string with tokens: `<LogicalId>`, `<LogicalId.Attr>`, `<AWS::Region>`. */
  private nagString(value: string): string {
    return nagResourceString(this, value);
  }

  /** The cdk-nag acknowledgements of the restore Lambda and the state machine, each with its reason. */
  private acknowledgeFindings(fn: McpOpsFunction, props: McpDisasterRecoveryProps): void {
    const stack = Stack.of(this);
    const ack = (resource: string, reason: string): { id: string; reason: string } => ({
      id: `AwsSolutions-IAM5[Resource::${this.nagString(resource)}]`,
      reason,
    });
    const fnAcks = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'cloudwatch:PutMetricData (namespace-conditioned), rds:DescribeDBInstanceAutomatedBackups/DescribeDBInstances (listing by identifier) and X-Ray have no usable resource-level permissions',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        reason: 'aws-cdk-lib grantRead on the backup bucket: read-only bucket metadata',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:GetObject*]',
        reason: 'aws-cdk-lib grantRead on the backup bucket: manifests and component objects are read (never deleted)',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:List*]',
        reason: 'aws-cdk-lib grantRead on the backup bucket: manifests are listed to find the recovery point',
      },
      {
        id: 'AwsSolutions-IAM5[Action::s3:Abort*]',
        reason: 'aws-cdk-lib grantPut on restores/*: aborting its own multipart uploads',
      },
    ];
    if (props.backupBucket.encryptionKey) {
      fnAcks.push(
        {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason:
            'aws-cdk-lib grantPut on the KMS-encrypted backup bucket: data keys of that one bucket key, to write restored configuration',
        },
        {
          id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
          reason:
            'aws-cdk-lib grantPut on the KMS-encrypted backup bucket: re-encryption under that one bucket key only',
        },
      );
    }
    fnAcks.push(
      ack(
        `${props.backupBucket.bucketArn}/*`,
        'Reads manifests/ and backups/ objects whose keys derive from backup ids known only at run time',
      ),
      ack(
        `${props.backupBucket.bucketArn}/restores/*`,
        'Writes restored configuration under restores/<restoreId>/, one new location per execution',
      ),
    );
    if (props.database || props.regionLoss) {
      fnAcks.push(
        ack(
          this.rdsArn('db', `${this.restoredPrefix}-*`),
          'Restored instances are named <service>-dr-<hash of execution name> at run time; production is excluded by an explicit deny',
        ),
        ack(
          this.rdsArn('snapshot', '*'),
          'The snapshot to restore from is named in the backup manifest at run time; restoring only reads it',
        ),
        ack(
          this.rdsArn('auto-backup', '*'),
          'Retained automated backups of a deleted production instance have ids (ab-…) assigned by RDS; restoring only reads them',
        ),
        ack(
          this.rdsArn('subgrp', '*'),
          'RestoreDBInstance* authorises the subnet group resource; the one used is fixed in the function environment',
        ),
        ack(
          this.rdsArn('og', '*'),
          'RestoreDBInstance* authorises the (default) option group, whose name depends on engine and version',
        ),
        ack(
          this.rdsArn('pg', '*'),
          'RestoreDBInstance* authorises the (default) parameter group, whose name depends on engine and version',
        ),
      );
    }
    if (props.cache) {
      fnAcks.push(
        ack(
          this.ecArn('replicationgroup', `${this.restoredPrefix}-*`),
          'Restored caches are named <service>-dr-<hash of execution name> at run time; production is excluded by an explicit deny',
        ),
        ack(
          this.ecArn('cluster', `${this.restoredPrefix}-*`),
          'Member clusters of the restored replication group, named by ElastiCache after it',
        ),
        ack(
          this.ecArn('parametergroup', '*'),
          'CreateReplicationGroup authorises the (default) parameter group, whose name depends on engine and version',
        ),
        ack(this.ecArn('usergroup', '*'), 'CreateReplicationGroup authorises the RBAC user groups given in the props'),
        ack(
          this.ecArn('snapshot', '*'),
          'CreateReplicationGroup authorises snapshot resources when seeding from the exported backup',
        ),
      );
    }
    fn.acknowledge(...fnAcks);

    const smAcks = [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:*LogDelivery*, DescribeLogGroups) and X-Ray tracing have no resource-level permissions',
      },
      ack(
        `${fn.functionArn}:*`,
        "aws-cdk-lib LambdaInvoke grants the function's versions and aliases as well as the function",
      ),
    ];
    if (this.alarmTopic.masterKey) {
      smAcks.push({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          "aws-cdk-lib grantPublish on the SSE-KMS alert topic: data keys of that topic's key only, to publish notifications and the approval request",
      });
    }
    if (props.probeFunction)
      smAcks.push(
        ack(
          `${props.probeFunction.functionArn}:*`,
          "aws-cdk-lib LambdaInvoke grants the probe function's versions and aliases as well as the function",
        ),
      );
    if (this.readinessGrants) {
      smAcks.push(
        ack(
          stack.formatArn({
            service: 'ecs',
            resource: 'task-definition',
            resourceName: `${this.readinessGrants.taskDefinition.family}:*`,
          }),
          "The readiness task runs the latest revision of the service's task-definition family (conditioned on the cluster)",
        ),
        ack(
          stack.formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `${this.readinessGrants.cluster.clusterName}/*`,
          }),
          'ecs:runTask.sync watches and stops the task it started; task ids are assigned at run time',
        ),
      );
    }
    Validations.of(this.stateMachine).acknowledge(...smAcks);
    acknowledgeCompliance(this.stateMachine, {
      IAMNoInlinePolicy:
        "The state machine's own policy: invoke of the restore function, the readiness task and publish to the alarm topic, attached to its one role",
    });
  }
}
