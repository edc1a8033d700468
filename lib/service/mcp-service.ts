import * as path from 'path';
import {
  Annotations,
  CfnResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  TimeZone,
  Token,
  Validations,
} from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { describeFargateMemory, FARGATE_CPU_VALUES, isValidFargateCpu, isValidFargateSize } from '../capacity/fargate';
import { CapacityModel } from '../capacity/capacity-model';
import { acknowledgeCompliance } from '../internal/compliance';
import { ownLogGroupForRestrictDefaultSg } from '../internal/cdk-handlers';
import { stackLogKey } from '../internal/log-key';
import { McpLogging, McpLoggingOptions } from '../logging/mcp-logging';
import { McpAlarmTopic } from '../monitoring/alarm-topic';
import { McpMonitoring, McpMonitoringOptions } from '../monitoring/monitoring';
import { CapacityInput, CapacityPlan } from '../capacity/types';
import { packageRoot } from '../internal/paths';
import { checkThat, Problems, show } from '../internal/validate';
import { serviceNameProblem } from '../internal/service-name';
import { claimServiceName } from '../internal/service-claims';
import { deployTimeZones, withStackAvailabilityZones } from '../internal/zones';
import { originProblem } from './origins';
import { resolveZones, ZoneChoice } from './zones';
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
import { McpVpcEndpoints } from './vpc-endpoints';
import { McpAuth, McpAuthConfig } from '../security/auth';
import { McpAuthMonitoring } from '../security/auth-monitoring';
import { McpDomain } from '../security/domain';
import { createMcpListeners } from '../security/listeners';
import { decideExposure, ExposureDecision } from '../security/policy';
import { McpWebAcl, McpWebAclOptions } from '../security/web-acl';

const OWNER = 'McpService';

/** What McpService's validation resolved (internal). */
interface CheckedProps {
  readonly serviceName: string;
  readonly mcpPath: string;
  readonly containerPort: number;
  readonly containerUser: string;
  readonly timings: {
    readonly idleTimeoutSeconds: number;
    readonly deregistrationDelaySeconds: number;
    readonly stopTimeoutSeconds: number;
    readonly shutdownGraceSeconds: number;
    readonly keepAliveIntervalSeconds: number;
  };
  readonly healthCheckGraceSeconds: number;
  readonly sizing: McpResolvedServiceSizing;
  readonly plan?: CapacityPlan;
  /** The zones of the new VPC (none with a given vpc). */
  readonly zones?: ZoneChoice;
}

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

/** The task size, counts and scaling targets an {@link McpService} runs with: {@link McpServiceSizing} resolved. */
export interface McpResolvedServiceSizing {
  /** Task CPU in Fargate CPU units. */
  readonly taskCpu: number;
  /** Task memory in MiB. */
  readonly taskMemoryMiB: number;
  /** Minimum running tasks. */
  readonly minTasks: number;
  /** Maximum running tasks for autoscaling. */
  readonly maxTasks: number;
  /** ALB requests per task per minute at which request-count scaling adds tasks; 0 when there is none (CPU only). */
  readonly requestsPerTaskPerMinute: number;
  /** Target CPU utilisation, percent. */
  readonly targetCpuUtilizationPercent: number;
}

/**
 * Monitoring settings of an {@link McpService} (everything {@link McpMonitoringProps} takes except what the service
 * supplies itself), and whether to create it.
 */
export interface McpServiceMonitoringOptions extends McpMonitoringOptions {
  /**
   * Create the golden-signal monitoring; `false` leaves it out (attach your own).
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Web ACL settings of an {@link McpService} (everything {@link McpWebAclProps} takes except what the service
 * supplies: its name, load balancer, capacity peak and alarm settings), and whether to create it.
 */
export interface McpServiceWebAclOptions extends McpWebAclOptions {
  /**
   * Create the web ACL; `false` leaves it out.
   * @default true
   */
  readonly enabled?: boolean;
}

/**
 * Log-pipeline settings of an {@link McpService} (everything {@link McpLoggingProps} takes but the service name),
 * and whether to create it.
 */
export interface McpServiceLoggingOptions extends McpLoggingOptions {
  /**
   * Create the log pipeline; `false` gives a plain CloudWatch log group with `logRetention` instead.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props for {@link McpService}. */
export interface McpServiceProps {
  /**
   * Name of the service: the `SERVICE_NAME` of the container, the `service` dimension of its metrics,
   * and part of resource names. The package's one service-name rule, checked by every construct: 1–20
   * lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (the
   * disaster-recovery workflow names restored caches `<serviceName>-dr-<hash>`, and ElastiCache allows 40).
   * Unique per account and region: a second construct of the same kind with the same name is a synth error.
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
   * (for the tasks) in at least two availability zones. McpService never asks the stack for its zones; an
   * imported VPC (`ec2.Vpc.fromVpcAttributes`) keeps synth offline, while aws-cdk-lib's `new ec2.Vpc` with
   * named zones makes a zone lookup of its own in a stack with a fixed account and region (answer it once in
   * `cdk.context.json`).
   * @default a new VPC across `availabilityZones` with one NAT gateway per zone and flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Availability zones of the new VPC (ignored, with a warning, when `vpc` is given). Synthesis never asks
   * AWS for the stack's zones, named or not; naming them chooses which ones. Their number is the capacity
   * plan's `availabilityZones` when that is not set.
   * @default the first `capacity.availabilityZones` (2) of `<region>a`, `<region>b`, `<region>c` when the
   * region is known at synth time, else of `Fn::GetAZs` (resolved at deploy time). Every Region has at least
   * three zones; more than three must be named.
   */
  readonly availabilityZones?: string[];

  /**
   * VPC endpoints for the tasks' AWS API traffic instead of the NAT gateways: the S3 gateway endpoint and interface
   * endpoints for ECR (api, dkr), CloudWatch Logs, Secrets Manager and SSM in the tasks' subnets, admitting only
   * the tasks ({@link McpVpcEndpoints}). Ignored, with a synth warning, when `vpc` is given (the VPC's owner
   * decides its endpoints). `npm run capacity -- --vpc-endpoints true` shows their cost and break-even.
   * @default false
   */
  readonly vpcEndpoints?: boolean;

