import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { McpEndpointParameters } from '../data/endpoint-parameters';
import { RecoveredEndpoints } from '../data/endpoint-names';
import { alarmFactoryFor } from '../internal/alarm-factory';
import { acknowledgeCompliance } from '../internal/compliance';
import { checkInteger } from '../internal/validate';
import { AlarmSeverity, IMcpMonitoringSegment, McpAlarm, McpAlarmOptions } from '../monitoring/alarms';
import { DR_RUNBOOK } from './disaster-recovery';

/** Host the standby endpoint parameters hold until a region-loss recovery writes the restored ones. */
export const STANDBY_HOST = 'standby.invalid';

/** Props of {@link McpPilotLight}. */
export interface McpPilotLightProps extends McpAlarmOptions {
  /** The service (as in the production stack). */
  readonly serviceName: string;
  /** The recovery Region's VPC (isolated subnets for the restored database and cache). */
  readonly vpc: ec2.IVpc;
  /** The standby Fargate service. */
  readonly service: ecs.FargateService;
  /** Its container: it gets the endpoint parameters and the credentials as ECS secrets. */
  readonly container: ecs.ContainerDefinition;
  /** The planned minimum task count (what a recovery scales to). */
  readonly minimumTaskCount: number;
  /**
   * The monitoring construct whose page composite stays quiet while the service is on standby.
   * @default no page suppression
   */
  readonly monitoring?: Construct;
  /**
   * Post-recovery state: the service runs on the restored resources (the region-loss recovery happened); the
   * stack then keeps the planned minimum and the restored endpoints instead of the standby.
   * @default standby
   */
  readonly recovered?: RecoveredEndpoints;
  /**
   * PostgreSQL engine of the restored instance's parameter group (production's engine version).
   * @default rds.PostgresEngineVersion.VER_16_13 (McpDataTier's default)
   */
  readonly engineVersion?: rds.PostgresEngineVersion;
  /**
   * Master user name of production's database (the restored instance keeps it).
   * @default 'mcp_admin' (McpDataTier's default)
   */
  readonly masterUsername?: string;
  /**
   * Name of the database in the instance (`DATABASE_NAME`).
   * @default 'mcp'
   */
  readonly databaseName?: string;
  /**
   * Customer managed KMS key of the master-password and AUTH-token secrets (the compliance packs'
   * SecretsManagerUsingKMSKey). Give the recovery Region's data key ({@link McpRecoveryRegionData.key}), as the
   * default app does, to encrypt everything restored in this Region with one key.
   * @default a new key of the pilot light, rotated yearly, retained on stack deletion
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The standby half of a pilot light in the recovery Region, beside an {@link McpService} built from the same
 * construct as production's: what a restored database and cache need here (subnet groups, security groups
 * admitting only the service, production's TLS-enforcing parameter group, this Region's master-password and
 * AUTH-token secrets), the endpoint parameters the service reads, and the standby itself: desired count and
 * autoscaling minimum 0, and the service's page composite suppressed while no task is wanted (a standby with
 * no tasks would otherwise page for "no healthy host" and the failing probe all day). A region-loss recovery
 * writes the parameters and scales the service to `minimumTaskCount`; the deploy after it
 * (`recovered`) keeps that.
 */
export class McpPilotLight extends Construct implements IMcpMonitoringSegment {
  /** Subnet group of restored instances (isolated subnets). */
  public readonly databaseSubnetGroup: rds.SubnetGroup;
  /** Security group of restored instances: the service's tasks only. */
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** Production's parameters (TLS required, slow statements logged) for restored instances. */
  public readonly databaseParameterGroup: rds.ParameterGroup;
  /** The master password restored instances get (production's secret is in the lost Region). */
  public readonly masterSecret: secretsmanager.Secret;
  /** Cache subnet group of restored caches. */
  public readonly cacheSubnetGroup: elasticache.CfnSubnetGroup;
  /** Security group of restored caches: the service's tasks only. */
  public readonly cacheSecurityGroup: ec2.SecurityGroup;
  /** AUTH token of restored caches. */
  public readonly cacheAuthSecret: secretsmanager.Secret;
  /** The endpoint parameters the service reads (standby values until a recovery). */
  public readonly endpointParameters: McpEndpointParameters;
  /** Whether the stack is in its post-recovery state. */
  public readonly active: boolean;
  /** `PilotLightStandby`: in ALARM while the service wants no task; suppresses the page composite. */
  public readonly alarms: McpAlarm[];
  /** Title of the segment's dashboard row. */
  public readonly segmentTitle = 'Pilot light';

