import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { CapacityPlan } from '../capacity/types';
import {
  AlarmFactory,
  alarmFactoryFor,
  AlarmRouter,
  AlarmText,
  claimAlarm,
  MetricAlarmSpec,
} from '../internal/alarm-factory';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { MCP_OPS_NAMESPACE } from '../internal/metrics';
import { checkThat, Problems } from '../internal/validate';
import { dashboardName } from '../internal/names';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { McpAlarmTopic, subscribeAlarmRecipients } from './alarm-topic';
import { checkAlertRoute, McpAlertRoute, McpAlertRouteTopic } from './alert-routing';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions, McpCustomSegmentProps } from './alarms';
import {
  alarmThresholds,
  describeEvaluation,
  errorRateGateWarning,
  formatMs,
  resolveBaseline,
  TrafficCeilingSource,
  type AlarmThresholds,
  type PerformanceBaseline,
  type PerformanceBaselineProps,
} from './baseline';
import { DEFAULT_RUNBOOK_BASE_URL, normaliseRunbookBaseUrl, RUNBOOKS, sanitiseDashboardName } from './naming';
import type { McpProbeCredentials } from '../security/auth';
import { McpProbe, type McpProbeTool } from './probe';
import { MEMORY_TREND_TITLE, memoryTrendWidgets } from './memory-trend';

const OWNER = 'McpMonitoring';

/** The critical alarms a bad deployment can trigger, on ALB/target-group metrics only: the deployment alarms. */
const DEPLOYMENT_ALARM_IDS: readonly string[] = ['LatencyP99', 'ErrorRate', 'UnhealthyHosts'];

/** Evaluation of the aggressive deployment clones (`aggressiveDeploymentAlarms`). */
const DEPLOYMENT_CLONE = { evaluationPeriods: 1, datapointsToAlarm: 1 };

/** Where the running-task count comes from. */
export enum TaskCountSource {
  /** `ECS/ContainerInsights` `RunningTaskCount`: exact, needs Container Insights on the cluster. */
  CONTAINER_INSIGHTS = 'container-insights',
  /** Target group `HealthyHostCount`: needs nothing extra, counts only healthy tasks. */
  TARGET_GROUP = 'target-group',
}

/** Props for {@link McpMonitoring}. */
export interface McpMonitoringProps extends McpMonitoringOptions {
  /** The service name: the `service` dimension of the service's EMF metrics (docs/operational-contract.md) and part of alarm names. */
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
   * Public MCP endpoint URL (e.g. `https://mcp.example.com/mcp`). When given, the synthetic probe is created.
   * @default no probe
   */
  readonly endpointUrl?: string;
  /**
   * Client credentials of the probe, for an endpoint that requires a bearer token.
   * @default no token
   */
  readonly probeAuth?: McpProbeCredentials;
  /**
   * Run the probe inside this VPC (the endpoint's load balancer is internal).
   * @default outside any VPC
   */
  readonly probeVpc?: ec2.IVpc;
}

/**
 * Monitoring settings that do not come from the service: everything {@link McpMonitoringProps} takes except the
 * service's name, load balancer, target group, ECS service, capacity plan, task counts, endpoint and probe access
 * (what {@link McpService} supplies itself; its `monitoring` prop takes these).
 */
