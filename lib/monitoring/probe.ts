import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeCompliance } from '../internal/compliance';
import { McpOpsFunction } from '../internal/nodejs-function';
import { checkInteger, checkPattern, checkThat } from '../internal/validate';
import { useTestedFeatureFlags } from '../internal/feature-flags';
import type { McpProbeCredentials } from '../security/auth';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';

import { MCP_OPS_NAMESPACE } from '../internal/metrics';

const OWNER = 'McpProbe';

/** A read-only tool the probe calls after `tools/list`. */
export interface McpProbeTool {
  /** Tool name; it must appear in `tools/list`. */
  readonly name: string;
  /**
   * Arguments of the call (JSON-serialisable).
   * @default {}
   */
  readonly arguments?: Record<string, unknown>;
}

/** Props for {@link McpProbe}. */
export interface McpProbeProps {
  /** The `service` metric dimension the probe records under. */
  readonly serviceName: string;
  /** Public MCP endpoint URL, e.g. `https://mcp.example.com/mcp` (may be a token). */
  readonly endpointUrl: string;
  /**
   * A read-only tool to call after `tools/list`. Never configure a tool with side effects: it runs every minute.
   * @default no tool call (initialize + tools/list only)
   */
  readonly tool?: McpProbeTool;
  /**
   * How often the probe runs. Whole minutes, 1–60.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Budget for one whole probe (initialize, tools/list, tool call). 1–25 seconds; the function's timeout is this plus 5 s.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Client-credentials grant for an endpoint that requires a bearer token: the probe gets a token from `tokenUrl` with
   * the client secret read from Secrets Manager.
   * @default no token (an endpoint without auth)
   */
  readonly auth?: McpProbeCredentials;
  /**
   * Run the probe inside this VPC (an internal load balancer), in private subnets with egress.
   * @default outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Retention of the probe function's own log group (KMS-encrypted with the stack's log key).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;
}

/**
 * The synthetic MCP probe: a Lambda (`lambda/mcp-probe`) run on a schedule by EventBridge that
 * speaks MCP to the public endpoint, from outside the VPC, and records `ProbeSuccess` (0/1) and
 * `ProbeLatencyMs` in namespace `McpOps` with dimension `service`.
 */
export class McpProbe extends Construct {
  /** The probe function. */
  public readonly function: lambda.Function;
  /** The schedule. */
  public readonly rule: events.Rule;
  /** The probe interval. */
  public readonly interval: Duration;
  private readonly serviceName: string;

