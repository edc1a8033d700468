import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CapacityPlan } from '../capacity/types';
import { checkThat, Problems } from '../internal/validate';
import { alarmNamePrefix, dashboardName, nameLengthProblem } from '../internal/names';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { McpAlarmTopic, subscribeAlarmRecipients } from './alarm-topic';
import {
  alarmThresholds,
  describeEvaluation,
  errorRateGateWarning,
  formatMs,
  resolveBaseline,
  type AlarmThresholds,
  type PerformanceBaseline,
  type PerformanceBaselineProps,
} from './baseline';
import {
  alarmDescription,
  alarmName,
  DEFAULT_RUNBOOK_BASE_URL,
  normaliseRunbookBaseUrl,
  RUNBOOKS,
  runbookUrl,
  sanitiseDashboardName,
  type RunbookName,
} from './naming';
import { MCP_OPS_NAMESPACE, McpProbe, type McpProbeTool } from './probe';
import { useTestedFeatureFlags } from '../internal/feature-flags';

const OWNER = 'McpMonitoring';
/** The longest alarm id, which decides whether every alarm name fits CloudWatch's limit. */
const LONGEST_ALARM_ID: McpAlarmId = 'TrafficAboveCapacity';

/** The critical alarms a bad deployment can trigger, on ALB/target-group metrics only: the deployment alarms. */
const DEPLOYMENT_ALARM_IDS: readonly McpAlarmId[] = ['LatencyP99', 'ErrorRate', 'UnhealthyHosts'];

/** Identifiers of the alarms {@link McpMonitoring} can create (keys of `alarms`, suffixes of alarm names). */
export type McpAlarmId =
  | 'LatencyP50'
  | 'LatencyP95'
  | 'LatencyP99'
  | 'ErrorRate'
  | 'UnhealthyHosts'
  | 'NoHealthyHosts'
  | 'TrafficAnomaly'
  | 'TrafficAboveCapacity'
  | 'CpuUtilization'
  | 'MemoryUtilization'
  | 'TasksAtMaximum'
  | 'RejectedConnections'
  | 'ConnectionsPerTask'
  | 'ProbeFailing';

/** Where the running-task count comes from. */
export enum TaskCountSource {
  /** `ECS/ContainerInsights` `RunningTaskCount`: exact, needs Container Insights on the cluster. */
  CONTAINER_INSIGHTS = 'container-insights',
  /** Target group `HealthyHostCount`: needs nothing extra, counts only healthy tasks. */
  TARGET_GROUP = 'target-group',
}

/** Props for {@link McpMonitoring}. */
export interface McpMonitoringProps {
  /**
   * The service name: the `service` dimension of the service's EMF metrics (docs/operational-contract.md) and part
   * of alarm names (`<stack name>-<serviceName>-<AlarmId>`); 1–20 lowercase letters, digits and single hyphens, starting with a letter (the package's one service-name rule, see McpService).
   */
  readonly serviceName: string;
  /** The service's load balancer (ELB 5xx, rejected connections). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The service's target group (response time, requests, target 5xx, host health). */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The ECS service: CPU/memory metrics, running tasks, and where deployment alarms are attached. */
  readonly service: ecs.BaseService;
  /**
   * The capacity plan the service was sized with: traffic ceiling (input.peakRps), autoscaling maximum
   * (maxTasks), connections per task (derived.concurrencyPerTask) and the CPU target.
   * @default no plan: traffic ceiling = baseline rps × factor, no connections-per-task alarm, tasks-at-maximum only with maxTaskCount
   */
  readonly capacity?: CapacityPlan;
  /**
   * Autoscaling maximum, when the service was not sized with a capacity plan.
   * @default capacity.maxTasks, else no tasks-at-maximum alarm
   */
  readonly maxTaskCount?: number;
  /**
   * Autoscaling minimum, when the service was not sized with a capacity plan. When it equals the maximum
   * the service always runs at its maximum, and no tasks-at-maximum alarm is created (it could never be OK).
   * @default capacity.minTasks, else unknown (the alarm is created whenever a maximum is known)
   */
  readonly minTaskCount?: number;
  /**
   * The performance baseline; missing fields take the operations guide's defaults.
   * @default p50 100 ms, p95 500 ms, p99 1000 ms, 0.1 % errors, 1000 rps, factor 1.5
   */
  readonly baseline?: PerformanceBaselineProps;
  /**
   * Public MCP endpoint URL (e.g. `https://mcp.example.com/mcp`). When given, the synthetic probe is created.
   * @default no probe
   */
  readonly endpointUrl?: string;
  /**
   * A read-only tool the probe calls after `tools/list`.
   * @default no tool call
   */
  readonly probeTool?: McpProbeTool;
  /**
   * Probe interval, whole minutes.
   * @default Duration.minutes(1)
   */
  readonly probeInterval?: Duration;
  /**
   * Budget for one probe, 1–25 s.
   * @default Duration.seconds(10)
   */
  readonly probeTimeout?: Duration;
  /**
   * Consecutive failed probe intervals before the probe alarm fires (1–10).
   * @default 2
   */
  readonly probeFailureIntervals?: number;
  /**
   * Topic for notifications.
   * @default a new KMS-encrypted, TLS-only topic ({@link McpAlarmTopic})
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the alarm topic.
   * @default none
   */
  readonly alarmEmails?: string[];
  /**
   * HTTPS endpoints (e.g. an incident-management webhook) subscribed to the alarm topic.
   * @default none
   */
  readonly alarmHttpsEndpoints?: string[];
  /**
   * Base URL of the runbooks; `<base>/<runbook>.md` is linked from every alarm description.
   * @default DEFAULT_RUNBOOK_BASE_URL, a placeholder for this package's docs/runbooks on GitHub
   */
  readonly runbookBaseUrl?: string;
  /**
   * Attach the deployment-safe critical alarms (error rate, p99 latency, unhealthy hosts) to the ECS
   * service as deployment alarms with ROLLBACK_ON_ALARM, so a bad deployment rolls back.
   * @default true
   */
  readonly deploymentAlarms?: boolean;
  /**
   * Prefix of every alarm name: `<prefix>-<AlarmId>`. Fixed strings, so the service can list them
   * as deployment alarms without a circular dependency.
   * @default `<stack name>-<serviceName>`
   */
  readonly alarmNamePrefix?: string;
  /**
   * Dashboard name.
   * @default `<stack name>-<serviceName>` with characters outside [A-Za-z0-9_-] replaced by '-'
   */
  readonly dashboardName?: string;
  /**
   * Period of the metric alarms, whole minutes.
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;
  /**
   * Periods each alarm looks at.
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods (out of evaluationPeriods) that raise an alarm. The default alarms 2 minutes
   * into a sustained breach (within 3 minutes), and a single noisy minute never alarms.
   * @default 2
   */
  readonly datapointsToAlarm?: number;
  /**
   * Requests a period must carry for its error rate to count.
   * @default ⌈100 / error-rate threshold %⌉, at least 10 (667 for the default 0.15 %): one error alone never alarms
   */
  readonly errorRateMinRequests?: number;
  /**
   * Service CPU alarm threshold, percent.
   * @default min(95, capacity CPU target × factor) with a capacity plan (90 for the default 60 %), else 80
   */
  readonly cpuUtilizationPercent?: number;
  /**
   * Service memory alarm threshold, percent.
   * @default 80
   */
  readonly memoryUtilizationPercent?: number;
  /**
   * Where the running-task count comes from.
   * @default TaskCountSource.CONTAINER_INSIGHTS (McpService enables Container Insights)
   */
  readonly taskCountSource?: TaskCountSource;
  /**
   * Width of the traffic anomaly band in standard deviations.
   * @default 3
   */
  readonly trafficAnomalyStdDevs?: number;
}