export interface McpMonitoringOptions extends McpAlarmOptions {
  /**
   * The performance baseline; missing fields take the operations guide's defaults.
   * @default p50 100 ms, p95 500 ms, p99 1000 ms, 0.1 % errors, 1000 rps, factor 1.5
   */
  readonly baseline?: PerformanceBaselineProps;
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
   * Retention of the probe function's own log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly probeLogRetention?: logs.RetentionDays;
  /**
   * Consecutive failed probe intervals before the probe alarm fires (1–10).
   * @default 2
   */
  readonly probeFailureIntervals?: number;
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
   * Where pages go (the page composite, on ALARM and OK), beside the alarm topic: e-mail, HTTPS endpoints of
   * paging tools, chat channels. They get a topic of their own, so they receive pages and nothing else.
   * @default none: pages reach the alarm topic's subscribers only
   */
  readonly pageRoute?: McpAlertRoute;
  /**
   * Where warnings go (every warning alarm of the service and its segments, on ALARM and OK), beside the alarm
   * topic. They get a topic of their own, so they receive warnings and nothing else.
   * @default none: warnings reach the alarm topic's subscribers only
   */
  readonly warningRoute?: McpAlertRoute;
  /**
   * Attach the deployment-safe critical alarms (error rate, p99 latency, unhealthy hosts) to the ECS
   * service as deployment alarms with ROLLBACK_ON_ALARM, so a bad deployment rolls back.
   * @default true
   */
  readonly deploymentAlarms?: boolean;
  /**
   * Roll back deployments on aggressive clones of the deployment alarms (`<id>Deployment`: same metric and
   * threshold, alarming on 1 of 1 periods, notifying nobody) instead of on the alarms themselves, so a bad
   * release is rolled back a minute or two sooner than it pages.
   * @default false (the deployment alarms themselves)
   */
  readonly aggressiveDeploymentAlarms?: boolean;
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

/** The metrics the golden-signal alarms and the dashboard share. */
interface SignalMetrics {
  readonly latency: (stat: 'p50' | 'p95' | 'p99') => cloudwatch.IMetric;
  readonly target5xx: cloudwatch.IMetric;
  readonly elb5xx: cloudwatch.IMetric;
  readonly requests: cloudwatch.IMetric;
  readonly errorRate: cloudwatch.IMetric;
  readonly runningTasks: cloudwatch.Metric;
  readonly desiredTasks?: cloudwatch.IMetric;
  readonly activeConnections: cloudwatch.IMetric;
}

/** How one graph of the golden-signal rows differs from the others (see `McpMonitoring.graph`). */
interface GoldenSignalGraphOptions {
  readonly right?: cloudwatch.IMetric[];
  /** Between the left axis' `min: 0` and `showUnits: false`. */
  readonly leftAxis?: { readonly max?: number; readonly label?: string };
  /** Between the right axis' `min: 0` and `showUnits: false`. */
  readonly rightAxis?: { readonly label?: string };
  readonly leftAnnotations?: cloudwatch.HorizontalAnnotation[];
  readonly rightAnnotations?: cloudwatch.HorizontalAnnotation[];
  readonly stacked?: boolean;
}

/**
 * Golden-signal monitoring of an MCP service behind an ALB on ECS: alarms on latency, errors,
 * traffic and saturation derived from a {@link PerformanceBaseline}, a synthetic MCP probe,
 * one "page" composite alarm over the critical alarms of the service and of every segment added to it
 * (log pipeline, backups, disaster recovery, data tier, your own), deployment alarms for automatic
 * rollback, an SNS topic, and a dashboard with a row per signal and per segment. See docs/monitoring.md.
 */
export class McpMonitoring extends Construct {
  /** The topic the page composite and every warning notify (everything: subscribe the team's list here). */
  public readonly alarmTopic: sns.ITopic;
  /** The page route's own topic (pages only), when `pageRoute` is given. */
  public readonly pageTopic?: sns.ITopic;
  /** The warning route's own topic (warnings only), when `warningRoute` is given. */
  public readonly warningTopic?: sns.ITopic;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The golden-signal alarms this construct created, in creation order (segments' alarms are in `pagedAlarms`). */
  public readonly alarms: McpAlarm[];
  /** The aggressive deployment clones (`aggressiveDeploymentAlarms`), which roll back and notify nobody. */
  public readonly deploymentAlarmClones: McpAlarm[];
  /**
   * Names of the alarms that roll back deployments: p99 latency, error rate and unhealthy hosts (or their
   * aggressive clones). Literal strings. Attached to the service unless `deploymentAlarms` is false; then a
   * caller can attach them itself.
   */
  public readonly deploymentAlarmNames: string[];
  /** The composite alarm that pages: ALARM when any critical alarm of the service or of its segments is. */
  public readonly pageAlarm: cloudwatch.CompositeAlarm;
  /** The resolved baseline. */
  public readonly baseline: PerformanceBaseline;
  /** Every threshold, derived from the baseline. */
  public readonly thresholds: AlarmThresholds;
  /** The probe, when endpointUrl was given. */
  public readonly probe?: McpProbe;
  /** The probe function, when endpointUrl was given. */
  public readonly probeFunction?: McpProbe['function'];
  /** Alarm names are `<alarmNamePrefix>-<serviceName>-<id>`. */
  public readonly alarmNamePrefix: string;
  /** The service name (the `service` dimension of the metrics). */
  public readonly serviceName: string;

  private readonly runbookBase: string;
  private readonly period: Duration;
  private readonly evaluationPeriods: number;
  private readonly datapointsToAlarm: number;
  private readonly factory: AlarmFactory;
  private readonly router: AlarmRouter;
  /** Critical alarms the page composite watches: this construct's and its segments'. */
  private readonly paged: McpAlarm[] = [];
  /** Every alarm on the dashboard's status widget. */
  private readonly statusAlarms: cloudwatch.IAlarm[] = [];
  private readonly segmentTitles = new Set<string>();
  /** Deployment alarms roll back on aggressive clones instead of on the alarms themselves. */
  private readonly aggressiveDeploymentAlarms: boolean;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    this.serviceName = props.serviceName;
    this.validate(props);
    this.period = props.period ?? Duration.minutes(1);
    this.evaluationPeriods = props.evaluationPeriods ?? 3;
    this.datapointsToAlarm = props.datapointsToAlarm ?? 2;
    this.aggressiveDeploymentAlarms = props.aggressiveDeploymentAlarms ?? false;
    this.baseline = resolveBaseline(props.baseline);
    this.thresholds = this.deriveThresholds(props);
    this.runbookBase = normaliseRunbookBaseUrl(props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL);
    this.alarmNamePrefix = props.alarmNamePrefix ?? Stack.of(this).stackName;
    this.alarmTopic = this.createTopic(props);
    this.pageTopic = this.createRouteTopic('PageRoute', 'page', props.pageRoute);
    this.warningTopic = this.createRouteTopic('WarningRoute', 'warnings', props.warningRoute);
    this.router = {
      topicsFor: (severity) => [
        this.alarmTopic,
        ...[severity === AlarmSeverity.WARNING ? this.warningTopic : this.pageTopic].filter(
          (t): t is sns.ITopic => t !== undefined,
        ),
      ],
    };
    this.factory = alarmFactoryFor(this, OWNER, props.serviceName, props, this.router);

    const metrics = this.createMetrics(props);
    this.createLatencyAlarms(metrics, props);
    this.createErrorAlarms(metrics, props);
    this.createTrafficAlarms(metrics, props);
    this.createSaturationAlarms(metrics, props);
    this.probe = this.createProbe(props);
    this.probeFunction = this.probe?.function;
    this.alarms = this.factory.alarms;
    this.deploymentAlarmClones = this.factory.deploymentClones;

    this.pageAlarm = this.createPageAlarm();
    this.deploymentAlarmNames = this.attachDeploymentAlarms(props);
    this.dashboard = this.createDashboard(props);
    this.claim(this.alarms);
    this.addGoldenSignalRows(metrics, props);
  }