  constructor(scope: Construct, id: string, props: McpProbeProps) {
    super(scope, id);
    useTestedFeatureFlags(this);
    this.serviceName = props.serviceName;
    const nameProblem = serviceNameProblem(props.serviceName);
    checkThat(OWNER, nameProblem === undefined, `${nameProblem} (at ${this.node.path})`);
    const claimProblem = claimServiceName(this, OWNER, props.serviceName);
    checkThat(OWNER, claimProblem === undefined, `${claimProblem} (at ${this.node.path})`);
    this.interval = props.interval ?? Duration.minutes(1);
    const timeout = props.timeout ?? Duration.seconds(10);
    const intervalMinutes = this.interval.toSeconds({ integral: false }) / 60;
    checkInteger(OWNER, 'probeInterval (minutes)', intervalMinutes, 1, 60);
    checkInteger(OWNER, 'probeTimeout (seconds)', timeout.toSeconds({ integral: false }), 1, 25);
    if (!Token.isUnresolved(props.endpointUrl)) {
      checkPattern(
        OWNER,
        'endpointUrl',
        props.endpointUrl,
        /^https?:\/\/[^\s/?#@]+(\/[^\s#]*)?$/,
        'an http:// or https:// URL without credentials',
      );
    }
    if (props.tool) {
      checkPattern(
        OWNER,
        'probeTool.name',
        props.tool.name,
        /^[A-Za-z0-9_./-]{1,128}$/,
        'a tool name of 1–128 letters, digits, _ . / -',
      );
      const args = props.tool.arguments ?? {};
      checkThat(
        OWNER,
        typeof args === 'object' && !Array.isArray(args),
        `probeTool.arguments must be an object, got ${JSON.stringify(args)}`,
      );
    }

    this.function = new McpOpsFunction(this, 'Function', {
      handlerName: 'mcp-probe',
      logRetention: props.functionLogRetention,
      description: `Synthetic MCP probe of ${props.serviceName}: initialize, tools/list${props.tool ? `, tools/call ${props.tool.name}` : ''}`,
      timeout: Duration.seconds(timeout.toSeconds() + 5),
      memorySize: 256,
      outsideVpcReason:
        'Probes the public (internet-facing) endpoint from outside, as a client does; with an internal load balancer it runs in the VPC',
      noDeadLetterQueueReason:
        'Invoked every minute by its schedule with no retry: a failed run is a missing ProbeSuccess datapoint, which the ProbeFailing alarm treats as breaching',
      environment: {
        MCP_ENDPOINT_URL: props.endpointUrl,
        SERVICE_NAME: props.serviceName,
        PROBE_TIMEOUT_MS: String(timeout.toMilliseconds()),
        METRICS_NAMESPACE: MCP_OPS_NAMESPACE,
        ...(props.tool
          ? { PROBE_TOOL_NAME: props.tool.name, PROBE_TOOL_ARGUMENTS: JSON.stringify(props.tool.arguments ?? {}) }
          : {}),
        ...(props.auth ? probeAuthEnvironment(props.auth) : {}),
      },
      ...(props.vpc
        ? {
            vpc: props.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            // Its own group: HTTPS out (token endpoint, CloudWatch); the caller admits it on the listener port.
            securityGroups: [
              new ec2.SecurityGroup(this, 'SecurityGroup', {
                vpc: props.vpc,
                description: `MCP probe of ${props.serviceName}`,
                allowAllOutbound: false,
              }),
            ],
          }
        : {}),
    });
    if (props.vpc) {
      this.function.connections.allowTo(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'token endpoint and AWS APIs (HTTPS)');
    }
    if (props.auth) this.grantSecretRead(props.auth);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': MCP_OPS_NAMESPACE } },
      }),
    );
    const role = this.function.role!;
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:PutMetricData has no resource-level permissions (restricted by the cloudwatch:namespace condition); X-Ray PutTraceSegments/PutTelemetryRecords have none either; in the VPC, the network-interface actions Lambda needs (ec2:Describe* have none)',
    });

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the MCP probe of ${props.serviceName} every ${intervalMinutes} minute(s)`,
      schedule: events.Schedule.rate(this.interval),
    });
    // One attempt per tick: a late or retried probe would measure the wrong minute.
    this.rule.addTarget(
      new targets.LambdaFunction(this.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    );
    acknowledgeCompliance(this.rule, {
      EventBusDLQ:
        'A probe event not delivered within its minute is worthless later; the missing ProbeSuccess datapoint is what ProbeFailing alarms on',
    });
  }

  /** GetSecretValue on the client secret only, and Decrypt on its key when it has a customer managed one. */
  private grantSecretRead(auth: McpProbeCredentials): void {
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [auth.clientSecret.secretArn] }),
    );
    const key = auth.clientSecret.encryptionKey;
    if (key) {
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
    }
  }

  /** `ProbeSuccess` (1 = every step passed). Maximum over a period = 1 when any probe in it succeeded. */
  public metricSuccess(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: 'ProbeSuccess',
      dimensionsMap: { service: this.serviceName },
      statistic: 'Maximum',
      period: this.interval,
      label: 'Probe success',
      ...props,
    });
  }

  /** `ProbeLatencyMs` of successful probes. */
  public metricLatency(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MCP_OPS_NAMESPACE,
      metricName: 'ProbeLatencyMs',
      dimensionsMap: { service: this.serviceName },
      statistic: 'Average',
      period: this.interval,
      label: 'Probe latency (ms)',
      ...props,
    });
  }
}

/** The probe's token settings as its environment (lambda/mcp-probe reads them). */
export function probeAuthEnvironment(auth: McpProbeCredentials): Record<string, string> {
  return {
    PROBE_TOKEN_URL: auth.tokenUrl,
    PROBE_CLIENT_ID: auth.clientId,
    PROBE_CLIENT_SECRET_ARN: auth.clientSecret.secretArn,
    PROBE_SCOPES: auth.scopes.join(' '),
    ...(auth.resource ? { PROBE_RESOURCE: auth.resource } : {}),
  };
}
