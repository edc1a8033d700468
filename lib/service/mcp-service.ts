import * as path from 'path';
import { Annotations, Duration, Lazy, RemovalPolicy, Stack, TimeZone, Token, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { describeFargateMemory, FARGATE_CPU_VALUES, isValidFargateCpu, isValidFargateSize } from '../capacity/fargate';
import { CapacityModel } from '../capacity/capacity-model';
import { McpLogging, McpLoggingProps } from '../logging/mcp-logging';
import { McpAlarmTopic } from '../monitoring/alarm-topic';
import { McpMonitoring, McpMonitoringProps } from '../monitoring/monitoring';
import { CapacityInput, CapacityPlan } from '../capacity/types';
import { packageRoot } from '../internal/paths';
import { checkInteger, checkPattern, checkThat } from '../internal/validate';
import { rollingDeployment } from './deployment';
import {
  DEFAULT_DEREGISTRATION_DELAY_SECONDS,
  DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_SHUTDOWN_GRACE_SECONDS,
  DEFAULT_STOP_TIMEOUT_SECONDS,
  KEEPALIVE_INTERVAL_SECONDS,
  streamingTimingProblems,
} from './streaming';
import { useTestedFeatureFlags } from '../internal/feature-flags';

const OWNER = 'McpService';

/** Task sizes and counts given directly, instead of through the capacity model. */
export interface McpServiceSizing {
  /** Task CPU in Fargate CPU units (256, 512, 1024, 2048, 4096, 8192, 16384). */
  readonly taskCpu: number;
  /** Task memory in MiB; a valid Fargate combination with taskCpu. */
  readonly taskMemoryMiB: number;
  /** Minimum running tasks (at least one per availability zone is recommended). */
  readonly minTasks: number;
  /** Maximum running tasks for autoscaling. */
  readonly maxTasks: number;
  /**
   * ALB requests per task per minute at which request-count scaling adds tasks.
   * @default no request-count scaling (CPU only)
   */
  readonly requestsPerTaskPerMinute?: number;
  /**
   * Target CPU utilisation, percent.
   * @default 60
   */
  readonly targetCpuUtilizationPercent?: number;
}

/**
 * Monitoring settings of an {@link McpService}: everything {@link McpMonitoringProps} takes except what the
 * service supplies itself (its name, load balancer, target group, ECS service, capacity plan, maximum task
 * count and public endpoint).
 */
export type McpServiceMonitoringOptions = Omit<
  McpMonitoringProps,
  | 'serviceName'
  | 'loadBalancer'
  | 'targetGroup'
  | 'service'
  | 'capacity'
  | 'minTaskCount'
  | 'maxTaskCount'
  | 'endpointUrl'
>;

/** Log-pipeline settings of an {@link McpService}: everything {@link McpLoggingProps} takes but the service name. */
export type McpServiceLoggingOptions = Omit<McpLoggingProps, 'serviceName'>;

/** Props for {@link McpService}. */
export interface McpServiceProps {
  /**
   * Name of the service: the `SERVICE_NAME` of the container, the `service` dimension of its metrics,
   * and part of resource names. Lowercase letters, digits and hyphens, 1–32 characters.
   * @default 'mcp-server'
   */
  readonly serviceName?: string;

  /**
   * The container image of the MCP server.
   * @default the reference server in this package's `service/` folder, as a Docker image asset
   * (synth stages the folder; building it needs Docker only at deploy time)
   */
  readonly image?: ecs.ContainerImage;

  /**
   * Port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;

  /**
   * An existing VPC. It needs public subnets (for the load balancer) and private subnets with egress
   * (for the tasks) in at least two availability zones.
   * @default a new VPC across `availabilityZones` with one NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Availability zones of the new VPC (ignored when `vpc` is given). Naming them keeps synth free of
   * context lookups when the stack has a concrete region.
   * @default the first `capacity.availabilityZones` (2) zones named `<region>a`, `<region>b`, … when the
   * region is known at synth time, else `Fn::GetAZs`
   */
  readonly availabilityZones?: string[];

  /**
   * ARN of an ACM certificate for the HTTPS listener. With it: HTTPS on 443 with `sslPolicy` and an
   * HTTP→HTTPS redirect on 80. Without it: HTTP on 80 only, and a synth warning.
   * @default no certificate (HTTP only, with a warning)
   */
  readonly certificateArn?: string;

  /**
   * The public DNS name clients use (covered by `certificateArn`), e.g. `mcp.example.com`. It forms
   * `endpointUrl`, which the synthetic probe calls. Point the name at the load balancer in your DNS.
   * @default the load balancer's own DNS name (without a certificate); with a certificate and no
   * domainName the probe is left out, since the certificate cannot cover the load balancer's name
   */
  readonly domainName?: string;

  /**
   * TLS policy of the HTTPS listener.
   * @default elbv2.SslPolicy.TLS13_12_PQ (TLS 1.3 and 1.2 with post-quantum key exchange)
   */
  readonly sslPolicy?: elbv2.SslPolicy;

  /**
   * Peak load and per-request cost; the capacity model turns them into task size, task counts and
   * scaling targets. Mutually exclusive with `sizing`.
   * @default a modest service: 50 requests/s at peak (12.5 off-peak), 100 ms mean, 1 s p99, 0.01 CPU-s and
   * 10 MiB per connection, room to double beyond plan (maxTasksFactor 2): 2 to 4 tasks of 1 vCPU
   */
  readonly capacity?: CapacityInput;

  /**
   * Task size and counts given directly instead of `capacity`.
   * @default derived from `capacity`
   */
  readonly sizing?: McpServiceSizing;

  /**
   * Extra environment variables for the container (non-secret configuration only).
   * @default none beyond those the construct sets (PORT, MCP_PATH, SERVICE_NAME, …)
   */
  readonly environment?: Record<string, string>;

  /**
   * Secrets for the container, injected by ECS from Secrets Manager or SSM Parameter Store.
   * @default none
   */
  readonly secrets?: Record<string, ecs.Secret>;

  /**
   * Path of the MCP endpoint.
   * @default '/mcp'
   */
  readonly mcpPath?: string;

  /**
   * Origins allowed to call the MCP endpoint from a browser (DNS-rebinding defence), passed to the
   * server as `ALLOWED_ORIGINS`.
   * @default none (only non-browser clients, which send no Origin)
   */
  readonly allowedOrigins?: string[];

  /**
   * CPU architecture of the tasks.
   * @default ecs.CpuArchitecture.ARM64 (Graviton: cheaper per request)
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * The user the container runs as. Must not be root.
   * @default '1000' (the `node` user of the official Node.js images)
   */
  readonly containerUser?: string;

  /**
   * Container health check (liveness).
   * @default GET http://127.0.0.1:<port>/health/live every 15 s, 3 retries, 30 s start period
   * (with `node` for the reference image, with `curl` or `wget` for other images)
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * Load-balancer idle timeout. Must be at least twice the server's SSE keep-alive interval (15 s).
   * @default Duration.seconds(120)
   */
  readonly idleTimeout?: Duration;

  /**
   * Target-group deregistration delay: how long a stopping task keeps its open connections.
   * @default Duration.seconds(60)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Container stop timeout (SIGTERM to SIGKILL). Must exceed the server's shutdown grace (20 s); at most 120 s.
   * @default Duration.seconds(30)
   */
  readonly stopTimeout?: Duration;

  /**
   * How long ECS ignores failing load-balancer health checks after a task starts.
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * Protect the load balancer from deletion.
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * Retention of the ALB access-log bucket's objects, in days.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;

  /**
   * Retention of the VPC flow logs (new VPC only).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Retention of the container's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the access-log bucket and log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Golden-signal monitoring ({@link McpMonitoring}): alarms from the performance baseline, dashboard,
   * alert topic, deployment alarms and the synthetic probe. `false` leaves it out (attach your own).
   * @default monitoring with the operations guide's baseline
   */
  readonly monitoring?: McpServiceMonitoringOptions | false;

  /**
   * The log pipeline and audit trail ({@link McpLogging}); the container logs through it. `false` gives a
   * plain CloudWatch log group with `logRetention` instead.
   * @default the log pipeline with its defaults
   */
  readonly logging?: McpServiceLoggingOptions | false;
}

/** Fills the capacity input the construct uses when neither `capacity` nor `sizing` is given. */
export const DEFAULT_CAPACITY_INPUT: CapacityInput = {
  peakRps: 50,
  meanLatencyMs: 100,
  p99LatencyMs: 1000,
  cpuSecondsPerRequest: 0.01,
  memoryPerConnectionMiB: 10,
  // Two tasks (one per zone) already carry this peak with headroom; the factor leaves autoscaling room above them.
  maxTasksFactor: 2,
};

/**
 * An MCP server on ECS Fargate behind an Application Load Balancer: streaming-aware timeouts, liveness
 * and readiness health checks, autoscaling sized by the capacity model, zero-downtime rolling deployments
 * with a circuit breaker, and only the load balancer able to reach the tasks.
 */
export class McpService extends Construct {
  /** The service name (metric dimension `service`). */
  public readonly serviceName: string;
  /** The VPC the service runs in. */
  public readonly vpc: ec2.IVpc;
  /** The ECS cluster. */
  public readonly cluster: ecs.Cluster;
  /** The Fargate task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The MCP server container. */
  public readonly container: ecs.ContainerDefinition;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The internet-facing load balancer. */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the tasks (HTTPS with a certificate, else HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Bucket of the load balancer's access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** The container's log group (the log pipeline's application log group when logging is on). */
  public readonly logGroup: logs.ILogGroup;
  /** The log pipeline, unless `logging: false`. */
  public readonly logging?: McpLogging;
  /** Golden-signal monitoring, unless `monitoring: false`. */
  public readonly monitoring?: McpMonitoring;
  /** The alert topic (monitoring's), for other constructs' alarms; undefined without monitoring. */
  public readonly alarmTopic?: sns.ITopic;
  /** Task size, counts and scaling targets in force. `plan` is set when they came from the capacity model. */
  public readonly sizing: Required<McpServiceSizing>;
  /** The capacity model's answer, when sizing came from it. */
  public readonly plan?: CapacityPlan;
  /** The public URL of the MCP endpoint (scheme and load-balancer DNS name, plus the path). */
  public readonly endpointUrl: string;
  /** The MCP endpoint path. */
  public readonly mcpPath: string;

  private readonly deploymentAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: McpServiceProps = {}) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const stack = Stack.of(this);

    // ---- validate props ---------------------------------------------------------------------------
    this.serviceName = props.serviceName ?? 'mcp-server';
    checkPattern(
      OWNER,
      'serviceName',
      this.serviceName,
      /^[a-z][a-z0-9-]{0,31}$/,
      'lowercase letters, digits and hyphens, starting with a letter, 1–32 characters',
    );
    this.mcpPath = props.mcpPath ?? '/mcp';
    checkPattern(OWNER, 'mcpPath', this.mcpPath, /^\/[A-Za-z0-9._~\-/]*$/, 'an absolute URL path such as /mcp');
    checkThat(
      OWNER,
      !this.mcpPath.startsWith('/health/'),
      `mcpPath must not be under /health/ (reserved for health checks), got "${this.mcpPath}"`,
    );
    const containerPort = props.containerPort ?? 8080;
    checkInteger(OWNER, 'containerPort', containerPort, 1024, 65535);
    const containerUser = props.containerUser ?? '1000';
    checkThat(OWNER, !/^(0|root)(:|$)/.test(containerUser), `containerUser must not be root, got "${containerUser}"`);
    checkThat(
      OWNER,
      !(props.capacity && props.sizing),
      'give either capacity (to size with the capacity model) or sizing (explicit sizes), not both',
    );
    if (props.certificateArn !== undefined && !Token.isUnresolved(props.certificateArn)) {
      checkPattern(
        OWNER,
        'certificateArn',
        props.certificateArn,
        // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition (aws, aws-cn, …)
        /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
        'an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)',
      );
    }
    checkInteger(OWNER, 'accessLogRetentionDays', props.accessLogRetentionDays, 1, 3650);
    for (const name of Object.keys(props.environment ?? {})) {
      checkPattern(OWNER, 'environment key', name, /^[A-Za-z_][A-Za-z0-9_]*$/, 'a valid environment variable name');
      checkThat(
        OWNER,
        !(name in (props.secrets ?? {})),
        `${name} is set both in environment and in secrets; keep it in one place`,
      );
    }

    const seconds = (d: Duration | undefined, fallback: number) => (d === undefined ? fallback : d.toSeconds());
    const timings = {
      idleTimeoutSeconds: seconds(props.idleTimeout, DEFAULT_IDLE_TIMEOUT_SECONDS),
      deregistrationDelaySeconds: seconds(props.deregistrationDelay, DEFAULT_DEREGISTRATION_DELAY_SECONDS),
      stopTimeoutSeconds: seconds(props.stopTimeout, DEFAULT_STOP_TIMEOUT_SECONDS),
      shutdownGraceSeconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
      keepAliveIntervalSeconds: KEEPALIVE_INTERVAL_SECONDS,
    };
    const timingProblems = streamingTimingProblems(timings);
    checkThat(OWNER, timingProblems.length === 0, timingProblems.join('; '));
    const healthCheckGraceSeconds = seconds(props.healthCheckGracePeriod, DEFAULT_HEALTH_CHECK_GRACE_SECONDS);
    checkInteger(OWNER, 'healthCheckGracePeriod (seconds)', healthCheckGraceSeconds, 0, 2147483647);

    // ---- size -------------------------------------------------------------------------------------
    if (props.sizing) {
      const s = props.sizing;
      checkInteger(OWNER, 'sizing.minTasks', s.minTasks, 1, 1000);
      checkInteger(OWNER, 'sizing.maxTasks', s.maxTasks, 1, 1000);
      checkThat(
        OWNER,
        s.maxTasks >= s.minTasks,
        `sizing.maxTasks (${s.maxTasks}) must be ≥ sizing.minTasks (${s.minTasks})`,
      );
      checkInteger(OWNER, 'sizing.requestsPerTaskPerMinute', s.requestsPerTaskPerMinute, 1, 1_000_000_000);
      checkInteger(OWNER, 'sizing.targetCpuUtilizationPercent', s.targetCpuUtilizationPercent, 10, 90);
      checkThat(
        OWNER,
        isValidFargateCpu(s.taskCpu),
        `sizing.taskCpu must be one of ${FARGATE_CPU_VALUES.join(', ')} (Fargate CPU units), got ${s.taskCpu}`,
      );
      checkThat(
        OWNER,
        isValidFargateSize(s.taskCpu, s.taskMemoryMiB),
        `sizing.taskMemoryMiB ${s.taskMemoryMiB} is not a Fargate size for taskCpu ${s.taskCpu}; allowed: ${describeFargateMemory(s.taskCpu)}`,
      );
      this.sizing = { requestsPerTaskPerMinute: 0, targetCpuUtilizationPercent: 60, ...s };
    } else {
      this.plan = CapacityModel.plan(props.capacity ?? DEFAULT_CAPACITY_INPUT);
      this.sizing = {
        taskCpu: this.plan.taskCpu,
        taskMemoryMiB: this.plan.taskMemoryMiB,
        minTasks: this.plan.minTasks,
        maxTasks: this.plan.maxTasks,
        requestsPerTaskPerMinute: this.plan.requestsPerTaskPerMinute,
        targetCpuUtilizationPercent: this.plan.targetCpuUtilizationPercent,
      };
    }
    const azCount = this.plan?.input.availabilityZones ?? 2;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // ---- network ----------------------------------------------------------------------------------
    if (props.vpc) {
      this.vpc = props.vpc;
    } else {
      const availabilityZones =
        props.availabilityZones ??
        (Token.isUnresolved(stack.region)
          ? undefined
          : 'abcdef'
              .slice(0, azCount)
              .split('')
              .map((z) => `${stack.region}${z}`));
      checkThat(
        OWNER,
        !availabilityZones || availabilityZones.length >= 2,
        `availabilityZones must name at least 2 zones for high availability, got ${JSON.stringify(availabilityZones)}`,
      );
      const vpc = new ec2.Vpc(this, 'Vpc', {
        ...(availabilityZones ? { availabilityZones } : { maxAzs: Math.max(2, azCount) }),
        // One NAT gateway per zone: losing a zone must not cut the other zones' egress.
        natGateways: availabilityZones?.length ?? Math.max(2, azCount),
        subnetConfiguration: [
          { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
          { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        ],
      });
      const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
        retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      });
      vpc.addFlowLog('FlowLog', {
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
        trafficType: ec2.FlowLogTrafficType.ALL,
      });
      this.vpc = vpc;
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });

    // ---- task -------------------------------------------------------------------------------------
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: this.sizing.taskCpu,
      memoryLimitMiB: this.sizing.taskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    // One alert topic for every alarm of the service: monitoring's, the log pipeline's, and (through
    // `alarmTopic`) the backup and recovery constructs'.
    if (props.monitoring !== false) {
      this.alarmTopic =
        props.monitoring?.alarmTopic ??
        new McpAlarmTopic(this, 'AlarmTopic', { displayName: `MCP alarms: ${this.serviceName}` }).topic;
    }
    let logDriver: ecs.LogDriver;
    if (props.logging !== false) {
      // The pipeline's alarms follow the monitoring's naming and runbook settings (one rule for every alarm).
      const monitoring = props.monitoring === false ? undefined : props.monitoring;
      this.logging = new McpLogging(this, 'Logging', {
        alarmTopic: this.alarmTopic,
        alarmNamePrefix: monitoring?.alarmNamePrefix,
        alarmTags: monitoring?.alarmTags,
        runbookBaseUrl: monitoring?.runbookBaseUrl,
        ...props.logging,
        serviceName: this.serviceName,
      });
      this.logGroup = this.logging.applicationLogGroup;
      logDriver = this.logging.logDriver();
    } else {
      this.logGroup = new logs.LogGroup(this, 'Logs', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy,
      });
      logDriver = ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: this.serviceName,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      });
    }

    const usesReferenceImage = props.image === undefined;
    const image =
      props.image ??
      ecs.ContainerImage.fromAsset(path.join(packageRoot(), 'service'), {
        platform:
          (props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64) === ecs.CpuArchitecture.X86_64
            ? ecrAssets.Platform.LINUX_AMD64
            : ecrAssets.Platform.LINUX_ARM64,
      });
    const liveUrl = `http://127.0.0.1:${containerPort}/health/live`;
    const healthCommand = usesReferenceImage
      ? ['CMD', 'node', '-e', `fetch('${liveUrl}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`]
      : ['CMD-SHELL', `curl -fsS ${liveUrl} >/dev/null || wget -q -O /dev/null ${liveUrl} || exit 1`];

    this.container = this.taskDefinition.addContainer('mcp', {
      containerName: 'mcp',
      image,
      user: containerUser,
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: [{ containerPort, protocol: ecs.Protocol.TCP, name: 'http' }],
      environment: {
        PORT: String(containerPort),
        MCP_PATH: this.mcpPath,
        SERVICE_NAME: this.serviceName,
        KEEPALIVE_INTERVAL_MS: String(KEEPALIVE_INTERVAL_SECONDS * 1000),
        SHUTDOWN_GRACE_MS: String(DEFAULT_SHUTDOWN_GRACE_SECONDS * 1000),
        ...(props.allowedOrigins?.length ? { ALLOWED_ORIGINS: props.allowedOrigins.join(',') } : {}),
        ...props.environment,
      },
      secrets: props.secrets,
      // SIGTERM → SIGKILL window; the server drains streams within SHUTDOWN_GRACE_MS, inside it.
      stopTimeout: Duration.seconds(timings.stopTimeoutSeconds),
      healthCheck: props.containerHealthCheck ?? {
        // Liveness only: a dependency outage must not make ECS replace every task.
        command: healthCommand,
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      logging: logDriver,
    });
    this.logging?.bindToTaskDefinition(this.taskDefinition, this.container);
    // The root filesystem is read-only; /tmp is a task-local scratch volume.
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });

    // ---- load balancer ----------------------------------------------------------------------------
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs can only be written to SSE-S3 buckets (not SSE-KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.accessLogRetentionDays ?? 90),
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the load balancer access logs; logging access to the access-log bucket itself would recurse without adding an audit trail the ALB logs lack.',
    });

    const albSecurityGroup = new ec2.SecurityGroup(this, 'LbSecurityGroup', {
      vpc: this.vpc,
      description: `${this.serviceName} load balancer: public listener only`,
      allowAllOutbound: false,
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Lb', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: albSecurityGroup,
      // SSE streams are quiet between events; the server's 15 s keep-alives keep them inside this.
      idleTimeout: Duration.seconds(timings.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
      http2Enabled: true,
    });
    this.loadBalancer.logAccessLogs(this.accessLogBucket, 'alb');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: this.sizing.minTasks,
      ...(() => {
        const d = rollingDeployment(this.sizing.minTasks);
        return { minHealthyPercent: d.minHealthyPercent, maxHealthyPercent: d.maxHealthyPercent };
      })(),
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(healthCheckGraceSeconds),
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      assignPublicIp: false,
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Targets', {
      vpc: this.vpc,
      port: containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      protocolVersion: elbv2.ApplicationProtocolVersion.HTTP1,
      targetType: elbv2.TargetType.IP,
      targets: [this.service.loadBalancerTarget({ containerName: 'mcp', containerPort })],
      // Readiness: a task whose database or cache is unreachable leaves the load balancer.
      healthCheck: {
        path: '/health/ready',
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      // Long enough for in-flight tool calls to finish; streams reconnect to another task.
      deregistrationDelay: Duration.seconds(timings.deregistrationDelaySeconds),
      // No stickiness: MCP clients rarely send cookies, and the server is stateless, so any task can
      // answer any request (stickiness stays at its default, off).
      loadBalancingAlgorithmType: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
    });

    if (props.certificateArn) {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromArn(props.certificateArn)],
        sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.TLS13_12_PQ,
        defaultTargetGroups: [this.targetGroup],
        open: true,
      });
      this.loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      });
    } else {
      Annotations.of(this).addWarningV2(
        'mcp-ops:noCertificate',
        // eslint-disable-next-line @cdklabs/no-literal-partition -- an example in a message, not an ARN
        `${this.serviceName}: no certificateArn given, so the load balancer listens on plain HTTP (port 80). MCP traffic, including bearer tokens, is unencrypted. Pass certificateArn (e.g. cdk deploy -c certificateArn=arn:aws:acm:...) for HTTPS.`,
      );
      this.listener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.targetGroup],
        open: true,
      });
    }
    // The load balancer may only talk to the tasks, on the container port.
    albSecurityGroup.connections.allowTo(this.service, ec2.Port.tcp(containerPort), 'to the MCP tasks');
    Validations.of(albSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The internet-facing load balancer is the public entry point of the MCP service; it accepts the listener ports from anywhere and nothing else.',
    });

    if (props.domainName !== undefined && !Token.isUnresolved(props.domainName)) {
      checkPattern(
        OWNER,
        'domainName',
        props.domainName,
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'a lowercase DNS name such as mcp.example.com',
      );
    }
    const scheme = props.certificateArn ? 'https' : 'http';
    this.endpointUrl = `${scheme}://${props.domainName ?? this.loadBalancer.loadBalancerDnsName}${this.mcpPath}`;
    const probeReachable = !props.certificateArn || props.domainName !== undefined;
    if (!probeReachable && props.monitoring !== false) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:noDomainName',
        `${this.serviceName}: certificateArn is set but domainName is not, so the synthetic probe is left out (the certificate cannot cover the load balancer's own DNS name). Set domainName to the name the certificate covers.`,
      );
    }

    // ---- autoscaling ------------------------------------------------------------------------------
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: this.sizing.minTasks,
      maxCapacity: this.sizing.maxTasks,
    });
    // Scale out fast (1 min), in slowly (5 min): adding a task costs little, removing one cuts streams.
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: this.sizing.targetCpuUtilizationPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.seconds(300),
    });
    if (this.sizing.requestsPerTaskPerMinute > 0) {
      scaling.scaleOnRequestCount('Requests', {
        requestsPerTarget: this.sizing.requestsPerTaskPerMinute,
        targetGroup: this.targetGroup,
        scaleOutCooldown: Duration.seconds(60),
        scaleInCooldown: Duration.seconds(300),
      });
    }
    // Known peaks (capacity.schedule): raise the minimum at each window's start and restore the baseline's at
    // its end. Both actions set both bounds, so a window never leaves the maximum below the minimum.
    // https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-policy-overview.html
    for (const s of this.plan?.scheduledMinimums ?? []) {
      const zone = s.window.timeZone === 'UTC' ? {} : { timeZone: TimeZone.of(s.window.timeZone) };
      scaling.scaleOnSchedule(`${s.window.name}Start`, {
        schedule: appscaling.Schedule.expression(`cron(${s.window.startCron})`),
        ...zone,
        minCapacity: s.minTasks,
        maxCapacity: this.sizing.maxTasks,
      });
      scaling.scaleOnSchedule(`${s.window.name}End`, {
        schedule: appscaling.Schedule.expression(`cron(${s.window.endCron})`),
        ...zone,
        minCapacity: this.sizing.minTasks,
        maxCapacity: this.sizing.maxTasks,
      });
    }

    // ---- monitoring -------------------------------------------------------------------------------
    if (props.monitoring !== false) {
      this.monitoring = new McpMonitoring(this, 'Monitoring', {
        ...props.monitoring,
        // Attached below through addDeploymentAlarms, so that callers can add their own as well.
        deploymentAlarms: false,
        alarmTopic: this.alarmTopic,
        serviceName: this.serviceName,
        loadBalancer: this.loadBalancer,
        targetGroup: this.targetGroup,
        service: this.service,
        capacity: this.plan,
        minTaskCount: this.sizing.minTasks,
        maxTaskCount: this.sizing.maxTasks,
        endpointUrl: probeReachable ? this.endpointUrl : undefined,
      });
      if (props.monitoring?.deploymentAlarms ?? true) this.addDeploymentAlarms(...this.monitoring.deploymentAlarmNames);
      // The log pipeline's metric filters and delivery alarms get their own dashboard row.
      if (this.logging) this.monitoring.addSegment(this.logging);
    }

    // ---- cdk-nag acknowledgements with reasons ---------------------------------------------------
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The execution role pulls the image from ECR: ecr:GetAuthorizationToken has no resource-level permissions, so its Resource must be *; the repository actions are scoped to the image repository.',
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'Only non-secret configuration (port, path, service name, timeouts, origins) is passed as environment variables; credentials are injected as ECS secrets.',
    });
  }

  /**
   * Attaches CloudWatch alarms to the service as deployment alarms: a deployment during which any of
   * them goes into ALARM is rolled back. Can be called several times; names accumulate.
   * The alarms must have names that do not depend on this service's attributes (or CloudFormation
   * sees a circular dependency).
   */
  public addDeploymentAlarms(...alarmNames: string[]): void {
    if (alarmNames.length === 0) return;
    const first = this.deploymentAlarmNames.length === 0;
    this.deploymentAlarmNames.push(...alarmNames);
    if (first) {
      this.service.enableDeploymentAlarms([...alarmNames], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
      // aws-cdk-lib keeps only the first call's names (a later call's concat result is discarded), so the
      // rendered list is overridden with every name added, resolved at synth time.
      (this.service.node.defaultChild as ecs.CfnService).addPropertyOverride(
        'DeploymentConfiguration.Alarms.AlarmNames',
        Lazy.list({ produce: () => [...this.deploymentAlarmNames] }),
      );
    }
  }
}
