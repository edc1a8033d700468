import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { alarmFactoryFor } from '../internal/alarm-factory';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import { MCP_OPS_NAMESPACE } from '../internal/metrics';
import { checkInteger } from '../internal/validate';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import { perMinuteThreshold, SECURITY_ALARM_DEFAULTS } from './policy';
import type { McpWebAcl } from './web-acl';

const OWNER = 'McpAuthMonitoring';

/** The runbook of the authentication alarms (docs/runbooks/auth-failures.md). */
export const AUTH_FAILURES_RUNBOOK = 'auth-failures';

/** Props for {@link McpAuthMonitoring}. */
export interface McpAuthMonitoringProps extends McpAlarmOptions {
  /** The service name: the `service` dimension of the server's metrics. */
  readonly serviceName: string;
  /** The load balancer (its own 4xx answers include the tokens its JWT verification refuses). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * The web ACL in front of the load balancer: its blocks (403/413/429 answered by the load balancer) are subtracted
   * from the load balancer's 4xx, so an attack the WAF stops is not counted as failed sign-ins.
   * @default no web ACL
   */
  readonly webAcl?: McpWebAcl;
  /**
   * Peak requests per second of the capacity plan.
   * @default no plan: the floor (30 per minute)
   */
  readonly peakRps?: number;
  /**
   * Authentication failures per minute (2 of 3 minutes) that raise the alarm.
   * @default max(30, ⌈peakRps × 60 × 0.01⌉)
   */
  readonly authFailureThreshold?: number;
}

/**
 * Authentication failures of an MCP endpoint: requests refused by the load balancer's token verification (its own
 * 4xx less the web ACL's blocks) plus those the server refused (`mcp_errors_total` with `error_type` `auth_error`),
 * a warning on a spike and a dashboard row.
 */
export class McpAuthMonitoring extends Construct implements IMcpMonitoringSegment {
  /** The alarms. */
  public readonly alarms: McpAlarm[];
  /** Title of the dashboard row. */
  public readonly segmentTitle = 'Authentication';
  /** Failed authentications per minute (load balancer and server). */
  public readonly authFailures: cloudwatch.MathExpression;
  /** The threshold in force. */
  public readonly threshold: number;

  private readonly elb4xx: cloudwatch.IMetric;
  private readonly serverAuthErrors: cloudwatch.IMetric;

  constructor(scope: Construct, id: string, props: McpAuthMonitoringProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    checkInteger(OWNER, 'authFailureThreshold', props.authFailureThreshold, 1, 1_000_000_000);
    const period = Duration.minutes(1);
    this.elb4xx = props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_4XX_COUNT, {
      period,
      statistic: 'Sum',
      label: 'Load balancer 4xx',
    });
    this.serverAuthErrors = new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: 'mcp_errors_total',
      dimensionsMap: { service: props.serviceName, error_type: 'auth_error' },
      statistic: 'Sum',
      period,
      label: 'Server auth errors',
    });
    const usingMetrics: Record<string, cloudwatch.IMetric> = { elb: this.elb4xx, srv: this.serverAuthErrors };
    let lb = 'FILL(elb, 0)';
    if (props.webAcl) {
      usingMetrics.waf = props.webAcl.metricBlockedRequests({ period });
      lb = 'IF(FILL(elb, 0) - FILL(waf, 0) > 0, FILL(elb, 0) - FILL(waf, 0), 0)';
    }
    this.authFailures = new cloudwatch.MathExpression({
      expression: `${lb} + FILL(srv, 0)`,
      usingMetrics,
      period,
      label: 'Authentication failures',
    });
    const d = SECURITY_ALARM_DEFAULTS;
    const derived = perMinuteThreshold(props.peakRps, d.authFailureFloorPerMinute, d.authFailureShare);
    this.threshold = props.authFailureThreshold ?? derived.value;
    const factory = alarmFactoryFor(this, OWNER, props.serviceName, props);
    factory.metricAlarm(
      'AuthFailureSpike',
      {
        severity: AlarmSeverity.WARNING,
        runbook: AUTH_FAILURES_RUNBOOK,
        summary:
          'many requests fail authentication (401/403: expired or forged tokens, a misconfigured client, an issuer or key problem)',
        threshold: `load-balancer 4xx${props.webAcl ? ' less WAF blocks' : ''} plus server auth_error above ${this.threshold} per minute (${props.authFailureThreshold !== undefined ? 'set explicitly' : derived.formula}) in 2 of 3 one-minute periods`,
      },
      {
        metric: this.authFailures,
        threshold: this.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      },
    );
    this.alarms = factory.alarms;
  }

  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Authentication failures per minute',
        width: 12,
        height: 6,
        left: [this.authFailures, this.elb4xx, this.serverAuthErrors],
        leftAnnotations: [{ label: 'alarm', value: this.threshold, color: cloudwatch.Color.RED }],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.AlarmStatusWidget({
        title: 'Authentication alarms',
        alarms: this.alarms.map((a) => a.alarm),
        width: 12,
        height: 6,
      }),
    ];
  }
}