/** One alarm of the construct, with what the docs and tests need to know about it. */
export interface McpAlarmInfo {
  readonly id: McpAlarmId;
  readonly alarm: cloudwatch.Alarm;
  readonly severity: 'critical' | 'warning';
  readonly runbook: RunbookName;
  /** Whether it is attached to the ECS service as a deployment alarm. */
  readonly deploymentAlarm: boolean;
}

/**
 * Golden-signal monitoring of an MCP service behind an ALB on ECS: alarms on latency, errors,
 * traffic and saturation derived from a {@link PerformanceBaseline}, a synthetic MCP probe,
 * one "page" composite alarm over the critical alarms, deployment alarms for automatic rollback,
 * an SNS topic, and a dashboard with a row per signal. See docs/monitoring.md.
 */
export class McpMonitoring extends Construct {
  /** The topic every notification goes to. */
  public readonly topic: sns.ITopic;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Every alarm, by id. */
  public readonly alarms: Partial<Record<McpAlarmId, cloudwatch.Alarm>>;
  /** Every alarm with its severity, runbook and deployment role, in creation order. */
  public readonly alarmInfo: McpAlarmInfo[] = [];
  /** The critical alarms the page watches. */
  public readonly criticalAlarms: cloudwatch.IAlarm[];
  /**
   * Names of the deployment-safe critical alarms (p99 latency, error rate, unhealthy hosts): literal strings.
   * Attached to the service unless `deploymentAlarms` is false; then a caller can attach them itself.
   */
  public readonly deploymentAlarmNames: string[];
  /** The composite alarm that pages: ALARM when any critical alarm is in ALARM. */
  public readonly pageAlarm: cloudwatch.CompositeAlarm;
  /** The resolved baseline. */
  public readonly baseline: PerformanceBaseline;
  /** Every threshold, derived from the baseline. */
  public readonly thresholds: AlarmThresholds;
  /** The probe, when endpointUrl was given. */
  public readonly probe?: McpProbe;
  /** The probe function, when endpointUrl was given. */
  public readonly probeFunction?: McpProbe['function'];
  /** Alarm names start with this. */
  public readonly alarmNamePrefix: string;

