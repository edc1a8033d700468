import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';

/**
 * How loud an alarm is. Critical alarms page, through the page composite of the service's
 * {@link McpMonitoring} when they are part of it, and may roll back deployments; warnings notify the alarm
 * topic and never page.
 */
export enum AlarmSeverity {
  /** Pages (one incident, one page: through the page composite when the alarm is part of one). */
  CRITICAL = 'critical',
  /** Notifies the alarm topic; does not page. */
  WARNING = 'warning',
}

/** One alarm an mcp-ops construct created, with what routing, dashboards, tests and reviewers need to know. */
export interface McpAlarm {
  /** The alarm's id within its construct, e.g. `LatencyP99`; the last part of its name. */
  readonly id: string;
  /** The CloudWatch alarm. */
  readonly alarm: cloudwatch.Alarm;
  /** Its severity. */
  readonly severity: AlarmSeverity;
  /** The runbook its description links. */
  readonly runbookUrl: string;
  /** The alarm name, `<prefix>-<service>-<id>`: a literal string, so it can be listed as a deployment alarm. */
  readonly alarmName: string;
  /**
   * Whether the alarm (or its deployment clone) is meant to roll back ECS deployments; the service it watches
   * attaches it.
   */
  readonly deploymentAlarm: boolean;
}

/**
 * A construct's share of the operations view: the alarms it created and the dashboard row that shows them.
 * {@link McpLogging}, {@link McpBackup}, {@link McpDisasterRecovery} and {@link McpDataTier} are segments;
 * `McpMonitoring.addSegment()` puts a segment's row on the dashboard and its critical alarms into the page
 * composite. Implement it to contribute a segment of your own.
 */
export interface IMcpMonitoringSegment {
  /** Title of the segment's dashboard row. */
  readonly segmentTitle: string;
  /** The segment's alarms. */
  readonly alarms: McpAlarm[];
  /** The segment's dashboard widgets (its alarms' status among them, if it wants one). */
  dashboardWidgets(): cloudwatch.IWidget[];
}

/** An alarm a user adds to {@link McpMonitoring} on a metric of their own (`McpMonitoring.addCustomSegment`). */
export interface McpCustomAlarmProps {
  /** Id of the alarm: letters and digits, starting with a letter; the last part of its name. */
  readonly id: string;
  /** The metric or math expression the alarm watches. */
  readonly metric: cloudwatch.IMetric;
  /** The threshold. */
  readonly threshold: number;
  /** How the metric is compared with the threshold. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** Critical alarms page through the page composite; warnings notify. */
  readonly severity: AlarmSeverity;
  /** What is wrong when it fires, e.g. `orders are failing to settle`. */
  readonly summary: string;
  /**
   * The threshold in words, for the description.
   * @default the comparison, threshold and evaluation, e.g. `above 5 in 2 of 3 one-minute periods`
   */
  readonly thresholdDescription?: string;
  /**
   * The runbook the description links.
   * @default the runbook index of the monitoring construct (`<runbookBaseUrl>/`)
   */
  readonly runbookUrl?: string;
  /**
   * Periods the alarm looks at.
   * @default the monitoring construct's `evaluationPeriods` (3)
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods, out of `evaluationPeriods`, that raise the alarm.
   * @default the monitoring construct's `datapointsToAlarm` (2)
   */
  readonly datapointsToAlarm?: number;
  /**
   * How missing data is treated.
   * @default cloudwatch.TreatMissingData.NOT_BREACHING
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
  /**
   * Roll back ECS deployments of the monitored service while the alarm is in ALARM. Only for alarms whose
   * metric a bad deployment moves, and whose name does not depend on the service.
   * @default false
   */
  readonly deploymentAlarm?: boolean;
}

/** A dashboard row and alarms a user adds to {@link McpMonitoring} (`McpMonitoring.addCustomSegment`). */
export interface McpCustomSegmentProps {
  /** Title of the dashboard row. */
  readonly title: string;
  /**
   * Widgets of the row.
   * @default a graph of each alarm's metric with its threshold
   */
  readonly widgets?: cloudwatch.IWidget[];
  /**
   * Alarms on the segment's metrics.
   * @default none
   */
  readonly alarms?: McpCustomAlarmProps[];
}

/**
 * How a construct's alarms are named, tagged, linked and notified; every mcp-ops construct that creates alarms
 * takes these props.
 */
export interface McpAlarmOptions {
  /**
   * Topic the construct's alarms notify (ALARM and OK) when no {@link McpMonitoring} includes them; once a
   * monitoring construct adds the construct as a segment, critical alarms page through its page composite and
   * warnings notify its topic.
   * @default no topic: alarms without actions until a monitoring construct includes them
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * First part of every alarm name: `<prefix>-<serviceName>-<AlarmId>`.
   * @default the stack name
   */
  readonly alarmNamePrefix?: string;
  /**
   * Tags on every alarm (beside `mcp-ops:service` and `mcp-ops:severity`, which are always set).
   * @default none
   */
  readonly alarmTags?: Record<string, string>;
  /**
   * Base URL where this package's docs/runbooks are published; alarm descriptions link `<base>/<runbook>.md`.
   * @default DEFAULT_RUNBOOK_BASE_URL, a placeholder for this package's docs/runbooks on GitHub
   */
  readonly runbookBaseUrl?: string;
}