  /**
   * Let the tasks open any outbound connection. Off by default: the tasks may reach HTTPS (443: AWS APIs through
   * the NAT gateways or VPC endpoints, the token issuer's JWKS), and whatever is opened to them with
   * `connections` (the data tier's `allowFrom` opens the database and cache ports); DNS, the task metadata
   * endpoint and NTP at the VPC resolver are not filtered by security groups. Set it when the server's tools
   * call other ports or protocols.
   * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
   * @default false
   */
  readonly allowAllOutbound?: boolean;

  /**
   * ARN of an ACM certificate for the HTTPS listener. With it (or with `domainName` and a hosted zone): HTTPS on
   * 443 with `sslPolicy`, internet-facing. Without TLS the load balancer is internal (reachable from the VPC only).
   * @default no certificate, unless `domainName`, `hostedZoneId` and `hostedZoneName` create one
   */
  readonly certificateArn?: string;

  /**
   * The DNS name clients use, e.g. `mcp.example.com`. It forms `endpointUrl`, which the synthetic probe calls and
   * the authorization binds tokens to. With `hostedZoneId` and `hostedZoneName` the construct creates a
   * DNS-validated certificate (unless `certificateArn` is given) and the alias records; without a zone, point the
   * name at the load balancer in your DNS.
   * @default the load balancer's own DNS name (without a certificate); with a certificate and no
   * domainName the probe is left out, since the certificate cannot cover the load balancer's name
   */
  readonly domainName?: string;

  /**
   * Id of the Route 53 public hosted zone of `domainName` (no lookup), e.g. `Z0123456789ABCDEFGHIJ`.
   * @default none: no certificate or DNS records are created
   */
  readonly hostedZoneId?: string;

  /**
   * Name of the hosted zone of `hostedZoneId`, e.g. `example.com`; `domainName` must be inside it.
   * @default none
   */
  readonly hostedZoneName?: string;

  /**
   * Set identifier of a Route 53 failover pair: the alias records of `domainName` (in `hostedZoneId`) become its
   * PRIMARY, evaluating the load balancer's target health, so that a region-loss recovery can add the SECONDARY
   * (the recovery Region's load balancer) after its approval. Route 53 does not allow a simple record beside
   * failover records of the same name and type
   * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-configuring.html).
   * @default none: simple alias records
   */
  readonly dnsFailoverSetIdentifier?: string;

  /**
   * Who may reach an internal load balancer (no TLS, or `internetFacing: false`) on its listener ports, e.g. the
   * CIDRs of peered VPCs or a client's security group. Ignored when the load balancer is internet-facing.
   * @default the VPC's CIDR (a VPC imported with `ec2.Vpc.fromVpcAttributes` must then give `vpcCidrBlock`)
   */
  readonly internalClientPeers?: ec2.IPeer[];

  /**
   * Put the load balancer on the internet (public subnets). Without TLS an internet-facing load balancer is a synth
   * error unless `allowPlaintextInternetListener` acknowledges it.
   * @default true with TLS (a certificate), false without (internal: the VPC only)
   */
  readonly internetFacing?: boolean;

  /**
   * Acknowledge an internet-facing listener on plain HTTP: MCP traffic and bearer tokens cross the internet
   * unencrypted, and the load balancer cannot verify tokens (its JWT verification needs HTTPS).
   * @default false
   */
  readonly allowPlaintextInternetListener?: boolean;

  /**
   * With TLS, also listen on port 80 and redirect to HTTPS. Off by default: an API client that mistakenly calls
   * http:// would send its bearer token in plaintext before being redirected; without a listener it fails at once.
   * @default false
   */
  readonly httpRedirect?: boolean;

  /**
   * Who may call the MCP endpoint: `McpAuth.cognito()` (a user pool created for the service) or
   * `McpAuth.issuer({...})` (your own OAuth 2.1 issuer). With TLS the load balancer verifies access tokens
   * (issuer, expiry, audience, scopes) before they reach a task, and the server verifies them again; without TLS
   * the server's check is the only layer. The protected-resource metadata stays open.
   * @default no authorization (anonymous; a synth warning when the load balancer is internet-facing)
   */
  readonly auth?: McpAuth;

  /**
   * The WAFv2 web ACL of the load balancer ({@link McpWebAcl}): managed rule groups, body-size and rate rules from
   * the capacity plan, logs and alarms. `{ enabled: false }` leaves it out.
   * @default a web ACL with its defaults
   */
  readonly webAcl?: McpServiceWebAclOptions;

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
   * Age at which the ALB access-log bucket's objects expire: whole days, 1 to 3650.
   * @default Duration.days(90)
   */
  readonly accessLogRetention?: Duration;

  /**
   * Retention of the VPC flow logs (new VPC only).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly flowLogRetention?: logs.RetentionDays;

  /**
   * Retention of the log group of the VPC's one Lambda (new VPC only): aws-cdk-lib's handler that removes the rules
   * of the default security group, which McpService gives a log group of its own (KMS-encrypted).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly functionLogRetention?: logs.RetentionDays;

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
   * alert topic, deployment alarms and the synthetic probe. `{ enabled: false }` leaves it out (attach your own).
   * @default monitoring with the operations guide's baseline
   */
  readonly monitoring?: McpServiceMonitoringOptions;