  private readonly serviceName: string;
  private readonly runbookBase: string;
  private readonly period: Duration;
  private readonly evaluationPeriods: number;
  private readonly datapointsToAlarm: number;
  private readonly alarmAction: cwActions.SnsAction;
  private readonly deploymentAlarmIds: readonly McpAlarmId[];

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const stack = Stack.of(this);
    // ---- validation: every prop checked, the service name first, all problems reported at once.
    const problems = new Problems(OWNER, this.node.path);
    this.serviceName = props.serviceName;
    const nameProblem = serviceNameProblem(props.serviceName);
    problems.add(nameProblem);
    if (!nameProblem) problems.add(claimServiceName(this, OWNER, props.serviceName));
    this.period = props.period ?? Duration.minutes(1);
    // Whole minutes: checked with the thresholds (alarmThresholds), below.
    const periodSeconds = this.period.toSeconds({ integral: false });
    this.evaluationPeriods = props.evaluationPeriods ?? 3;
    this.datapointsToAlarm = props.datapointsToAlarm ?? 2;
    // Critical alarms a bad deployment can trigger, on ALB/target-group metrics only.
    this.deploymentAlarmIds = (props.deploymentAlarms ?? true) ? DEPLOYMENT_ALARM_IDS : [];
    if (problems.integer('evaluationPeriods', this.evaluationPeriods, 1, 60))
      problems.integer('datapointsToAlarm', this.datapointsToAlarm, 1, this.evaluationPeriods);
    problems.check(
      periodSeconds * this.evaluationPeriods <= 86400,
      `period × evaluationPeriods must be at most one day, got ${periodSeconds * this.evaluationPeriods} s`,
    );
    problems.number('trafficAnomalyStdDevs', props.trafficAnomalyStdDevs, 0.5, 10);
    problems.integer('probeFailureIntervals', props.probeFailureIntervals, 1, 10);
    for (const [prop, d] of [
      ['probeInterval', props.probeInterval],
      ['probeTimeout', props.probeTimeout],
    ] as const) {
      if (d !== undefined)
        problems.check(
          Number.isInteger(d.toSeconds({ integral: false })),
          `${prop} must be a whole number of seconds, got ${d.toHumanString()}`,
        );
    }
    if (props.probeTool && props.endpointUrl === undefined)
      problems.add(
        `probeTool needs endpointUrl (the probe only runs when the public endpoint is given), got probeTool ${JSON.stringify(props.probeTool.name)} without endpointUrl`,
      );
    const baseline = problems.capture(() => resolveBaseline(props.baseline));
    const thresholds = baseline
      ? problems.capture(() =>
          alarmThresholds(baseline, {
            capacity: props.capacity,
            periodSeconds,
            errorRateMinRequests: props.errorRateMinRequests,
            cpuUtilizationPercent: props.cpuUtilizationPercent,
            memoryUtilizationPercent: props.memoryUtilizationPercent,
            maxTaskCount: props.maxTaskCount,
            minTaskCount: props.minTaskCount,
          }),
        )
      : undefined;
    const runbookBase = problems.capture(() =>
      normaliseRunbookBaseUrl(props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL),
    );
    this.alarmNamePrefix = props.alarmNamePrefix ?? alarmNamePrefix(stack.stackName, props.serviceName);
    // A prefix derived from a bad service name is not a second problem.
    if (!Token.isUnresolved(this.alarmNamePrefix) && (props.alarmNamePrefix !== undefined || !nameProblem)) {
      if (
        problems.pattern(
          'alarmNamePrefix',
          this.alarmNamePrefix,
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/,
          'letters, digits, . _ -, 1–201 characters',
        )
      )
        problems.add(nameLengthProblem('alarm', 'the alarm name', alarmName(this.alarmNamePrefix, LONGEST_ALARM_ID)));
    }
    if (props.dashboardName !== undefined && !Token.isUnresolved(props.dashboardName))
      problems.pattern(
        'dashboardName',
        props.dashboardName,
        /^[A-Za-z0-9_-]{1,255}$/,
        'letters, digits, _ and -, 1–255 characters',
      );
    for (const [i, email] of (props.alarmEmails ?? []).entries())
      problems.check(
        typeof email === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email),
        `alarmEmails[${i}] must be an e-mail address, got ${JSON.stringify(email)}`,
      );
    for (const [i, url] of (props.alarmHttpsEndpoints ?? []).entries())
      problems.check(
        typeof url === 'string' && /^https:\/\/[^\s]+$/.test(url),
        `alarmHttpsEndpoints[${i}] must be an https:// URL, got ${JSON.stringify(url)}`,
      );
    problems.throwIfAny();
    if (props.probeTool === undefined && props.endpointUrl === undefined) {
      for (const [prop, v] of [
        ['probeInterval', props.probeInterval],
        ['probeTimeout', props.probeTimeout],
        ['probeFailureIntervals', props.probeFailureIntervals],
      ] as const)
        if (v !== undefined)
          Annotations.of(this).addWarningV2(
            'mcp-ops:settingIgnored',
            `${OWNER}: ${prop} is ignored: there is no probe without endpointUrl`,
          );
    }
    this.baseline = baseline!;
    this.thresholds = thresholds!;
    this.runbookBase = runbookBase!;
    const gateWarning = errorRateGateWarning(this.thresholds, this.baseline, periodSeconds, props.capacity);
    if (gateWarning)
      Annotations.of(this).addWarningV2(
        'mcp-ops:errorRateUnreachable',
        `${OWNER} ${props.serviceName}: ${gateWarning}`,
      );

    // Notifications.
    this.topic =
      props.alarmTopic ??
      new McpAlarmTopic(this, 'AlarmTopic', { displayName: `MCP alarms: ${props.serviceName}` }).topic;
    subscribeAlarmRecipients(this.topic, props.alarmEmails, props.alarmHttpsEndpoints);
    this.alarmAction = new cwActions.SnsAction(this.topic);

    const t = this.thresholds;
    const b = this.baseline;
    const f = b.degradationFactor;
    const evalWords = describeEvaluation(this.datapointsToAlarm, this.evaluationPeriods, periodSeconds);
    const tg = props.targetGroup;
    const lb = props.loadBalancer;
    const service = props.service;
    const period = this.period;
    const alarms: Partial<Record<McpAlarmId, cloudwatch.Alarm>> = {};
    this.alarms = alarms;

    // ---------------------------------------------------------------- latency
    const latency = (stat: 'p50' | 'p95' | 'p99') =>
      tg.metrics.targetResponseTime({ statistic: stat, period, label: `${stat} response time (s)` });
    const latencyAlarm = (
      alarmId: McpAlarmId,
      stat: 'p50' | 'p95' | 'p99',
      baselineMs: number,
      thresholdSeconds: number,
      severity: 'critical' | 'warning',
    ) =>
      this.metricAlarm(alarmId, severity, RUNBOOKS.highLatency, {
        metric: latency(stat),
        threshold: thresholdSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // No requests means no response times: nothing is slow. An outage shows in the host-health and probe alarms.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        // Percentiles over few samples are noise; evaluate them anyway so a slow trickle is seen.
        evaluateLowSampleCountPercentile: 'evaluate',
        summary: `${stat} target response time is above baseline`,
        thresholdText: `ALB TargetResponseTime ${stat} above ${formatMs(thresholdSeconds * 1000)} (baseline ${formatMs(baselineMs)} × ${f}) in ${evalWords}`,
      });
    latencyAlarm('LatencyP50', 'p50', b.p50LatencyMs, t.latencyP50Seconds, 'warning');
    latencyAlarm('LatencyP95', 'p95', b.p95LatencyMs, t.latencyP95Seconds, 'warning');
    latencyAlarm('LatencyP99', 'p99', b.p99LatencyMs, t.latencyP99Seconds, 'critical');

    // ---------------------------------------------------------------- errors
    const target5xx = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
      statistic: 'Sum',
      period,
      label: 'Target 5xx',
    });
    const elb5xx = lb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, {
      statistic: 'Sum',
      period,
      label: 'Load balancer 5xx',
    });
    const requestCount = tg.metrics.requestCount({ statistic: 'Sum', period, label: 'Requests' });
    // 5xx and request counts are only published when non-zero: FILL turns their absence into 0.
    const errors = new cloudwatch.MathExpression({
      expression: 'FILL(t5xx, 0) + FILL(elb5xx, 0)',
      usingMetrics: { t5xx: target5xx, elb5xx },
      period,
      label: '5xx (target + load balancer)',
    });
    const requests = new cloudwatch.MathExpression({
      expression: 'FILL(req, 0)',
      usingMetrics: { req: requestCount },
      period,
      label: 'Requests',
    });
    const errorRate = new cloudwatch.MathExpression({
      // Periods with fewer than the minimum requests count as 0 %; the inner IF only guards the division.
      expression: `IF(requests >= ${t.errorRateMinRequests}, 100 * errors / IF(requests > 0, requests, 1), 0)`,
      usingMetrics: { errors, requests },
      period,
      label: '5xx error rate (%)',
    });
    this.metricAlarm('ErrorRate', 'critical', RUNBOOKS.highErrorRate, {
      metric: errorRate,
      threshold: t.errorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // The expression FILLs its inputs, so it has a value whenever CloudWatch has any data; a gap
      // means no data at all, which the probe and host-health alarms judge, not this one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      summary: '5xx error rate is above baseline',
      thresholdText: `(target 5xx + load balancer 5xx) / requests × 100 above ${t.errorRatePercent} % (baseline ${b.errorRatePercent} % × ${f}) in ${evalWords}, counting only periods with at least ${t.errorRateMinRequests} requests`,
    });
    this.metricAlarm('UnhealthyHosts', 'critical', RUNBOOKS.highErrorRate, {
      // Minimum over the period: a task was unhealthy for the whole minute, not just while starting.
      metric: tg.metrics.unhealthyHostCount({ statistic: 'Minimum', period, label: 'Unhealthy tasks' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: Math.max(3, this.evaluationPeriods),
      datapointsToAlarm: Math.max(3, this.evaluationPeriods),
      // The ALB publishes host counts every minute while the target group is in use; a gap is not evidence of sickness.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      summary: 'tasks are failing the target-group readiness check',
      thresholdText: `UnHealthyHostCount (minimum over each period) above 0 for ${describeEvaluation(Math.max(3, this.evaluationPeriods), Math.max(3, this.evaluationPeriods), periodSeconds)}`,
    });
    this.metricAlarm('NoHealthyHosts', 'critical', RUNBOOKS.highErrorRate, {
      metric: tg.metrics.healthyHostCount({ statistic: 'Maximum', period, label: 'Healthy tasks' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No host-count data for a target group in use means nothing healthy can be shown: treat as an outage.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      summary: 'no task is healthy: the load balancer has nothing to send requests to',
      thresholdText: `HealthyHostCount (maximum over the period) below 1 for one ${periodSeconds / 60 === 1 ? 'one-minute' : `${periodSeconds / 60}-minute`} period, i.e. at once`,
      note: 'Not a deployment alarm: it fires briefly while a brand-new service starts, and it must not fail the first deployment.',
    });

    // ---------------------------------------------------------------- traffic
    const trafficAnomaly = new cloudwatch.AnomalyDetectionAlarm(this, 'TrafficAnomaly', {
      alarmName: alarmName(this.alarmNamePrefix, 'TrafficAnomaly'),
      metric: requests,
      stdDevs: props.trafficAnomalyStdDevs ?? 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods: this.evaluationPeriods,
      datapointsToAlarm: this.datapointsToAlarm,
      // `requests` FILLs absent request counts with 0, so a drop to zero is data below the band;
      // a real gap means CloudWatch has nothing at all, which the probe covers.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: alarmDescription({
        service: this.serviceName,
        severity: 'warning',
        runbookUrl: runbookUrl(this.runbookBase, RUNBOOKS.trafficAnomaly),
        summary: 'request count is outside its expected band (a drop or a surge)',
        threshold: `ALB RequestCount per ${periodSeconds / 60 === 1 ? 'minute' : `${periodSeconds / 60} minutes`} outside the anomaly-detection band of ${props.trafficAnomalyStdDevs ?? 3} standard deviations in ${evalWords}`,
        note: 'The model needs about two weeks of history before the band is reliable.',
      }),
    });
    this.register('TrafficAnomaly', trafficAnomaly, 'warning', RUNBOOKS.trafficAnomaly);
    this.metricAlarm('TrafficAboveCapacity', 'warning', RUNBOOKS.trafficAnomaly, {
      metric: requests,
      threshold: t.trafficCeilingPerPeriod,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // no data = no traffic = not above capacity
      summary: 'traffic is above the capacity plan: the plan is wrong or demand changed',
      thresholdText:
        t.trafficCeilingSource === 'capacity'
          ? `requests above ${t.trafficCeilingPerPeriod} per period (capacity plan peak ${t.trafficCeilingRps} rps × ${periodSeconds} s) in ${evalWords}`
          : `requests above ${t.trafficCeilingPerPeriod} per period (baseline ${b.requestsPerSecond} rps × ${f} × ${periodSeconds} s; no capacity plan given) in ${evalWords}`,
    });

    // ---------------------------------------------------------------- saturation
    // Service metrics are published only while tasks run; no tasks is an outage the host-health alarms report.
    this.metricAlarm('CpuUtilization', 'warning', RUNBOOKS.saturation, {
      metric: service.metricCpuUtilization({ statistic: 'Average', period, label: 'CPU (%)' }),
      threshold: t.cpuUtilizationPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      summary: 'service CPU utilisation is high',
      thresholdText: `average CPUUtilization above ${t.cpuUtilizationPercent} %${props.cpuUtilizationPercent === undefined && props.capacity ? ` (scaling target ${props.capacity.targetCpuUtilizationPercent} % × ${f}, at most 95)` : ''} in ${evalWords}`,
    });
    this.metricAlarm('MemoryUtilization', 'warning', RUNBOOKS.saturation, {
      metric: service.metricMemoryUtilization({ statistic: 'Average', period, label: 'Memory (%)' }),
      threshold: t.memoryUtilizationPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // as CPU: no tasks, no datapoints; host health reports that
      summary: 'service memory utilisation is high',
      thresholdText: `average MemoryUtilization above ${t.memoryUtilizationPercent} % in ${evalWords}`,
    });
    const taskSource = props.taskCountSource ?? TaskCountSource.CONTAINER_INSIGHTS;
    const serviceDims = { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName };
    const runningTasks =
      taskSource === TaskCountSource.CONTAINER_INSIGHTS
        ? new cloudwatch.Metric({
            namespace: 'ECS/ContainerInsights',
            metricName: 'RunningTaskCount',
            dimensionsMap: serviceDims,
            statistic: 'Maximum',
            period,
            label: 'Running tasks',
          })
        : tg.metrics.healthyHostCount({ statistic: 'Maximum', period, label: 'Healthy tasks' });
    // During a rolling deployment ECS runs up to maximumPercent of the desired count, so running tasks can
    // touch the maximum while autoscaling is nowhere near it. With Container Insights the alarm watches the
    // running count capped at the desired count (which autoscaling sets and deployments do not change).
    const desiredTasks =
      taskSource === TaskCountSource.CONTAINER_INSIGHTS
        ? new cloudwatch.Metric({
            namespace: 'ECS/ContainerInsights',
            metricName: 'DesiredTaskCount',
            dimensionsMap: serviceDims,
            statistic: 'Maximum',
            period,
            label: 'Desired tasks',
          })
        : undefined;
    const tasksAtMaximumMetric: cloudwatch.IMetric = desiredTasks
      ? new cloudwatch.MathExpression({
          expression: 'IF(running < desired, running, desired)',
          usingMetrics: { running: runningTasks, desired: desiredTasks },
          period,
          label: 'Running tasks (at most the desired count)',
        })
      : runningTasks;
    if (t.tasksAtMaximumAlarm && t.maxTasks !== undefined) {
      this.metricAlarm('TasksAtMaximum', 'warning', RUNBOOKS.saturation, {
        metric: tasksAtMaximumMetric,
        threshold: t.maxTasks,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No task counts (Container Insights off, or no tasks at all) is not evidence of running at the maximum.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        summary: 'the service runs at its autoscaling maximum: it cannot add capacity',
        thresholdText:
          taskSource === TaskCountSource.CONTAINER_INSIGHTS
            ? `RunningTaskCount, capped at DesiredTaskCount so a deployment's extra tasks do not count, at or above the autoscaling maximum of ${t.maxTasks} tasks in ${evalWords}`
            : `HealthyHostCount at or above the autoscaling maximum of ${t.maxTasks} tasks in ${evalWords} (a deployment's extra tasks count too)`,
      });
    }
    this.metricAlarm('RejectedConnections', 'warning', RUNBOOKS.saturation, {
      metric: lb.metrics.rejectedConnectionCount({ statistic: 'Sum', period, label: 'Rejected connections' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // published only when non-zero
      summary: 'the load balancer is rejecting connections (it reached its connection limit)',
      thresholdText: `RejectedConnectionCount above 0 in ${evalWords}`,
    });
    const activeConnections = new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: 'mcp_active_connections',
      dimensionsMap: { service: this.serviceName },
      statistic: 'Average',
      period,
      label: 'Active connections per task',
    });
    if (t.connectionsPerTask !== undefined && props.capacity) {
      this.metricAlarm('ConnectionsPerTask', 'warning', RUNBOOKS.saturation, {
        metric: activeConnections,
        threshold: t.connectionsPerTask,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // the service emits it while it has tasks
        summary: 'tasks carry more concurrent connections than the capacity plan allows',
        thresholdText: `average mcp_active_connections per task above ${t.connectionsPerTask} (plan ${props.capacity.derived.concurrencyPerTask} per task × ${f}) in ${evalWords}`,
      });
    }

    // ---------------------------------------------------------------- probe
    if (props.endpointUrl !== undefined) {
      this.probe = new McpProbe(this, 'Probe', {
        serviceName: this.serviceName,
        endpointUrl: props.endpointUrl,
        tool: props.probeTool,
        interval: props.probeInterval,
        timeout: props.probeTimeout,
      });
      this.probeFunction = this.probe.function;
      const intervals = props.probeFailureIntervals ?? 2;
      const minutes = this.probe.interval.toMinutes();
      this.metricAlarm('ProbeFailing', 'critical', RUNBOOKS.probeFailing, {
        metric: this.probe.metricSuccess(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: intervals,
        datapointsToAlarm: intervals,
        // A probe that does not report (function failing, throttled, misconfigured) proves nothing
        // about availability: treat silence as failure.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        summary: `the synthetic MCP probe of ${props.endpointUrl} is failing (initialize/tools/list${props.probeTool ? `/${props.probeTool.name}` : ''} from outside)`,
        thresholdText: `no successful probe (ProbeSuccess maximum below 1) for ${intervals} consecutive ${minutes === 1 ? 'one-minute' : `${minutes}-minute`} probe intervals; a probe that does not report counts as failed`,
        note: 'Not a deployment alarm: the endpoint (DNS, certificate) may not exist yet when the first deployment runs.',
      });
    } else if (props.probeTool) {
      throw new Error(
        `${OWNER}: probeTool needs endpointUrl (the probe only runs when the public endpoint is given), got probeTool ${JSON.stringify(props.probeTool.name)} without endpointUrl`,
      );
    }

    // ---------------------------------------------------------------- page + deployment alarms
    const critical = this.alarmInfo.filter((a) => a.severity === 'critical');
    this.criticalAlarms = critical.map((a) => a.alarm);
    this.pageAlarm = new cloudwatch.CompositeAlarm(this, 'Page', {
      compositeAlarmName: alarmName(this.alarmNamePrefix, 'Page'),
      alarmRule: cloudwatch.AlarmRule.anyOf(...this.criticalAlarms),
      alarmDescription:
        `[page] ${this.serviceName}: one or more critical alarms are in ALARM (${critical.map((a) => a.id).join(', ')}). ` +
        `Open the alarm that fired and follow its runbook; index: ${this.runbookBase}/`,
    });
    this.pageAlarm.addAlarmAction(this.alarmAction);
    this.pageAlarm.addOkAction(this.alarmAction);

    this.deploymentAlarmNames = DEPLOYMENT_ALARM_IDS.map((alarmId) => alarmName(this.alarmNamePrefix, alarmId));
    if (this.deploymentAlarmIds.length > 0) {
      // Literal names (prefix + id), never alarm.alarmName tokens: the service must not depend on the alarms.
      service.enableDeploymentAlarms(this.deploymentAlarmNames, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
    }

    // ---------------------------------------------------------------- dashboard
    // dashboardName was checked with the other props.
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? sanitiseDashboardName(dashboardName(stack.stackName, props.serviceName)),
      defaultInterval: Duration.hours(3),
    });
    const ann = (alarmId: McpAlarmId, label: string, value: number): cloudwatch.HorizontalAnnotation[] =>
      alarms[alarmId] ? [{ label, value, color: cloudwatch.Color.RED }] : [];
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# ${this.serviceName}\nGolden signals of the MCP service. Alarms link their runbooks: [runbooks](${this.runbookBase}/). ` +
          `Baseline: p50 ${b.p50LatencyMs} ms, p95 ${b.p95LatencyMs} ms, p99 ${b.p99LatencyMs} ms, ${b.errorRatePercent} % errors, ${b.requestsPerSecond} rps; alarms at × ${f}.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [this.pageAlarm, ...this.alarmInfo.map((a) => a.alarm)],
        width: 24,
        height: 3,
      }),
    );

    this.addSection('Latency', [
      new cloudwatch.GraphWidget({
        title: 'Target response time p50 / p95 / p99 (s)',
        width: 16,
        height: 6,
        left: [latency('p50'), latency('p95'), latency('p99')],
        leftYAxis: { min: 0, label: 'seconds', showUnits: false },
        leftAnnotations: [
          { label: `p50 baseline ${b.p50LatencyMs} ms`, value: b.p50LatencyMs / 1000, color: cloudwatch.Color.GREEN },
          { label: `p95 baseline ${b.p95LatencyMs} ms`, value: b.p95LatencyMs / 1000, color: cloudwatch.Color.GREEN },
          { label: `p99 baseline ${b.p99LatencyMs} ms`, value: b.p99LatencyMs / 1000, color: cloudwatch.Color.GREEN },
          ...ann('LatencyP50', `p50 alarm > ${formatMs(t.latencyP50Seconds * 1000)}`, t.latencyP50Seconds),
          ...ann('LatencyP95', `p95 alarm > ${formatMs(t.latencyP95Seconds * 1000)}`, t.latencyP95Seconds),
          ...ann('LatencyP99', `p99 alarm > ${formatMs(t.latencyP99Seconds * 1000)}`, t.latencyP99Seconds),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Request duration reported by the service (s)',
        width: 8,
        height: 6,
        left: [
          new cloudwatch.Metric({
            namespace: MCP_OPS_NAMESPACE,
            metricName: 'mcp_request_duration_seconds',
            dimensionsMap: { service: this.serviceName },
            statistic: 'p99',
            period,
            label: 'p99',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
    ]);

    this.addSection('Traffic', [
      new cloudwatch.GraphWidget({
        title: `Requests per ${periodSeconds / 60 === 1 ? 'minute' : `${periodSeconds / 60} minutes`} (with expected band)`,
        width: 16,
        height: 6,
        left: [
          requests,
          new cloudwatch.MathExpression({
            expression: `ANOMALY_DETECTION_BAND(requests, ${props.trafficAnomalyStdDevs ?? 3})`,
            usingMetrics: { requests },
            period,
            label: 'Expected band',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: ann(
          'TrafficAboveCapacity',
          `capacity ceiling ${t.trafficCeilingPerPeriod}`,
          t.trafficCeilingPerPeriod,
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'MCP requests reported by the service',
        width: 8,
        height: 6,
        left: [
          new cloudwatch.Metric({
            namespace: MCP_OPS_NAMESPACE,
            metricName: 'mcp_requests_total',
            dimensionsMap: { service: this.serviceName },
            statistic: 'Sum',
            period,
            label: 'MCP requests',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
    ]);

    const errorWidgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: '5xx error rate (%)',
        width: 8,
        height: 6,
        left: [errorRate],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [
          { label: `baseline ${b.errorRatePercent} %`, value: b.errorRatePercent, color: cloudwatch.Color.GREEN },
          ...ann('ErrorRate', `alarm > ${t.errorRatePercent} %`, t.errorRatePercent),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: '5xx responses',
        width: 8,
        height: 6,
        stacked: true,
        left: [target5xx, elb5xx],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Target health',
        width: 8,
        height: 6,
        left: [
          tg.metrics.healthyHostCount({ statistic: 'Minimum', period, label: 'Healthy (min)' }),
          tg.metrics.unhealthyHostCount({ statistic: 'Maximum', period, label: 'Unhealthy (max)' }),
        ],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [
          ...ann('UnhealthyHosts', 'unhealthy alarm > 0', 0),
          ...ann('NoHealthyHosts', 'no-healthy alarm < 1', 1),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Errors reported by the service, by error_type',
        width: 12,
        height: 6,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${MCP_OPS_NAMESPACE},error_type,service} MetricName="mcp_errors_total" service="${this.serviceName}"', 'Sum', ${periodSeconds})`,
            label: '',
            period,
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
    ];
    if (this.probe) {
      errorWidgets.push(
        new cloudwatch.GraphWidget({
          title: 'Synthetic probe (from outside)',
          width: 12,
          height: 6,
          left: [this.probe.metricSuccess({ label: 'Probe success (1 = ok)' })],
          right: [this.probe.metricLatency()],
          leftYAxis: { min: 0, max: 1, showUnits: false },
          rightYAxis: { min: 0, label: 'ms', showUnits: false },
          leftAnnotations: [{ label: 'probe alarm < 1', value: 1, color: cloudwatch.Color.RED }],
        }),
      );
    }
    this.addSection('Errors and availability', errorWidgets);

    this.addSection('Saturation', [
      new cloudwatch.GraphWidget({
        title: 'CPU and memory (%)',
        width: 8,
        height: 6,
        left: [
          service.metricCpuUtilization({ statistic: 'Average', period, label: 'CPU avg' }),
          service.metricCpuUtilization({ statistic: 'Maximum', period, label: 'CPU max task' }),
          service.metricMemoryUtilization({ statistic: 'Average', period, label: 'Memory avg' }),
        ],
        leftYAxis: { min: 0, max: 100, showUnits: false },
        leftAnnotations: [
          ...ann('CpuUtilization', `CPU alarm > ${t.cpuUtilizationPercent} %`, t.cpuUtilizationPercent),
          ...ann('MemoryUtilization', `memory alarm > ${t.memoryUtilizationPercent} %`, t.memoryUtilizationPercent),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Running tasks',
        width: 8,
        height: 6,
        left: desiredTasks ? [runningTasks, desiredTasks] : [runningTasks],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: ann('TasksAtMaximum', `autoscaling maximum ${t.maxTasks}`, t.maxTasks ?? 0),
      }),
      new cloudwatch.GraphWidget({
        title: 'Connections',
        width: 8,
        height: 6,
        left: [activeConnections],
        right: [lb.metrics.rejectedConnectionCount({ statistic: 'Sum', period, label: 'Rejected connections (ALB)' })],
        leftYAxis: { min: 0, showUnits: false },
        rightYAxis: { min: 0, showUnits: false },
        leftAnnotations:
          t.connectionsPerTask !== undefined
            ? ann('ConnectionsPerTask', `plan × ${f}: ${t.connectionsPerTask} per task`, t.connectionsPerTask)
            : [],
        rightAnnotations: ann('RejectedConnections', 'rejected alarm > 0', 0),
      }),
    ]);

    this.addSection('Business', [
      new cloudwatch.GraphWidget({
        title: 'Tools executed, by tool',
        width: 12,
        height: 6,
        left: [
          new cloudwatch.MathExpression({
            expression: `SEARCH('{${MCP_OPS_NAMESPACE},service,tool} MetricName="tools_executed_total" service="${this.serviceName}"', 'Sum', ${periodSeconds})`,
            label: '',
            period,
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        title: 'Active sessions (open connections, all tasks)',
        width: 12,
        height: 6,
        // Each task samples its gauge every few seconds, so a Sum over the period would count each connection
        // once per sample: the mean per task times the tasks running is the fleet's total.
        left: [
          new cloudwatch.MathExpression({
            expression: 'perTask * tasks',
            usingMetrics: { perTask: activeConnections, tasks: runningTasks.with({ statistic: 'Average' }) },
            period,
            label: 'Open connections (mean per task × tasks)',
          }),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
    ]);
  }

  /**
   * Adds a titled row to the dashboard. Backup and DR constructs add their rows (backup age, DR
   * runs) through this.
   */
  public addSection(title: string, widgets: cloudwatch.IWidget[]): void {
    checkThat(OWNER, title.trim().length > 0, `addSection: title must not be empty, got ${JSON.stringify(title)}`);
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    if (widgets.length > 0) this.dashboard.addWidgets(...widgets);
  }

  private register(
    alarmId: McpAlarmId,
    alarm: cloudwatch.Alarm,
    severity: 'critical' | 'warning',
    runbook: RunbookName,
  ): void {
    this.alarms[alarmId] = alarm;
    this.alarmInfo.push({
      id: alarmId,
      alarm,
      severity,
      runbook,
      deploymentAlarm: this.deploymentAlarmIds.includes(alarmId),
    });
    // Critical alarms notify only through the page composite (one incident, one page); warnings notify directly.
    if (severity === 'warning') {
      alarm.addAlarmAction(this.alarmAction);
      alarm.addOkAction(this.alarmAction);
    }
  }

  private metricAlarm(
    alarmId: McpAlarmId,
    severity: 'critical' | 'warning',
    runbook: RunbookName,
    spec: Omit<cloudwatch.AlarmProps, 'evaluationPeriods' | 'alarmDescription' | 'alarmName'> & {
      summary: string;
      thresholdText: string;
      note?: string;
      evaluationPeriods?: number;
    },
  ): cloudwatch.Alarm {
    const { summary, thresholdText, note, ...alarmProps } = spec;
    const alarm = new cloudwatch.Alarm(this, alarmId, {
      evaluationPeriods: this.evaluationPeriods,
      datapointsToAlarm: this.datapointsToAlarm,
      ...alarmProps,
      alarmName: alarmName(this.alarmNamePrefix, alarmId),
      alarmDescription: alarmDescription({
        service: this.serviceName,
        severity,
        summary,
        threshold: thresholdText,
        runbookUrl: runbookUrl(this.runbookBase, runbook),
        note:
          note ??
          (severity === 'critical'
            ? 'Critical: pages through the composite page alarm.'
            : 'Warning: notifies, does not page.'),
      }),
    });
    this.register(alarmId, alarm, severity, runbook);
    return alarm;
  }
}