  constructor(scope: Construct, id: string, props: McpPilotLightProps) {
    super(scope, id);
    checkInteger('McpPilotLight', 'minimumTaskCount', props.minimumTaskCount, 1, 1000);
    this.active = props.recovered !== undefined && (props.recovered.database ?? props.recovered.cache) !== undefined;
    const isolated = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    this.databaseSecurityGroup = this.securityGroup('DatabaseSecurityGroup', props, 5432, 'PostgreSQL');
    this.cacheSecurityGroup = this.securityGroup('CacheSecurityGroup', props, 6379, 'cache');
    this.databaseSubnetGroup = new rds.SubnetGroup(this, 'DatabaseSubnets', {
      vpc: props.vpc,
      vpcSubnets: isolated,
      description: `${props.serviceName}: instances restored in this Region`,
    });
    this.cacheSubnetGroup = new elasticache.CfnSubnetGroup(this, 'CacheSubnets', {
      description: `${props.serviceName}: caches restored in this Region`,
      subnetIds: props.vpc.selectSubnets(isolated).subnetIds,
    });
    this.databaseParameterGroup = new rds.ParameterGroup(this, 'DatabaseParameters', {
      engine: rds.DatabaseInstanceEngine.postgres({
        version: props.engineVersion ?? rds.PostgresEngineVersion.VER_16_13,
      }),
      description: 'MCP data tier: TLS required, slow statements logged (as production)',
      parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '1000' },
    });
    const key =
      props.encryptionKey ??
      new kms.Key(this, 'SecretsKey', {
        description: `mcp-ops ${props.serviceName}: credentials of the instances and caches restored in this Region`,
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.masterSecret = this.secrets(props, key);
    this.cacheAuthSecret = new secretsmanager.Secret(this, 'CacheAuthToken', {
      description: `AUTH token of ${props.serviceName} caches restored in this Region`,
      encryptionKey: key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const cacheReason =
      'Given to a restored cache once at its creation; rotating it needs a coordinated AUTH token change (ROTATE, then SET, with a deployment), a runbook step as in production.';
    Validations.of(this.cacheAuthSecret).acknowledge({ id: 'AwsSolutions-SMG4', reason: cacheReason });
    acknowledgeCompliance(this.cacheAuthSecret, { SecretsManagerRotationEnabled: cacheReason });
    this.endpointParameters = this.parameters(props);
    this.wireContainer(props);
    this.alarms = this.standby(props);
  }

  private securityGroup(id: string, props: McpPilotLightProps, port: number, what: string): ec2.SecurityGroup {
    const sg = new ec2.SecurityGroup(this, id, {
      vpc: props.vpc,
      description: `${props.serviceName}: restored ${what}, only the service tasks`,
      allowAllOutbound: false,
    });
    sg.connections.allowFrom(props.service, ec2.Port.tcp(port), `${what} from the ${props.serviceName} tasks`);
    return sg;
  }

  private secrets(props: McpPilotLightProps, key: kms.IKey): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'MasterSecret', {
      description: `Master credentials of ${props.serviceName} instances restored in this Region`,
      encryptionKey: key,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: props.masterUsername ?? 'mcp_admin' }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: ' %+~`#$&*()|[]{}:;<>?!\'/@"\\',
      },
    });
    const reason =
      'Set as the master password of an instance the region-loss workflow restores; tasks read it at start, so rotation is a deployment (as in production).';
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    acknowledgeCompliance(secret, { SecretsManagerRotationEnabled: reason });
    return secret;
  }

  private parameters(props: McpPilotLightProps): McpEndpointParameters {
    const db = props.recovered?.database;
    const cache = props.recovered?.cache;
    return new McpEndpointParameters(this, 'Endpoints', {
      serviceName: props.serviceName,
      database: db ? { host: db.host, port: db.port } : { host: STANDBY_HOST, port: 5432 },
      cache: cache ? { host: cache.host, port: cache.port } : { host: STANDBY_HOST, port: 6379 },
    });
  }

  private wireContainer(props: McpPilotLightProps): void {
    props.container.addEnvironment('DATABASE_NAME', props.databaseName ?? 'mcp');
    props.container.addEnvironment('CACHE_TLS', 'true');
    for (const [name, secret] of Object.entries(this.endpointParameters.containerSecrets()))
      props.container.addSecret(name, secret);
    props.container.addSecret('DATABASE_USERNAME', ecs.Secret.fromSecretsManager(this.masterSecret, 'username'));
    props.container.addSecret('DATABASE_PASSWORD', ecs.Secret.fromSecretsManager(this.masterSecret, 'password'));
    props.container.addSecret('CACHE_AUTH_TOKEN', ecs.Secret.fromSecretsManager(this.cacheAuthSecret));
  }

  /**
   * Standby: desired count and autoscaling minimum 0 (in the post-recovery state: the planned minimum), and the
   * page composite suppressed while the service wants no task.
   */
  private standby(props: McpPilotLightProps): McpAlarm[] {
    const cfnService = props.service.node.defaultChild as ecs.CfnService;
    const target = props.service.node
      .findAll()
      .find((c): c is appscaling.CfnScalableTarget => c instanceof appscaling.CfnScalableTarget);
    const count = this.active ? props.minimumTaskCount : 0;
    cfnService.desiredCount = count;
    if (target) target.minCapacity = count;
    const factory = alarmFactoryFor(this, 'McpPilotLight', props.serviceName, props);
    const desired = new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: 'DesiredTaskCount',
      dimensionsMap: { ClusterName: props.service.cluster.clusterName, ServiceName: props.service.serviceName },
      statistic: 'Maximum',
      period: Duration.minutes(1),
    });
    const alarm = factory.metricAlarm(
      'PilotLightStandby',
      {
        severity: AlarmSeverity.WARNING,
        runbook: DR_RUNBOOK,
        summary: `the ${props.serviceName} service in ${Stack.of(this).region} is on standby (no task wanted); its pages are suppressed until a recovery scales it up`,
        threshold:
          'DesiredTaskCount (Container Insights, maximum) below 1 for one one-minute period; no data counts as standby',
        note: 'Expected in the pilot light. OK means the recovery Region is serving.',
        constructId: 'StandbyAlarm',
      },
      {
        metric: desired,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
    const page = props.monitoring?.node
      .findAll()
      .find((c): c is cloudwatch.CfnCompositeAlarm => c instanceof cloudwatch.CfnCompositeAlarm);
    if (page) {
      page.actionsSuppressor = alarm.alarm.alarmArn;
      page.actionsSuppressorWaitPeriod = 120;
      page.actionsSuppressorExtensionPeriod = 600;
    }
    return factory.alarms;
  }

  /** The standby alarm's state. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [
      new cloudwatch.AlarmStatusWidget({
        title: 'Pilot light',
        alarms: this.alarms.map((a) => a.alarm),
        width: 24,
        height: 2,
      }),
    ];
  }
}