  /** One of this construct's alarms by id (e.g. `LatencyP99`), or undefined when it was not created. */
  public alarm(alarmId: string): McpAlarm | undefined {
    return this.alarms.find((a) => a.id === alarmId);
  }

  /** The critical alarms the page composite watches so far: this construct's and its segments'. */
  public get pagedAlarms(): McpAlarm[] {
    return [...this.paged];
  }

  /**
   * Adds a segment (the log pipeline, backups, disaster recovery, the data tier, or your own): its row goes
   * on the dashboard, its critical alarms page through the page composite (and stop notifying on their own),
   * its warnings notify this construct's topic.
   */
  public addSegment(segment: IMcpMonitoringSegment): void {
    this.addRow('addSegment', segment.segmentTitle, segment.dashboardWidgets());
    this.claim(segment.alarms);
  }

  /**
   * Adds alarms and a dashboard row on metrics of your own, built, named and routed like the golden-signal
   * alarms. Returns the alarms created.
   */
  public addCustomSegment(props: McpCustomSegmentProps): McpAlarm[] {
    const created = (props.alarms ?? []).map((a) =>
      this.factory.metricAlarm(
        a.id,
        {
          severity: a.severity,
          summary: a.summary,
          threshold:
            a.thresholdDescription ??
            `${a.comparisonOperator} ${a.threshold} in ${describeEvaluation(
              a.datapointsToAlarm ?? this.datapointsToAlarm,
              a.evaluationPeriods ?? this.evaluationPeriods,
              this.period.toSeconds(),
            )}`,
          runbook: a.runbookUrl ?? `${this.runbookBase}/`,
          deploymentAlarm: a.deploymentAlarm,
        },
        {
          metric: a.metric,
          threshold: a.threshold,
          comparisonOperator: a.comparisonOperator,
          evaluationPeriods: a.evaluationPeriods ?? this.evaluationPeriods,
          datapointsToAlarm: a.datapointsToAlarm ?? this.datapointsToAlarm,
          treatMissingData: a.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
    );
    const widgets =
      props.widgets ??
      created.map(
        (a) => new cloudwatch.AlarmWidget({ alarm: a.alarm, title: `${a.id} (${a.severity})`, width: 8, height: 6 }),
      );
    this.addRow('addCustomSegment', props.title, widgets);
    this.claim(created);
    return created;
  }

  /** Adds a titled row of widgets to the dashboard (no alarms). */
  public addSection(title: string, widgets: cloudwatch.IWidget[]): void {
    this.addRow('addSection', title, widgets);
  }

  // ------------------------------------------------------------------------------------------ builders

  /** Checks every prop, the service name first, and reports all problems at once. */
  private validate(props: McpMonitoringProps): void {
    const problems = new Problems(OWNER, this.node.path);
    const nameProblem = serviceNameProblem(props.serviceName);
    problems.add(nameProblem);
    if (!nameProblem) problems.add(claimServiceName(this, OWNER, props.serviceName));
    const period = props.period ?? Duration.minutes(1);
    const periodSeconds = period.toSeconds({ integral: false });
    const evaluationPeriods = props.evaluationPeriods ?? 3;
    if (problems.integer('evaluationPeriods', evaluationPeriods, 1, 60))
      problems.integer('datapointsToAlarm', props.datapointsToAlarm ?? 2, 1, evaluationPeriods);
    problems.check(
      periodSeconds * evaluationPeriods <= 86400,
      `period × evaluationPeriods must be at most one day, got ${periodSeconds * evaluationPeriods} s`,
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
    // The pure checks the constructor runs next, collected here so that every problem is reported together.
    const baseline = problems.capture(() => resolveBaseline(props.baseline));
    if (baseline)
      problems.capture(() =>
        alarmThresholds(baseline, {
          capacity: props.capacity,
          periodSeconds,
          errorRateMinRequests: props.errorRateMinRequests,
          cpuUtilizationPercent: props.cpuUtilizationPercent,
          memoryUtilizationPercent: props.memoryUtilizationPercent,
          maxTaskCount: props.maxTaskCount,
          minTaskCount: props.minTaskCount,
        }),
      );
    problems.capture(() => normaliseRunbookBaseUrl(props.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL));
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
  }

  private deriveThresholds(props: McpMonitoringProps): AlarmThresholds {
    const periodSeconds = (props.period ?? Duration.minutes(1)).toSeconds();
    const thresholds = alarmThresholds(this.baseline, {
      capacity: props.capacity,
      periodSeconds,
      errorRateMinRequests: props.errorRateMinRequests,
      cpuUtilizationPercent: props.cpuUtilizationPercent,
      memoryUtilizationPercent: props.memoryUtilizationPercent,
      maxTaskCount: props.maxTaskCount,
      minTaskCount: props.minTaskCount,
    });
    const gateWarning = errorRateGateWarning(thresholds, this.baseline, periodSeconds, props.capacity);
    if (gateWarning) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:errorRateUnreachable',
        `${OWNER} ${props.serviceName}: ${gateWarning}`,
      );
    }
    return thresholds;
  }

  private createTopic(props: McpMonitoringProps): sns.ITopic {
    const topic =
      props.alarmTopic ??
      new McpAlarmTopic(this, 'AlarmTopic', { displayName: `MCP alarms: ${props.serviceName}` }).topic;
    subscribeAlarmRecipients(topic, props.alarmEmails, props.alarmHttpsEndpoints);
    return topic;
  }

  /** A severity's own topic and subscribers, when its route is given. */
  private createRouteTopic(id: string, severityName: string, route: McpAlertRoute | undefined): sns.ITopic | undefined {
    if (!route) return undefined;
    checkAlertRoute(OWNER, id === 'PageRoute' ? 'pageRoute' : 'warningRoute', route);
    return new McpAlertRouteTopic(this, id, {
      route,
      severityName,
      serviceName: this.serviceName,
      namePrefix: `${this.alarmNamePrefix}-${this.serviceName}`,
    }).topic;
  }

  private createMetrics(props: McpMonitoringProps): SignalMetrics {
    const { targetGroup: tg, loadBalancer: lb, service } = props;
    const period = this.period;
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
      expression: `IF(requests >= ${this.thresholds.errorRateMinRequests}, 100 * errors / IF(requests > 0, requests, 1), 0)`,
      usingMetrics: { errors, requests },
      period,
      label: '5xx error rate (%)',
    });
    const taskSource = props.taskCountSource ?? TaskCountSource.CONTAINER_INSIGHTS;
    const serviceDims = { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName };
    const containerInsights = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName,
        dimensionsMap: serviceDims,
        statistic: 'Maximum',
        period,
        label,
      });
    const runningTasks =
      taskSource === TaskCountSource.CONTAINER_INSIGHTS
        ? containerInsights('RunningTaskCount', 'Running tasks')
        : tg.metrics.healthyHostCount({ statistic: 'Maximum', period, label: 'Healthy tasks' });
    // During a rolling deployment ECS runs up to maximumPercent of the desired count, so running tasks can
    // touch the maximum while autoscaling is nowhere near it. With Container Insights the alarm watches the
    // running count capped at the desired count (which autoscaling sets and deployments do not change).
    const desiredTasks =
      taskSource === TaskCountSource.CONTAINER_INSIGHTS
        ? containerInsights('DesiredTaskCount', 'Desired tasks')
        : undefined;
    return {
      latency: (stat) => tg.metrics.targetResponseTime({ statistic: stat, period, label: `${stat} response time (s)` }),
      target5xx,
      elb5xx,
      requests,
      errorRate,
      runningTasks,
      desiredTasks,
      activeConnections: this.serviceMetric('mcp_active_connections', 'Average', 'Active connections per task'),
    };
  }

  private createLatencyAlarms(m: SignalMetrics, _props: McpMonitoringProps): void {
    const t = this.thresholds;
    const b = this.baseline;
    const latencyAlarm = (
      alarmId: string,
      stat: 'p50' | 'p95' | 'p99',
      baselineMs: number,
      thresholdSeconds: number,
      severity: AlarmSeverity,
    ) =>
      this.goldenSignalAlarm(
        alarmId,
        {
          severity,
          runbook: RUNBOOKS.highLatency,
          summary: `${stat} target response time is above baseline`,
          threshold: `ALB TargetResponseTime ${stat} above ${formatMs(thresholdSeconds * 1000)} (baseline ${formatMs(baselineMs)} × ${b.degradationFactor}) in ${this.evaluationWords()}`,
        },
        {
          metric: m.latency(stat),
          threshold: thresholdSeconds,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          // No requests means no response times: nothing is slow. An outage shows in the host-health and probe alarms.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          // Percentiles over few samples are noise; evaluate them anyway so a slow trickle is seen.
          evaluateLowSampleCountPercentile: 'evaluate',
        },
      );
    latencyAlarm('LatencyP50', 'p50', b.p50LatencyMs, t.latencyP50Seconds, AlarmSeverity.WARNING);
    latencyAlarm('LatencyP95', 'p95', b.p95LatencyMs, t.latencyP95Seconds, AlarmSeverity.WARNING);
    latencyAlarm('LatencyP99', 'p99', b.p99LatencyMs, t.latencyP99Seconds, AlarmSeverity.CRITICAL);
  }

  private createErrorAlarms(m: SignalMetrics, props: McpMonitoringProps): void {
    const t = this.thresholds;
    const b = this.baseline;
    const tg = props.targetGroup;
    const periodSeconds = this.period.toSeconds();
    this.goldenSignalAlarm(
      'ErrorRate',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.highErrorRate,
        summary: '5xx error rate is above baseline',
        threshold: `(target 5xx + load balancer 5xx) / requests × 100 above ${t.errorRatePercent} % (baseline ${b.errorRatePercent} % × ${b.degradationFactor}) in ${this.evaluationWords()}, counting only periods with at least ${t.errorRateMinRequests} requests`,
      },
      {
        metric: m.errorRate,
        threshold: t.errorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        // The expression FILLs its inputs, so it has a value whenever CloudWatch has any data; a gap
        // means no data at all, which the probe and host-health alarms judge, not this one.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    const unhealthyPeriods = Math.max(3, this.evaluationPeriods);
    this.goldenSignalAlarm(
      'UnhealthyHosts',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.highErrorRate,
        summary: 'tasks are failing the target-group readiness check',
        threshold: `UnHealthyHostCount (minimum over each period) above 0 for ${describeEvaluation(unhealthyPeriods, unhealthyPeriods, periodSeconds)}`,
      },
      {
        // Minimum over the period: a task was unhealthy for the whole minute, not just while starting.
        metric: tg.metrics.unhealthyHostCount({ statistic: 'Minimum', period: this.period, label: 'Unhealthy tasks' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: unhealthyPeriods,
        datapointsToAlarm: unhealthyPeriods,
        // The ALB publishes host counts every minute while the target group is in use; a gap is not evidence of sickness.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    this.goldenSignalAlarm(
      'NoHealthyHosts',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.highErrorRate,
        summary: 'no task is healthy: the load balancer has nothing to send requests to',
        threshold: `HealthyHostCount (maximum over the period) below 1 for one ${periodSeconds / 60 === 1 ? 'one-minute' : `${periodSeconds / 60}-minute`} period, i.e. at once`,
        note: 'Not a deployment alarm: it fires briefly while a brand-new service starts, and it must not fail the first deployment.',
      },
      {
        metric: tg.metrics.healthyHostCount({ statistic: 'Maximum', period: this.period, label: 'Healthy tasks' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // No host-count data for a target group in use means nothing healthy can be shown: treat as an outage.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
  }

  private createTrafficAlarms(m: SignalMetrics, props: McpMonitoringProps): void {
    const t = this.thresholds;
    const b = this.baseline;
    const periodSeconds = this.period.toSeconds();
    const stdDevs = props.trafficAnomalyStdDevs ?? 3;
    this.factory.addAlarm(
      'TrafficAnomaly',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.trafficAnomaly,
        summary: 'request count is outside its expected band (a drop or a surge)',
        threshold: `ALB RequestCount per ${periodSeconds / 60 === 1 ? 'minute' : `${periodSeconds / 60} minutes`} outside the anomaly-detection band of ${stdDevs} standard deviations in ${this.evaluationWords()}`,
        note: 'The model needs about two weeks of history before the band is reliable.',
      },
      (constructId, alarmName, alarmDescription) =>
        new cloudwatch.AnomalyDetectionAlarm(this, constructId, {
          alarmName,
          alarmDescription,
          metric: m.requests,
          stdDevs,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
          evaluationPeriods: this.evaluationPeriods,
          datapointsToAlarm: this.datapointsToAlarm,
          // `requests` FILLs absent request counts with 0, so a drop to zero is data below the band;
          // a real gap means CloudWatch has nothing at all, which the probe covers.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
    );
    this.goldenSignalAlarm(
      'TrafficAboveCapacity',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.trafficAnomaly,
        summary: 'traffic is above the capacity plan: the plan is wrong or demand changed',
        threshold:
          t.trafficCeilingSource === TrafficCeilingSource.CAPACITY
            ? `requests above ${t.trafficCeilingPerPeriod} per period (capacity plan peak ${t.trafficCeilingRps} rps × ${periodSeconds} s) in ${this.evaluationWords()}`
            : `requests above ${t.trafficCeilingPerPeriod} per period (baseline ${b.requestsPerSecond} rps × ${b.degradationFactor} × ${periodSeconds} s; no capacity plan given) in ${this.evaluationWords()}`,
      },
      {
        metric: m.requests,
        threshold: t.trafficCeilingPerPeriod,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // no data = no traffic = not above capacity
      },
    );
  }

  private createSaturationAlarms(m: SignalMetrics, props: McpMonitoringProps): void {
    const t = this.thresholds;
    const f = this.baseline.degradationFactor;
    const { service, loadBalancer: lb } = props;
    const words = this.evaluationWords();
    // Service metrics are published only while tasks run; no tasks is an outage the host-health alarms report.
    this.goldenSignalAlarm(
      'CpuUtilization',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.saturation,
        summary: 'service CPU utilisation is high',
        threshold: `average CPUUtilization above ${t.cpuUtilizationPercent} %${props.cpuUtilizationPercent === undefined && props.capacity ? ` (scaling target ${props.capacity.targetCpuUtilizationPercent} % × ${f}, at most 95)` : ''} in ${words}`,
      },
      {
        metric: service.metricCpuUtilization({ statistic: 'Average', period: this.period, label: 'CPU (%)' }),
        threshold: t.cpuUtilizationPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    this.goldenSignalAlarm(
      'MemoryUtilization',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.saturation,
        summary: 'service memory utilisation is high',
        threshold: `average MemoryUtilization above ${t.memoryUtilizationPercent} % in ${words}`,
      },
      {
        metric: service.metricMemoryUtilization({ statistic: 'Average', period: this.period, label: 'Memory (%)' }),
        threshold: t.memoryUtilizationPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // as CPU: no tasks, no datapoints; host health reports that
      },
    );
    if (t.tasksAtMaximumAlarm && t.maxTasks !== undefined) {
      const capped: cloudwatch.IMetric = m.desiredTasks
        ? new cloudwatch.MathExpression({
            expression: 'IF(running < desired, running, desired)',
            usingMetrics: { running: m.runningTasks, desired: m.desiredTasks },
            period: this.period,
            label: 'Running tasks (at most the desired count)',
          })
        : m.runningTasks;
      this.goldenSignalAlarm(
        'TasksAtMaximum',
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.saturation,
          summary: 'the service runs at its autoscaling maximum: it cannot add capacity',
          threshold: m.desiredTasks
            ? `RunningTaskCount, capped at DesiredTaskCount so a deployment's extra tasks do not count, at or above the autoscaling maximum of ${t.maxTasks} tasks in ${words}`
            : `HealthyHostCount at or above the autoscaling maximum of ${t.maxTasks} tasks in ${words} (a deployment's extra tasks count too)`,
        },
        {
          metric: capped,
          threshold: t.maxTasks,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          // No task counts (Container Insights off, or no tasks at all) is not evidence of running at the maximum.
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      );
    }
    this.goldenSignalAlarm(
      'RejectedConnections',
      {
        severity: AlarmSeverity.WARNING,
        runbook: RUNBOOKS.saturation,
        summary: 'the load balancer is rejecting connections (it reached its connection limit)',
        threshold: `RejectedConnectionCount above 0 in ${words}`,
      },
      {
        metric: lb.metrics.rejectedConnectionCount({
          statistic: 'Sum',
          period: this.period,
          label: 'Rejected connections',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // published only when non-zero
      },
    );
    if (t.connectionsPerTask !== undefined && props.capacity) {
      this.goldenSignalAlarm(
        'ConnectionsPerTask',
        {
          severity: AlarmSeverity.WARNING,
          runbook: RUNBOOKS.saturation,
          summary: 'tasks carry more concurrent connections than the capacity plan allows',
          threshold: `average mcp_active_connections per task above ${t.connectionsPerTask} (plan ${props.capacity.derived.concurrencyPerTask} per task × ${f}) in ${words}`,
        },
        {
          metric: m.activeConnections,
          threshold: t.connectionsPerTask,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // the service emits it while it has tasks
        },
      );
    }
  }

  private createProbe(props: McpMonitoringProps): McpProbe | undefined {
    if (props.endpointUrl === undefined) return undefined;
    const probe = new McpProbe(this, 'Probe', {
      serviceName: this.serviceName,
      endpointUrl: props.endpointUrl,
      tool: props.probeTool,
      interval: props.probeInterval,
      timeout: props.probeTimeout,
      auth: props.probeAuth,
      vpc: props.probeVpc,
      functionLogRetention: props.probeLogRetention,
    });
    const intervals = props.probeFailureIntervals ?? 2;
    const minutes = probe.interval.toMinutes();
    this.goldenSignalAlarm(
      'ProbeFailing',
      {
        severity: AlarmSeverity.CRITICAL,
        runbook: RUNBOOKS.probeFailing,
        summary: `the synthetic MCP probe of ${props.endpointUrl} is failing (initialize/tools/list${props.probeTool ? `/${props.probeTool.name}` : ''} from outside)`,
        threshold: `no successful probe (ProbeSuccess maximum below 1) for ${intervals} consecutive ${minutes === 1 ? 'one-minute' : `${minutes}-minute`} probe intervals; a probe that does not report counts as failed`,
        note: 'Not a deployment alarm: the endpoint (DNS, certificate) may not exist yet when the first deployment runs.',
      },
      {
        metric: probe.metricSuccess(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: intervals,
        datapointsToAlarm: intervals,
        // A probe that does not report (function failing, throttled, misconfigured) proves nothing
        // about availability: treat silence as failure.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    return probe;
  }

  /** The page composite: its rule is rendered at synth time, over every critical alarm claimed by then. */
  private createPageAlarm(): cloudwatch.CompositeAlarm {
    const page = new cloudwatch.CompositeAlarm(this, 'Page', {
      compositeAlarmName: `${this.alarmNamePrefix}-${this.serviceName}-Page`,
      alarmRule: cloudwatch.AlarmRule.fromString(
        Lazy.string({
          produce: () => cloudwatch.AlarmRule.anyOf(...this.paged.map((a) => a.alarm)).renderAlarmRule(),
        }),
      ),
      alarmDescription: Lazy.string({
        produce: () =>
          `[page] ${this.serviceName}: one or more critical alarms are in ALARM (${this.paged.map((a) => a.id).join(', ')}). ` +
          `Open the alarm that fired and follow its runbook; index: ${this.runbookBase}/`,
      }),
    });
    for (const topic of this.router.topicsFor(AlarmSeverity.CRITICAL)) {
      const action = new cwActions.SnsAction(topic);
      page.addAlarmAction(action);
      page.addOkAction(action);
    }
    return page;
  }

  private attachDeploymentAlarms(props: McpMonitoringProps): string[] {
    const ids = props.aggressiveDeploymentAlarms
      ? DEPLOYMENT_ALARM_IDS.map((alarmId) => `${alarmId}Deployment`)
      : DEPLOYMENT_ALARM_IDS;
    const names = ids.map((alarmId) => this.factory.nameOf(alarmId));
    if (props.deploymentAlarms ?? true) {
      // Literal names (prefix + id), never alarm.alarmName tokens: the service must not depend on the alarms.
      props.service.enableDeploymentAlarms(names, { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
    }
    return names;
  }

  private createDashboard(props: McpMonitoringProps): cloudwatch.Dashboard {
    const stack = Stack.of(this);
    const b = this.baseline;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? sanitiseDashboardName(dashboardName(stack.stackName, props.serviceName)),
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# ${this.serviceName}\nGolden signals of the MCP service. Alarms link their runbooks: [runbooks](${this.runbookBase}/). ` +
          `Baseline: p50 ${b.p50LatencyMs} ms, p95 ${b.p95LatencyMs} ms, p99 ${b.p99LatencyMs} ms, ${b.errorRatePercent} % errors, ${b.requestsPerSecond} rps; alarms at × ${b.degradationFactor}.`,
        width: 24,
        height: 2,
      }),
    );
    // The status widget renders its alarm list at synth time: segments added later appear on it too.
    this.statusAlarms.push(this.pageAlarm);
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.statusAlarms, width: 24, height: 3 }),
    );
    return dashboard;
  }

  private addGoldenSignalRows(m: SignalMetrics, props: McpMonitoringProps): void {
    const t = this.thresholds;
    const b = this.baseline;
    const f = b.degradationFactor;
    const periodSeconds = this.period.toSeconds();
    const { service, loadBalancer: lb, targetGroup: tg } = props;
    const ann = (alarmId: string, label: string, value: number): cloudwatch.HorizontalAnnotation[] =>
      this.alarm(alarmId) ? [{ label, value, color: cloudwatch.Color.RED }] : [];
    const perPeriod = periodSeconds / 60 === 1 ? 'minute' : `${periodSeconds / 60} minutes`;

    this.addRow('constructor', 'Latency', [
      this.graph(
        'Target response time p50 / p95 / p99 (s)',
        16,
        [m.latency('p50'), m.latency('p95'), m.latency('p99')],
        {
          leftAxis: { label: 'seconds' },
          leftAnnotations: [
            { label: `p50 baseline ${b.p50LatencyMs} ms`, value: b.p50LatencyMs / 1000, color: cloudwatch.Color.GREEN },
            { label: `p95 baseline ${b.p95LatencyMs} ms`, value: b.p95LatencyMs / 1000, color: cloudwatch.Color.GREEN },
            { label: `p99 baseline ${b.p99LatencyMs} ms`, value: b.p99LatencyMs / 1000, color: cloudwatch.Color.GREEN },
            ...ann('LatencyP50', `p50 alarm > ${formatMs(t.latencyP50Seconds * 1000)}`, t.latencyP50Seconds),
            ...ann('LatencyP95', `p95 alarm > ${formatMs(t.latencyP95Seconds * 1000)}`, t.latencyP95Seconds),
            ...ann('LatencyP99', `p99 alarm > ${formatMs(t.latencyP99Seconds * 1000)}`, t.latencyP99Seconds),
          ],
        },
      ),
      this.graph('Request duration reported by the service (s)', 8, [
        this.serviceMetric('mcp_request_duration_seconds', 'p99', 'p99'),
      ]),
    ]);

    this.addRow('constructor', 'Traffic', [
      this.graph(
        `Requests per ${perPeriod} (with expected band)`,
        16,
        [
          m.requests,
          new cloudwatch.MathExpression({
            expression: `ANOMALY_DETECTION_BAND(requests, ${props.trafficAnomalyStdDevs ?? 3})`,
            usingMetrics: { requests: m.requests },
            period: this.period,
            label: 'Expected band',
          }),
        ],
        {
          leftAnnotations: ann(
            'TrafficAboveCapacity',
            `capacity ceiling ${t.trafficCeilingPerPeriod}`,
            t.trafficCeilingPerPeriod,
          ),
        },
      ),
      this.graph('MCP requests reported by the service', 8, [
        this.serviceMetric('mcp_requests_total', 'Sum', 'MCP requests'),
      ]),
      // What each request is, from the server's method and revision dimensions (docs/operational-contract.md): the
      // cheap listing methods beside tools/call, and when the last 2025-11-25 client is gone. SEARCH takes any
      // statistic, percentiles included (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html).
      this.graph('MCP requests by method', 8, [this.serviceSearch('mcp_requests_total', 'method')]),
      this.graph('MCP requests by protocol revision', 8, [
        this.serviceSearch('mcp_requests_total', 'protocol_version'),
      ]),
      this.graph('Request duration p99 by method (s)', 8, [
        this.serviceSearch('mcp_request_duration_seconds', 'method', 'p99'),
      ]),
    ]);

    const errorWidgets: cloudwatch.IWidget[] = [
      this.graph('5xx error rate (%)', 8, [m.errorRate], {
        leftAnnotations: [
          { label: `baseline ${b.errorRatePercent} %`, value: b.errorRatePercent, color: cloudwatch.Color.GREEN },
          ...ann('ErrorRate', `alarm > ${t.errorRatePercent} %`, t.errorRatePercent),
        ],
      }),
      this.graph('5xx responses', 8, [m.target5xx, m.elb5xx], { stacked: true }),
      this.graph(
        'Target health',
        8,
        [
          tg.metrics.healthyHostCount({ statistic: 'Minimum', period: this.period, label: 'Healthy (min)' }),
          tg.metrics.unhealthyHostCount({ statistic: 'Maximum', period: this.period, label: 'Unhealthy (max)' }),
        ],
        {
          leftAnnotations: [
            ...ann('UnhealthyHosts', 'unhealthy alarm > 0', 0),
            ...ann('NoHealthyHosts', 'no-healthy alarm < 1', 1),
          ],
        },
      ),
      this.graph('Errors reported by the service, by error_type', 12, [
        this.serviceSearch('mcp_errors_total', 'error_type'),
      ]),
    ];
    if (this.probe) {
      errorWidgets.push(
        this.graph(
          'Synthetic probe (from outside)',
          12,
          [this.probe.metricSuccess({ label: 'Probe success (1 = ok)' })],
          {
            right: [this.probe.metricLatency()],
            leftAxis: { max: 1 },
            rightAxis: { label: 'ms' },
            leftAnnotations: [{ label: 'probe alarm < 1', value: 1, color: cloudwatch.Color.RED }],
          },
        ),
      );
    }
    this.addRow('constructor', 'Errors and availability', errorWidgets);

    this.addRow('constructor', 'Saturation', [
      this.graph(
        'CPU and memory (%)',
        8,
        [
          service.metricCpuUtilization({ statistic: 'Average', period: this.period, label: 'CPU avg' }),
          service.metricCpuUtilization({ statistic: 'Maximum', period: this.period, label: 'CPU max task' }),
          service.metricMemoryUtilization({ statistic: 'Average', period: this.period, label: 'Memory avg' }),
        ],
        {
          leftAxis: { max: 100 },
          leftAnnotations: [
            ...ann('CpuUtilization', `CPU alarm > ${t.cpuUtilizationPercent} %`, t.cpuUtilizationPercent),
            ...ann('MemoryUtilization', `memory alarm > ${t.memoryUtilizationPercent} %`, t.memoryUtilizationPercent),
          ],
        },
      ),
      this.graph('Running tasks', 8, m.desiredTasks ? [m.runningTasks, m.desiredTasks] : [m.runningTasks], {
        leftAnnotations: ann('TasksAtMaximum', `autoscaling maximum ${t.maxTasks}`, t.maxTasks ?? 0),
      }),
      this.graph('Connections', 8, [m.activeConnections], {
        right: [
          lb.metrics.rejectedConnectionCount({
            statistic: 'Sum',
            period: this.period,
            label: 'Rejected connections (ALB)',
          }),
        ],
        leftAnnotations:
          t.connectionsPerTask !== undefined
            ? ann('ConnectionsPerTask', `plan × ${f}: ${t.connectionsPerTask} per task`, t.connectionsPerTask)
            : [],
        rightAnnotations: ann('RejectedConnections', 'rejected alarm > 0', 0),
      }),
    ]);

    this.addRow('constructor', MEMORY_TREND_TITLE, memoryTrendWidgets(service));

    this.addRow('constructor', 'Business', [
      this.graph('Tools executed, by tool', 12, [this.serviceSearch('tools_executed_total', 'tool')]),
      // Each task samples its gauge every few seconds, so a Sum over the period would count each connection
      // once per sample: the mean per task times the tasks running is the fleet's total.
      this.graph('Active sessions (open connections, all tasks)', 12, [
        new cloudwatch.MathExpression({
          expression: 'perTask * tasks',
          usingMetrics: { perTask: m.activeConnections, tasks: m.runningTasks.with({ statistic: 'Average' }) },
          period: this.period,
          label: 'Open connections (mean per task × tasks)',
        }),
      ]),
      // user_sessions_active counts the distinct principals one task saw (docs/operational-contract.md); a
      // principal's requests spread over the tasks, so the busiest task's count is a floor of the fleet's.
      this.graph('Active users (distinct principals in the last window, busiest task)', 12, [
        this.serviceMetric('user_sessions_active', 'Maximum', 'Busiest task (floor of the fleet)'),
        this.serviceMetric('user_sessions_active', 'Average', 'Mean per task'),
      ]),
      // api_quota_remaining is emitted per service+client_id and per service (whose Minimum is the lowest
      // client): a line near 0 is a client at its rate limit (429s follow).
      this.graph('API quota remaining (requests per minute, lowest client; per client)', 12, [
        this.serviceMetric('api_quota_remaining', 'Minimum', 'Lowest of any client'),
        this.serviceSearch('api_quota_remaining', 'client_id', 'Minimum'),
      ]),
    ]);
  }

  // ------------------------------------------------------------------------------------------ helpers

  /**
   * A graph of the dashboard's golden-signal rows: 6 high, y axes from 0 without units (`leftAxis`/`rightAxis` add
   * a maximum or a label; the right axis only with `right` metrics).
   */
  private graph(
    title: string,
    width: number,
    left: cloudwatch.IMetric[],
    options: GoldenSignalGraphOptions = {},
  ): cloudwatch.GraphWidget {
    const { leftAxis, rightAxis, ...rest } = options;
    return new cloudwatch.GraphWidget({
      title,
      width,
      height: 6,
      left,
      leftYAxis: { min: 0, ...leftAxis, showUnits: false },
      ...(options.right ? { rightYAxis: { min: 0, ...rightAxis, showUnits: false } } : {}),
      ...rest,
    });
  }

  /** A golden-signal metric alarm with this construct's evaluation defaults. */
  private goldenSignalAlarm(
    id: string,
    text: AlarmText,
    spec: Omit<MetricAlarmSpec, 'evaluationPeriods'> & { evaluationPeriods?: number },
  ): McpAlarm {
    const full: MetricAlarmSpec = {
      evaluationPeriods: this.evaluationPeriods,
      datapointsToAlarm: this.datapointsToAlarm,
      ...spec,
    };
    if (!DEPLOYMENT_ALARM_IDS.includes(id)) return this.factory.metricAlarm(id, text, full);
    return this.aggressiveDeploymentAlarms
      ? this.factory.metricAlarmWithDeploymentClone(id, text, full, DEPLOYMENT_CLONE)
      : this.factory.metricAlarm(id, { ...text, deploymentAlarm: true }, full);
  }

  private evaluationWords(): string {
    return describeEvaluation(this.datapointsToAlarm, this.evaluationPeriods, this.period.toSeconds());
  }

  /** A metric the service publishes (docs/operational-contract.md), by `service`. */
  private serviceMetric(metricName: string, statistic: string, label: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName,
      dimensionsMap: { service: this.serviceName },
      statistic,
      period: this.period,
      label,
    });
  }

  /** Every series of a service metric split by one more dimension (a SEARCH expression). */
  private serviceSearch(metricName: string, dimension: string, statistic = 'Sum'): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${MCP_OPS_NAMESPACE},${[dimension, 'service'].sort().join(',')}} MetricName="${metricName}" service="${this.serviceName}"', '${statistic}', ${this.period.toSeconds()})`,
      label: '',
      period: this.period,
    });
  }

  private addRow(method: string, title: string, widgets: cloudwatch.IWidget[]): void {
    checkThat(OWNER, title.trim().length > 0, `${method}: title must not be empty, got ${JSON.stringify(title)}`);
    checkThat(
      OWNER,
      !this.segmentTitles.has(title),
      `${method}: the dashboard already has a row titled ${JSON.stringify(title)}; each row (and segment) is added once`,
    );
    this.segmentTitles.add(title);
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    if (widgets.length > 0) this.dashboard.addWidgets(...widgets);
  }

  /** Takes alarms into this construct's routing: criticals into the page, all onto the status widget. */
  private claim(alarms: McpAlarm[]): void {
    for (const alarm of alarms) {
      if (claimAlarm(alarm, this.router) && !this.paged.includes(alarm)) this.paged.push(alarm);
      if (!this.statusAlarms.includes(alarm.alarm)) this.statusAlarms.push(alarm.alarm);
    }
  }
}