  /**
   * The log pipeline and audit trail ({@link McpLogging}); the container logs through it. `{ enabled: false }`
   * gives a plain CloudWatch log group with `logRetention` instead.
   * @default the log pipeline with its defaults
   */
  readonly logging?: McpServiceLoggingOptions;
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
  /** The load balancer (internet-facing with TLS, else internal). */
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener that forwards to the tasks (HTTPS with a certificate, else HTTP). */
  public readonly listener: elbv2.ApplicationListener;
  /** The port-80 redirect to HTTPS, when `httpRedirect`. */
  public readonly redirectListener?: elbv2.ApplicationListener;
  /** Where the load balancer listens and who can reach it. */
  public readonly exposure: ExposureDecision;
  /** The certificate and DNS records, when `domainName` comes with a hosted zone. */
  public readonly domain?: McpDomain;
  /** The authorization in force (issuer, audience, scopes, what the load balancer checks), unless anonymous. */
  public readonly auth?: McpAuthConfig;
  /** True when the load balancer verifies access tokens (HTTPS with auth). */
  public readonly loadBalancerVerifiesTokens: boolean;
  /** The web ACL, unless `webAcl.enabled` is false. */
  public readonly webAcl?: McpWebAcl;
  /** Authentication-failure alarm and dashboard row, when auth is on and monitoring is. */
  public readonly authMonitoring?: McpAuthMonitoring;
  /** The target group of the tasks. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Bucket of the load balancer's access logs. */
  public readonly accessLogBucket: s3.Bucket;
  /** The container's log group (the log pipeline's application log group when logging is on). */
  public readonly logGroup: logs.ILogGroup;
  /** The log pipeline, unless `logging.enabled` is false. */
  public readonly logging?: McpLogging;
  /** Golden-signal monitoring, unless `monitoring.enabled` is false. */
  public readonly monitoring?: McpMonitoring;
  /** The alert topic (monitoring's), for other constructs' alarms; undefined without monitoring. */
  public readonly alarmTopic?: sns.ITopic;
  /** Task size, counts and scaling targets in force. `plan` is set when they came from the capacity model. */
  public readonly sizing: McpResolvedServiceSizing;
  /** The capacity model's answer, when sizing came from it. */
  public readonly plan?: CapacityPlan;
  /** The public URL of the MCP endpoint (scheme and load-balancer DNS name, plus the path). */
  public readonly endpointUrl: string;
  /** The MCP endpoint path. */
  public readonly mcpPath: string;
  /** The VPC endpoints, when `vpcEndpoints` created them (admit your VPC Lambdas with `allowFrom`). */
  public readonly vpcEndpoints?: McpVpcEndpoints;

  private readonly deploymentAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: McpServiceProps = {}) {
    super(scope, id);
    useTestedFeatureFlags(this);
    const checked = this.validate(props);
    this.serviceName = checked.serviceName;
    this.mcpPath = checked.mcpPath;
    this.sizing = checked.sizing;
    this.plan = checked.plan;
    this.exposure = this.decideExposure(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.vpc = props.vpc ?? this.newVpc(checked.zones!, props, removalPolicy);
    this.cluster = this.buildCluster();
    this.taskDefinition = this.buildTaskDefinition(props);
    if (props.monitoring?.enabled !== false) this.alarmTopic = this.buildAlarmTopic(props);
    if (props.logging?.enabled !== false) this.logging = this.buildLogging(props);
    this.logGroup = this.logging?.applicationLogGroup ?? this.buildLogGroup(props, removalPolicy);
    this.container = this.buildContainer(props, checked);
    this.bindTask();
    this.accessLogBucket = this.buildAccessLogBucket(props, removalPolicy);
    const lbSecurityGroup = this.buildLoadBalancerSecurityGroup();
    this.loadBalancer = this.buildLoadBalancer(props, checked, lbSecurityGroup);
    this.service = this.buildService(props, checked);
    this.vpcEndpoints = this.createVpcEndpoints(props);
    this.targetGroup = this.buildTargetGroup(checked);
    this.domain = this.createDomain(props);
    const baseUrl = this.baseUrl(props);
    this.endpointUrl = `${baseUrl}${this.mcpPath}`;
    this.auth = props.auth?.bind(this, { serviceName: this.serviceName, resourceUrl: this.endpointUrl, removalPolicy });
    const listeners = this.buildListeners(props);
    this.listener = listeners.listener;
    this.redirectListener = listeners.redirectListener;
    this.loadBalancerVerifiesTokens = listeners.verifiesTokens;
    this.domain?.addAliasRecords(this.loadBalancer);
    this.configureServerAuth(baseUrl, props);
    this.announceSecurityPosture();
    this.admitLoadBalancer(lbSecurityGroup, checked.containerPort);
    const probeReachable = this.probeReachable(props);
    this.buildAutoscaling();
    if (props.monitoring?.enabled !== false) {
      this.monitoring = this.buildMonitoring(props, probeReachable);
      this.connectMonitoring(props, this.monitoring);
    }
    this.webAcl = this.createWebAcl(props);
    this.authMonitoring = this.createAuthMonitoring(props);
    this.acknowledgeFindings();
  }

  /** The ECS cluster, with Container Insights (enhanced). */
  private buildCluster(): ecs.Cluster {
    return new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENHANCED,
    });
  }

  /** The Fargate task definition, sized by the capacity model (or `sizing`). */
  private buildTaskDefinition(props: McpServiceProps): ecs.FargateTaskDefinition {
    return new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: this.sizing.taskCpu,
      memoryLimitMiB: this.sizing.taskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: props.cpuArchitecture ?? ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
  }

  /** The service's alert topic: the given one or a new `AlarmTopic`. */
  private buildAlarmTopic(props: McpServiceProps): sns.ITopic {
    // One alert topic for every alarm of the service: monitoring's, the log pipeline's, and (through
    // `alarmTopic`) the backup and recovery constructs'.
    return (
      props.monitoring?.alarmTopic ??
      new McpAlarmTopic(this, 'AlarmTopic', { displayName: `MCP alarms: ${this.serviceName}` }).topic
    );
  }

  /** The log pipeline and audit trail (`McpLogging`) of the service. */
  private buildLogging(props: McpServiceProps): McpLogging {
    // The pipeline's alarms follow the monitoring's naming and runbook settings (one rule for every alarm).
    const monitoring = props.monitoring?.enabled === false ? undefined : props.monitoring;
    return new McpLogging(this, 'Logging', {
      alarmTopic: this.alarmTopic,
      alarmNamePrefix: monitoring?.alarmNamePrefix,
      alarmTags: monitoring?.alarmTags,
      runbookBaseUrl: monitoring?.runbookBaseUrl,
      ...props.logging,
      serviceName: this.serviceName,
    });
  }

  /** Without the log pipeline: a plain log group `Logs` for the container. */
  private buildLogGroup(props: McpServiceProps, removalPolicy: RemovalPolicy): logs.LogGroup {
    return new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // Like every log group the package creates (the compliance packs' CloudWatchLogGroupEncrypted); the tasks
      // need no KMS permission, CloudWatch Logs encrypts with the key its policy admits it to.
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
      encryptionKey: stackLogKey(this),
      removalPolicy,
    });
  }

  /** The MCP container: image (the reference server by default), environment, liveness check, log driver. */
  private buildContainer(props: McpServiceProps, checked: CheckedProps): ecs.ContainerDefinition {
    const { containerPort, containerUser, timings } = checked;
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

    return this.taskDefinition.addContainer('mcp', {
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
      logging: this.logDriver(),
    });
  }

  /** The container's log driver: the pipeline's (see `McpLogging.logDriver`), else awslogs into `logGroup`. */
  private logDriver(): ecs.LogDriver {
    return (
      this.logging?.logDriver() ??
      ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: this.serviceName,
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      })
    );
  }

  /** The pipeline's denies on the task role, and the /tmp scratch volume. */
  private bindTask(): void {
    this.logging?.bindToTaskDefinition(this.taskDefinition, this.container);
    // The root filesystem is read-only; /tmp is a task-local scratch volume.
    this.taskDefinition.addVolume({ name: 'tmp' });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
  }

  /** The bucket of the load balancer's access logs (SSE-S3, the only encryption ALB access logs support). */
  private buildAccessLogBucket(props: McpServiceProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs can only be written to SSE-S3 buckets (not SSE-KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: props.accessLogRetention ?? Duration.days(90),
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket receives the load balancer access logs; logging access to the access-log bucket itself would recurse without adding an audit trail the ALB logs lack.',
    });
    acknowledgeCompliance(bucket, {
      S3BucketLoggingEnabled:
        'This bucket receives the load balancer access logs; logging access to the access-log bucket itself would recurse without adding an audit trail the ALB logs lack.',
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
      S3DefaultEncryptionKMS:
        'The load balancer writes its access logs only to buckets encrypted with SSE-S3 (Amazon S3 managed keys); SSE-KMS is not supported for ALB access logs.',
      S3BucketReplicationEnabled:
        'Access logs of the load balancer in this Region, kept 90 days by default (accessLogRetention): an operational record, versioned, not a copy worth a second Region.',
    });
    return bucket;
  }

  /** The load balancer's security group: no outbound rule until the tasks are admitted. */
  private buildLoadBalancerSecurityGroup(): ec2.SecurityGroup {
    return new ec2.SecurityGroup(this, 'LbSecurityGroup', {
      vpc: this.vpc,
      description: `${this.serviceName} load balancer: ${this.exposure.internetFacing ? 'public' : 'VPC'} listener only`,
      allowAllOutbound: false,
    });
  }

  /** The application load balancer (internet-facing or internal, per the exposure), logging to the access-log bucket. */
  private buildLoadBalancer(
    props: McpServiceProps,
    { timings }: CheckedProps,
    securityGroup: ec2.SecurityGroup,
  ): elbv2.ApplicationLoadBalancer {
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Lb', {
      vpc: this.vpc,
      internetFacing: this.exposure.internetFacing,
      vpcSubnets: {
        subnetType: this.exposure.internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS,
      },
      securityGroup,
      // SSE streams are quiet between events; the server's 15 s keep-alives keep them inside this.
      idleTimeout: Duration.seconds(timings.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection ?? true,
      http2Enabled: true,
    });
    if (props.deletionProtection === false)
      acknowledgeCompliance(loadBalancer, {
        ELBDeletionProtectionEnabled:
          'Deletion protection switched off explicitly by the deletionProtection prop (the default app: -c deletionProtection=false), e.g. for a test stack that must be deletable.',
      });
    this.logAccessLogs(loadBalancer, this.accessLogBucket, 'alb');
    return loadBalancer;
  }

  /** The Fargate service with its own security group (HTTPS and the data tier outbound unless `allowAllOutbound`). */
  private buildService(props: McpServiceProps, { healthCheckGraceSeconds }: CheckedProps): ecs.FargateService {
    const taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: `${this.serviceName} tasks: ${props.allowAllOutbound ? 'any' : 'HTTPS and the data tier'} outbound`,
      allowAllOutbound: props.allowAllOutbound ?? false,
    });
    if (!props.allowAllOutbound)
      taskSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS: AWS APIs and the token issuer');
    return new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      securityGroups: [taskSecurityGroup],
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
  }

  /** The target group of the tasks: readiness health check, least outstanding requests, no stickiness. */
  private buildTargetGroup({ containerPort, timings }: CheckedProps): elbv2.ApplicationTargetGroup {
    return new elbv2.ApplicationTargetGroup(this, 'Targets', {
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
  }

  /** `<scheme>://<host>` of the endpoint: https with TLS, the domain name or the load balancer's DNS name. */
  private baseUrl(props: McpServiceProps): string {
    const scheme = this.exposure.tls ? 'https' : 'http';
    const host = props.domainName ?? this.loadBalancer.loadBalancerDnsName;
    return `${scheme}://${host}`;
  }

  /** The listeners (see `createMcpListeners`): HTTPS or HTTP, token verification, optional redirect. */
  private buildListeners(props: McpServiceProps): ReturnType<typeof createMcpListeners> {
    return createMcpListeners({
      loadBalancer: this.loadBalancer,
      targetGroup: this.targetGroup,
      exposure: this.exposure,
      certificate: this.certificateFor(props),
      sslPolicy: props.sslPolicy ?? elbv2.SslPolicy.TLS13_12_PQ,
      auth: this.auth,
      forwardPreflight: (props.allowedOrigins ?? []).length > 0,
      httpRedirect: props.httpRedirect ?? false,
      vpc: this.vpc,
      internalClientPeers: props.internalClientPeers,
    });
  }

  /** The load balancer talks to the tasks only; its acknowledgements say why its ingress is what it is. */
  private admitLoadBalancer(securityGroup: ec2.SecurityGroup, containerPort: number): void {
    // The load balancer may only talk to the tasks, on the container port.
    securityGroup.connections.allowTo(this.service, ec2.Port.tcp(containerPort), 'to the MCP tasks');
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: this.exposure.internetFacing
        ? 'The internet-facing load balancer is the public entry point of the MCP service; it accepts the listener ports from anywhere and nothing else.'
        : "The internal load balancer accepts its listener port from the VPC's own CIDR (an intrinsic the rule cannot read) and from the probe's security group, not from 0.0.0.0/0.",
    });
    if (!this.exposure.internetFacing) {
      const reason = `The internal load balancer admits only its listener port (${this.exposure.port}) from the VPC's own CIDR, an intrinsic the rule cannot evaluate; never SSH or other ports.`;
      acknowledgeCompliance(securityGroup, { EC2RestrictedCommonPorts: reason, EC2RestrictedSSH: reason });
    }
  }

  /** Whether the synthetic probe can reach the endpoint (it needs credentials and a name the certificate covers); warns when not. */
  private probeReachable(props: McpServiceProps): boolean {
    let probeReachable = !this.exposure.tls || props.domainName !== undefined;
    if (this.auth && !this.auth.probe && props.monitoring?.enabled !== false) {
      probeReachable = false;
      Annotations.of(this).addWarningV2(
        'mcp-ops:noProbeCredentials',
        `${this.serviceName}: the endpoint requires a bearer token but the auth settings give the probe no client credentials (tokenUrl, probeClientId, probeClientSecret), so the synthetic probe is left out.`,
      );
    } else if (!probeReachable && props.monitoring?.enabled !== false) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:noDomainName',
        `${this.serviceName}: certificateArn is set but domainName is not, so the synthetic probe is left out (the certificate cannot cover the load balancer's own DNS name). Set domainName to the name the certificate covers.`,
      );
    }
    return probeReachable;
  }

  /** Autoscaling: target tracking on CPU (and requests per task), scheduled minimums for known peaks. */
  private buildAutoscaling(): void {
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
  }

  /** The golden-signal alarms, dashboard and synthetic probe (`McpMonitoring`). */
  private buildMonitoring(props: McpServiceProps, probeReachable: boolean): McpMonitoring {
    return new McpMonitoring(this, 'Monitoring', {
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
      probeAuth: this.auth?.probe,
      // An internal load balancer is reachable from the VPC only: the probe runs there.
      probeVpc: this.exposure.internetFacing ? undefined : this.vpc,
    });
  }

  /** The probe admitted to an internal load balancer, the deployment alarms, the log pipeline's dashboard row. */
  private connectMonitoring(props: McpServiceProps, monitoring: McpMonitoring): void {
    this.admitProbe();
    if (props.monitoring?.deploymentAlarms ?? true) this.addDeploymentAlarms(...monitoring.deploymentAlarmNames);
    // The log pipeline's metric filters and delivery alarms get their own dashboard row.
    if (this.logging) monitoring.addSegment(this.logging);
  }

  /** The cdk-nag acknowledgements of the task's roles and definition, with reasons. */
  private acknowledgeFindings(): void {
    acknowledgeCompliance(this.taskDefinition.obtainExecutionRole(), {
      IAMNoInlinePolicy:
        "The task execution role's policy (aws-cdk-lib grants): pull of the service image, writes to its log destination and reads of the container secrets, attached to this one role",
    });
    acknowledgeCompliance(this.taskDefinition.taskRole, {
      IAMNoInlinePolicy:
        "The task role's policy (aws-cdk-lib grants): what the MCP server itself calls, attached to this one role and deleted with it",
    });
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

  /** The VPC endpoints of a new VPC (`vpcEndpoints`), admitting the tasks; a warning when the VPC was given. */
  private createVpcEndpoints(props: McpServiceProps): McpVpcEndpoints | undefined {
    if (!props.vpcEndpoints) return undefined;
    if (props.vpc) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:vpcEndpointsIgnored',
        `${this.serviceName}: vpcEndpoints is ignored because vpc is given; the VPC's owner decides its endpoints (McpVpcEndpoints creates the same set in any VPC).`,
      );
      return undefined;
    }
    const endpoints = new McpVpcEndpoints(this, 'VpcEndpoints', { vpc: this.vpc });
    endpoints.allowFrom(this.service);
    return endpoints;
  }

  /** Internet-facing only with TLS; without TLS internal, unless a plaintext internet listener is acknowledged. */
  private decideExposure(props: McpServiceProps): ExposureDecision {
    const zoneParts = [props.hostedZoneId, props.hostedZoneName].filter((x) => x !== undefined).length;
    checkThat(OWNER, zoneParts !== 1, 'give hostedZoneId and hostedZoneName together (the zone is not looked up)');
    checkThat(
      OWNER,
      zoneParts === 0 || props.domainName !== undefined,
      'hostedZoneId and hostedZoneName need domainName (the name the certificate and the alias record are for)',
    );
    try {
      return decideExposure({
        tls: props.certificateArn !== undefined || zoneParts === 2,
        internetFacing: props.internetFacing,
        allowPlaintextInternetListener: props.allowPlaintextInternetListener ?? false,
      });
    } catch (err) {
      throw new Error(`${OWNER}: ${(err as Error).message}`);
    }
  }

  /** A DNS-validated certificate and alias records when domainName comes with its hosted zone. */
  private createDomain(props: McpServiceProps): McpDomain | undefined {
    if (props.hostedZoneId === undefined || props.hostedZoneName === undefined || props.domainName === undefined)
      return undefined;
    return new McpDomain(this, 'Domain', {
      domainName: props.domainName,
      hostedZoneId: props.hostedZoneId,
      hostedZoneName: props.hostedZoneName,
      ...(props.dnsFailoverSetIdentifier ? { failoverSetIdentifier: props.dnsFailoverSetIdentifier } : {}),
    });
  }

  /** The HTTPS listener's certificate: the given ARN, else the one created for domainName. */
  private certificateFor(props: McpServiceProps): elbv2.IListenerCertificate | undefined {
    if (props.certificateArn) return elbv2.ListenerCertificate.fromArn(props.certificateArn);
    return this.domain ? elbv2.ListenerCertificate.fromCertificateManager(this.domain.certificate) : undefined;
  }

  /** The server verifies tokens too (and serves the RFC 9728 metadata of `RESOURCE_URL`). */
  private configureServerAuth(baseUrl: string, props: McpServiceProps): void {
    if (!this.auth) return;
    const own = { ...props.environment, ...props.secrets };
    const env: Record<string, string> = { ...this.auth.serverEnvironment, RESOURCE_URL: baseUrl };
    for (const [name, value] of Object.entries(env)) {
      // A value the caller set explicitly wins.
      if (!(name in own)) this.container.addEnvironment(name, value);
    }
  }

  /** One line per weaker-than-default posture, so the synth output says what an endpoint exposes. */
  private announceSecurityPosture(): void {
    const exposure = this.exposure;
    if (exposure.warn)
      Annotations.of(this).addWarningV2(
        'mcp-ops:plaintextInternetListener',
        `${this.serviceName}: ${exposure.summary}`,
      );
    else Annotations.of(this).addInfo(`${this.serviceName}: ${exposure.summary}`);
    if (this.auth && !this.loadBalancerVerifiesTokens) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:serverOnlyTokenCheck',
        `${this.serviceName}: without TLS the load balancer cannot verify access tokens (its JWT verification needs HTTPS); the server's check is the only layer, and tokens cross the ${exposure.internetFacing ? 'internet' : 'VPC'} unencrypted.`,
      );
    }
    if (!this.auth && exposure.internetFacing) {
      Annotations.of(this).addWarningV2(
        'mcp-ops:anonymousEndpoint',
        `${this.serviceName}: the internet-facing MCP endpoint has no authorization (auth is not set): anyone on the internet can call its tools. Pass auth: McpAuth.cognito() or McpAuth.issuer({...}).`,
      );
    }
  }

  /** Inside the VPC, the probe reaches the internal load balancer on the listener port. */
  private admitProbe(): void {
    const probe = this.monitoring?.probeFunction;
    if (!probe || this.exposure.internetFacing) return;
    this.loadBalancer.connections.allowFrom(probe, ec2.Port.tcp(this.exposure.port), 'the synthetic MCP probe');
  }

  /** The web ACL on the load balancer, its logs in the log pipeline's key, its alarms on the service's topic. */
  private createWebAcl(props: McpServiceProps): McpWebAcl | undefined {
    if (props.webAcl?.enabled === false) {
      acknowledgeCompliance(this.loadBalancer, {
        ALBWAFEnabled:
          'No web ACL: switched off explicitly by webAcl: { enabled: false } (the default app: -c waf=false), e.g. where a web ACL or firewall of the account fronts the load balancer; the endpoint still requires its authorization (McpAuth).',
      });
      return undefined;
    }
    const monitoring = props.monitoring?.enabled === false ? undefined : props.monitoring;
    const webAcl = new McpWebAcl(this, 'WebAcl', {
      logEncryptionKey: this.logging?.encryptionKey,
      removalPolicy: props.removalPolicy,
      ...props.webAcl,
      serviceName: this.serviceName,
      loadBalancer: this.loadBalancer,
      peakRps: this.plan?.input.peakRps,
      alarmTopic: this.alarmTopic,
      alarmNamePrefix: monitoring?.alarmNamePrefix,
      alarmTags: monitoring?.alarmTags,
      runbookBaseUrl: monitoring?.runbookBaseUrl,
      // monitoring.enabled false leaves every alarm to the caller.
      alarms: props.monitoring?.enabled !== false,
    });
    this.monitoring?.addSegment(webAcl);
    return webAcl;
  }

  /** The authentication-failure alarm and dashboard row, when the endpoint requires a token. */
  private createAuthMonitoring(props: McpServiceProps): McpAuthMonitoring | undefined {
    if (!this.auth || props.monitoring?.enabled === false) return undefined;
    const monitoring = props.monitoring;
    const authMonitoring = new McpAuthMonitoring(this, 'AuthMonitoring', {
      serviceName: this.serviceName,
      loadBalancer: this.loadBalancer,
      webAcl: this.webAcl,
      peakRps: this.plan?.input.peakRps,
      alarmTopic: this.alarmTopic,
      alarmNamePrefix: monitoring?.alarmNamePrefix,
      alarmTags: monitoring?.alarmTags,
      runbookBaseUrl: monitoring?.runbookBaseUrl,
    });
    this.monitoring?.addSegment(authMonitoring);
    return authMonitoring;
  }

  /**
   * Checks every prop (the service name first), collects the problems and throws them once; warns about
   * settings another setting makes ineffective. Returns the resolved values the constructor builds from.
   */
  private validate(props: McpServiceProps): CheckedProps {
    const stack = Stack.of(this);
    const problems = new Problems(OWNER, this.node.path);
    const serviceName = props.serviceName ?? 'mcp-server';
    const nameProblem = serviceNameProblem(serviceName);
    problems.add(nameProblem);
    if (!nameProblem) problems.add(claimServiceName(this, OWNER, serviceName));
    // Before jsii (issue 16) these props also took `false`; JavaScript callers may still pass it.
    for (const prop of ['monitoring', 'logging', 'webAcl'] as const)
      problems.check(
        (props[prop] as unknown) !== false,
        `${prop} must be an options object; to leave it out give ${prop}: { enabled: false }, got false`,
      );

    const mcpPath = props.mcpPath ?? '/mcp';
    if (problems.pattern('mcpPath', mcpPath, /^\/[A-Za-z0-9._~\-/]*$/, 'an absolute URL path such as /mcp'))
      problems.check(
        !mcpPath.startsWith('/health/'),
        `mcpPath must not be under /health/ (reserved for health checks), got "${mcpPath}"`,
      );
    const containerPort = props.containerPort ?? 8080;
    problems.integer('containerPort', containerPort, 1024, 65535);
    const containerUser = props.containerUser ?? '1000';
    problems.check(
      typeof containerUser === 'string' && containerUser.length > 0 && !/^(0|root)(:|$)/.test(containerUser),
      `containerUser must be a non-root user (name or uid), got ${show(containerUser)}`,
    );
    problems.check(
      !(props.capacity && props.sizing),
      'give either capacity (to size with the capacity model) or sizing (explicit sizes), not both',
    );
    this.checkCertificate(problems, props.certificateArn, stack);
    if (props.domainName !== undefined && !Token.isUnresolved(props.domainName))
      problems.pattern(
        'domainName',
        props.domainName,
        /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
        'a lowercase DNS name such as mcp.example.com',
      );
    problems.integer('accessLogRetention (days)', props.accessLogRetention?.toDays({ integral: false }), 1, 3650);
    problems.replaced(props, { accessLogRetentionDays: 'accessLogRetention (a Duration: Duration.days(n))' });
    this.checkEnvironment(problems, props);
    for (const [i, origin] of (props.allowedOrigins ?? []).entries())
      problems.add(originProblem(`allowedOrigins[${i}]`, origin));

    // Durations: whole seconds, as the load balancer, the target group and ECS take them.
    const seconds = (prop: string, d: Duration | undefined, fallback: number): number => {
      if (d === undefined) return fallback;
      const s = d.toSeconds({ integral: false });
      problems.check(
        Number.isInteger(s),
        `${prop} must be a whole number of seconds (AWS takes seconds), got ${d.toHumanString()}`,
      );
      return Math.round(s);
    };
    const timings = {
      idleTimeoutSeconds: seconds('idleTimeout', props.idleTimeout, DEFAULT_IDLE_TIMEOUT_SECONDS),
      deregistrationDelaySeconds: seconds(
        'deregistrationDelay',
        props.deregistrationDelay,
        DEFAULT_DEREGISTRATION_DELAY_SECONDS,
      ),
      stopTimeoutSeconds: seconds('stopTimeout', props.stopTimeout, DEFAULT_STOP_TIMEOUT_SECONDS),
      shutdownGraceSeconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
      keepAliveIntervalSeconds: KEEPALIVE_INTERVAL_SECONDS,
    };
    for (const p of streamingTimingProblems(timings)) problems.add(p);
    const healthCheckGraceSeconds = seconds(
      'healthCheckGracePeriod',
      props.healthCheckGracePeriod,
      DEFAULT_HEALTH_CHECK_GRACE_SECONDS,
    );
    problems.integer('healthCheckGracePeriod (seconds)', healthCheckGraceSeconds, 0, 2147483647);

    // Zones: the capacity plan spreads the tasks over the zones the service really has.
    const vpcZones =
      props.vpc && !props.vpc.availabilityZones.some((z) => Token.isUnresolved(z))
        ? props.vpc.availabilityZones
        : undefined;
    const zoneCount = props.vpc ? vpcZones?.length : props.availabilityZones?.length;
    const plannedZones = props.capacity?.availabilityZones;
    if (plannedZones !== undefined && zoneCount !== undefined) {
      problems.check(
        props.vpc ? plannedZones <= zoneCount : plannedZones === zoneCount,
        props.vpc
          ? `capacity.availabilityZones (${plannedZones}) must not exceed the ${zoneCount} zones of the vpc given (${vpcZones!.join(', ')})`
          : `capacity.availabilityZones (${plannedZones}) must equal the number of zones named in availabilityZones (${zoneCount})`,
      );
    }
    if (vpcZones !== undefined)
      problems.check(
        vpcZones.length >= 2,
        `vpc must span at least 2 availability zones (the load balancer needs two), got ${JSON.stringify(vpcZones)}`,
      );

    let sizing: McpResolvedServiceSizing | undefined;
    let plan: CapacityPlan | undefined;
    if (props.sizing) {
      sizing = this.checkSizing(problems, props.sizing);
    } else {
      const input = props.capacity ?? DEFAULT_CAPACITY_INPUT;
      plan = problems.capture(() =>
        CapacityModel.plan(
          input.availabilityZones === undefined && zoneCount !== undefined && zoneCount >= 2
            ? { ...input, availabilityZones: Math.min(zoneCount, 6) }
            : input,
        ),
      );
      if (plan)
        sizing = {
          taskCpu: plan.taskCpu,
          taskMemoryMiB: plan.taskMemoryMiB,
          minTasks: plan.minTasks,
          maxTasks: plan.maxTasks,
          requestsPerTaskPerMinute: plan.requestsPerTaskPerMinute,
          targetCpuUtilizationPercent: plan.targetCpuUtilizationPercent,
        };
    }
    let zones: ZoneChoice | undefined;
    if (!props.vpc) {
      const resolved = resolveZones({
        region: Token.isUnresolved(stack.region) ? undefined : stack.region,
        named: props.availabilityZones,
        count: plan?.input.availabilityZones ?? 2,
      });
      for (const p of resolved.problems) problems.add(p);
      zones = resolved.choice;
    }
    problems.throwIfAny();

    this.warnIgnored(props);
    // The capacity model's own warnings (a p99 burst beyond the minimum fleet, implausible inputs) at synth.
    for (const line of plan?.explanation ?? [])
      if (line.startsWith('Warning:'))
        Annotations.of(this).addWarningV2('mcp-ops:capacityPlan', `${OWNER} ${serviceName}: capacity plan: ${line}`);
    return {
      serviceName,
      mcpPath,
      containerPort,
      containerUser,
      timings,
      healthCheckGraceSeconds,
      sizing: sizing!,
      plan,
      zones,
    };
  }

  /** certificateArn: the shape of an ACM certificate ARN, in the stack's region and account when both are known. */
  private checkCertificate(problems: Problems, arn: string | undefined, stack: Stack): void {
    if (arn === undefined || Token.isUnresolved(arn)) return;
    const ok = problems.pattern(
      'certificateArn',
      arn,
      // eslint-disable-next-line @cdklabs/no-literal-partition -- a pattern accepting every partition (aws, aws-cn, …)
      /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
      'an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<id>)',
    );
    if (!ok) return;
    // A load balancer can use only ACM certificates of its own account and region.
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/https-listener-certificates.html
    const [, , , region, account] = arn.split(':');
    if (!Token.isUnresolved(stack.region))
      problems.check(
        region === stack.region,
        `certificateArn must be a certificate in the stack's region ${stack.region} (the load balancer can only use certificates of its own region), got one in ${region}: ${arn}`,
      );
    if (!Token.isUnresolved(stack.account))
      problems.check(
        account === stack.account,
        `certificateArn must be a certificate of the stack's account ${stack.account}, got one of account ${account}: ${arn}`,
      );
  }

  /**
   * environment and secrets: valid names, each in one place, none overriding what the construct sets itself
   * (PORT must stay the port the target group health-checks).
   */
  private checkEnvironment(problems: Problems, props: McpServiceProps): void {
    const owned: Record<string, string> = {
      PORT: 'containerPort (the target group sends traffic and health checks to that port)',
      MCP_PATH: 'mcpPath',
      SERVICE_NAME: 'serviceName',
      ALLOWED_ORIGINS: 'allowedOrigins',
      KEEPALIVE_INTERVAL_MS: 'nothing: it is derived from the load balancer idle timeout',
      SHUTDOWN_GRACE_MS: 'nothing: it is derived from stopTimeout and the deregistration delay',
    };
    const secrets = props.secrets ?? {};
    for (const [where, names] of [
      ['environment', Object.keys(props.environment ?? {})],
      ['secrets', Object.keys(secrets)],
    ] as const) {
      for (const name of names) {
        problems.pattern(
          `${where} key`,
          name,
          /^[A-Za-z_][A-Za-z0-9_]*$/,
          'a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)',
        );
        if (owned[name])
          problems.add(`${where}.${name} would override a variable McpService sets itself; set ${owned[name]} instead`);
      }
    }
    for (const name of Object.keys(props.environment ?? {})) {
      problems.check(!(name in secrets), `${name} is set both in environment and in secrets; keep it in one place`);
      const value = props.environment![name];
      problems.check(
        typeof value === 'string',
        `environment.${name} must be a string (ECS passes strings), got ${show(value)}`,
      );
    }
  }

  /** sizing: Fargate sizes and task counts. */
  private checkSizing(problems: Problems, s: McpServiceSizing): McpResolvedServiceSizing {
    problems.integer('sizing.minTasks', s.minTasks, 1, 1000);
    problems.integer('sizing.maxTasks', s.maxTasks, 1, 1000);
    problems.check(
      !(s.maxTasks < s.minTasks),
      `sizing.maxTasks (${s.maxTasks}) must be ≥ sizing.minTasks (${s.minTasks})`,
    );
    problems.integer('sizing.requestsPerTaskPerMinute', s.requestsPerTaskPerMinute, 1, 1_000_000_000);
    problems.integer('sizing.targetCpuUtilizationPercent', s.targetCpuUtilizationPercent, 10, 90);
    if (
      problems.check(
        isValidFargateCpu(s.taskCpu),
        `sizing.taskCpu must be one of ${FARGATE_CPU_VALUES.join(', ')} (Fargate CPU units), got ${show(s.taskCpu)}`,
      )
    )
      problems.check(
        isValidFargateSize(s.taskCpu, s.taskMemoryMiB),
        `sizing.taskMemoryMiB ${show(s.taskMemoryMiB)} is not a Fargate size for taskCpu ${s.taskCpu}; allowed: ${describeFargateMemory(s.taskCpu)}`,
      );
    return { requestsPerTaskPerMinute: 0, targetCpuUtilizationPercent: 60, ...s };
  }

  /** Warns about settings that another setting makes ineffective (they would otherwise be dropped silently). */
  private warnIgnored(props: McpServiceProps): void {
    const ignored: Array<[boolean, string]> = [
      [props.vpc !== undefined && props.availabilityZones !== undefined, 'availabilityZones is ignored: vpc is given'],
      [props.vpc !== undefined && props.flowLogRetention !== undefined, 'flowLogRetention is ignored: vpc is given'],
      [
        props.vpc !== undefined && props.functionLogRetention !== undefined,
        "functionLogRetention is ignored: vpc is given (the VPC's default-security-group handler is not McpService's)",
      ],
      [
        props.logging?.enabled !== false && props.logRetention !== undefined,
        'logRetention is ignored: the log pipeline (logging) sets the retention; use logging.applicationRetention',
      ],
      [
        props.capacity?.meanStreamDurationSeconds !== undefined && !(props.capacity.streamOpensPerSecond ?? 0),
        'capacity.meanStreamDurationSeconds is ignored: capacity.streamOpensPerSecond is 0 (no long-lived streams to size for)',
      ],
      [
        props.certificateArn === undefined && props.sslPolicy !== undefined,
        'sslPolicy is ignored: there is no HTTPS listener without certificateArn',
      ],
    ];
    for (const [applies, message] of ignored)
      if (applies) Annotations.of(this).addWarningV2('mcp-ops:settingIgnored', `${OWNER}: ${message}`);
  }

  /**
   * The VPC of the service, across the zones decided at synth: public subnets (load balancer), private ones
   * with egress (tasks), isolated ones (data tier), one NAT gateway per zone, and flow logs. Built offline:
   * the stack is never asked for its zones (see withStackAvailabilityZones).
   */
  private newVpc(choice: ZoneChoice, props: McpServiceProps, removalPolicy: RemovalPolicy): ec2.Vpc {
    const stack = Stack.of(this);
    const zones = choice.kind === 'deploy-time' ? deployTimeZones(choice.count) : [...choice.zones];
    const vpc = withStackAvailabilityZones(
      stack,
      zones,
      () =>
        new ec2.Vpc(this, 'Vpc', {
          availabilityZones: zones,
          // One NAT gateway per zone: losing a zone must not cut the other zones' egress.
          natGateways: zones.length,
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
            { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ],
        }),
    );
    // aws-cdk-lib's handler that empties the default security group: its own log group, no managed policy.
    ownLogGroupForRestrictDefaultSg(vpc, props.functionLogRetention);
    if (choice.kind !== 'deploy-time') {
      Validations.of(vpc).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'The zone names are configuration (named by availabilityZones, or the a/b/c every Region has), chosen at synth so that synthesis needs no AWS lookup.',
      });
    }
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.flowLogRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: stackLogKey(this),
      removalPolicy,
    });
    const flowLog = vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    acknowledgeCompliance(flowLog, {
      IAMNoInlinePolicy:
        "The flow-log delivery role's policy (aws-cdk-lib): logs writes on the flow-log group and iam:PassRole on its own role, attached to that one role and deleted with it",
    });
    // Public subnets hold the NAT gateways (Elastic IPs) and an internet-facing load balancer (AWS assigns its
    // addresses): nothing launched there needs an automatic public IP.
    for (const subnet of vpc.publicSubnets) {
      (subnet.node.defaultChild as ec2.CfnSubnet).mapPublicIpOnLaunch = false;
      acknowledgeCompliance(subnet, {
        VPCNoUnrestrictedRouteToIGW:
          "A public subnet: its default route to the internet gateway carries the NAT gateways' egress and the internet-facing load balancer; the tasks and data tier run in private subnets",
      });
    }
    return vpc;
  }

  /**
   * Turns on the access logs of `loadBalancer` into `bucket` under `prefix`. The bucket policy grants the ELB
   * log-delivery service principal, which AWS supports in every Region (and recommends over the per-Region
   * ELB account of older Regions), so it needs no region at synth and works in environment-agnostic stacks,
   * where aws-cdk-lib's logAccessLogs fails ("Region is required to enable ELBv2 access logging").
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
   */
  private logAccessLogs(loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket, prefix: string): void {
    const stack = Stack.of(this);
    loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElbAccessLogDelivery',
        principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`)],
      }),
    );
    // The load balancer checks that it may write when access logging is switched on.
    const policy = bucket.policy?.node.defaultChild as CfnResource | undefined;
    if (policy) (loadBalancer.node.defaultChild as CfnResource).addResourceDependency(policy);
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
