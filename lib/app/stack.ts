import { Annotations, CfnOutput, CfnResource, Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { McpBackup } from '../backup/backup';
import { McpDataTier } from '../data/data-tier';
import { McpDisasterRecovery } from '../dr/disaster-recovery';
import { McpAuth } from '../security/auth';
import { McpRecoveryRegionReference } from '../dr/recovery-region';
import { McpService } from '../service/mcp-service';
import { AppConfig } from './config';

/** Props for {@link McpOpsStack}. */
export interface McpOpsStackProps extends StackProps {
  /** The parsed app configuration (see `parseAppConfig`). */
  readonly config: AppConfig;
}

/**
 * The default app's stack: the MCP service with its monitoring and log pipeline, the data tier,
 * backups and the disaster-recovery workflow, configured from CDK context.
 */
export class McpOpsStack extends Stack {
  /** The MCP service, with its monitoring and log pipeline. */
  public readonly mcp: McpService;
  /** RDS PostgreSQL + ElastiCache, unless `dataTier` is false. */
  public readonly data?: McpDataTier;
  /** Hourly backups of configuration, database and cache. */
  public readonly backup: McpBackup;
  /** The restore workflow, its weekly drill and RTO alarms. */
  public readonly dr: McpDisasterRecovery;
  /** The recovery Region's replica bucket and key, read at deploy time, when `recoveryRegion` is set. */
  public readonly recoveryRegion?: McpRecoveryRegionReference;
  /** The DB instance the service uses: the data tier's, or the restored one after a recovery in place. */
  public readonly liveDatabase?: rds.IDatabaseInstance;

  constructor(scope: Construct, id: string, props: McpOpsStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.mcp = new McpService(this, 'Mcp', {
      serviceName: config.serviceName,
      capacity: config.capacity,
      availabilityZones: config.availabilityZoneNames.slice(0, config.capacity.availabilityZones ?? 2),
      certificateArn: config.certificateArn,
      domainName: config.domainName,
      hostedZoneId: config.security.hostedZoneId,
      hostedZoneName: config.security.hostedZoneName,
      // With a recovery Region the alias records are the PRIMARY of the failover pair the region-loss workflow completes.
      ...(config.recovery.recoveryRegion ? { dnsFailoverSetIdentifier: `${props.config.stackName}-primary` } : {}),
      internetFacing: config.security.internetFacing,
      allowPlaintextInternetListener: config.security.allowPlaintextInternetListener,
      allowAllOutbound: config.security.allowAllOutbound,
      auth: this.authFrom(config),
      webAcl: config.security.waf
        ? {
            rateLimitPerIp: config.security.wafRateLimitPerIp,
            toolsCallRateLimitPerIp: config.security.wafToolsCallRateLimit,
            rateLimitHeader: config.security.wafRateLimitHeader,
            allowedCidrs: config.security.wafAllowedCidrs,
            allowedCountries: config.security.wafAllowedCountries,
          }
        : { enabled: false },
      allowedOrigins: config.allowedOrigins,
      deletionProtection: config.deletionProtection,
      vpcEndpoints: config.vpcEndpoints,
      monitoring: {
        alarmEmails: config.alarmEmails,
        pageRoute: config.pageRoute,
        warningRoute: config.warningRoute,
        ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      },
    });

    const recovery = config.recovery;
    const recovered = recovery.recoveredIn === 'production' ? recovery.recovered : {};
    if (recovery.recoveryRegion) {
      this.recoveryRegion = new McpRecoveryRegionReference(this, 'RecoveryRegion', {
        recoveryRegion: recovery.recoveryRegion,
        serviceName: config.serviceName,
      });
    }
    if (config.dataTier) {
      this.data = new McpDataTier(this, 'Data', {
        vpc: this.mcp.vpc,
        serviceName: config.serviceName,
        database: {
          deletionProtection: config.deletionProtection,
          ...(config.databaseInstanceClass
            ? { instanceType: new ec2.InstanceType(config.databaseInstanceClass.replace(/^db\./, '')) }
            : {}),
          ...(config.databasePoolSize !== undefined ? { poolSize: config.databasePoolSize } : {}),
          ...(config.databasePoolMaxOverflow !== undefined ? { poolMaxOverflow: config.databasePoolMaxOverflow } : {}),
          ...(this.recoveryRegion
            ? { backupReplication: { region: recovery.recoveryRegion!, kmsKeyArn: this.recoveryRegion.dataKeyArn } }
            : {}),
        },
        // The service reads its endpoints from parameters the cut-over rewrites; after a recovery they name
        // the restored resources (context recoveredDatabase…), so the next deploy keeps them.
        endpointParameters: { serviceName: config.serviceName, recovered },
        cache: config.cacheNodeType ? { nodeType: config.cacheNodeType } : {},
        alarmTopic: this.mcp.alarmTopic,
        ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      });
      // Its saturation alarms: criticals page through the service's page composite, warnings notify.
      this.mcp.monitoring?.addSegment(this.data);
      // The service's pools at its maximum task count must fit the database's max_connections (synth error otherwise).
      this.data.checkConnectionBudget({ maxTasks: this.mcp.sizing.maxTasks });
      // Only the service's tasks (and, below, our Lambdas) reach the database and the cache.
      this.data.allowFrom(this.mcp.service);
      for (const [name, value] of Object.entries(this.data.containerEnvironment))
        this.mcp.container.addEnvironment(name, value);
      for (const [name, secret] of Object.entries(this.data.containerSecrets))
        this.mcp.container.addSecret(name, secret);
    }

    const data = this.data;
    this.liveDatabase = data?.database ? this.liveDatabaseOf(data, recovered.database) : undefined;
    const liveCacheId = recovered.cache?.replicationGroupId ?? data?.cache?.ref;
    this.backup = new McpBackup(this, 'Backup', {
      serviceName: config.serviceName,
      // After a recovery in place the backups follow the restored resources the service uses.
      ...(recovered.database || recovered.cache
        ? {
            database: this.liveDatabase,
            cacheReplicationGroupId: liveCacheId,
            secrets: [data?.databaseSecret, data?.cacheAuthSecret].filter((x) => x !== undefined),
          }
        : { dataTier: this.data }),
      ...(this.recoveryRegion
        ? {
            replication: {
              destinationBucketArn: this.recoveryRegion.replicaBucketArn,
              destinationKmsKeyArn: this.recoveryRegion.dataKeyArn,
            },
          }
        : {}),
      taskDefinition: this.mcp.taskDefinition,
      alarmTopic: this.mcp.alarmTopic,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    });
    this.mcp.monitoring?.addSegment(this.backup);

    const managedDb = data?.database?.node.defaultChild as rds.CfnDBInstance | undefined;
    this.dr = new McpDisasterRecovery(this, 'DisasterRecovery', {
      serviceName: config.serviceName,
      backupBucket: this.backup.bucket,
      vpc: this.mcp.vpc,
      ...(data?.database && this.liveDatabase
        ? {
            // Production is the instance the service uses (the restored one after a recovery in place): it is
            // what the workflow restores from and what its explicit deny protects.
            database: this.liveDatabase,
            databaseSubnetGroup: rds.SubnetGroup.fromSubnetGroupName(
              this,
              'DatabaseSubnetGroupRef',
              managedDb!.dbSubnetGroupName!,
            ),
            databaseParameterGroupName: managedDb!.dbParameterGroupName,
            databaseEncryptionKey: data.key,
            databaseSecurityGroups: [data.databaseSecurityGroup!],
          }
        : {}),
      ...(data?.cache
        ? {
            cache: {
              replicationGroupId: liveCacheId!,
              nodeType: data.cache.cacheNodeType!, // always set by McpDataTier
              subnetGroupName: data.cache.cacheSubnetGroupName!,
              securityGroups: [data.cacheSecurityGroup!],
              authTokenSecret: data.cacheAuthSecret,
              kmsKey: data.key,
            },
          }
        : {}),
      cluster: this.mcp.cluster,
      // Without a data tier there is nothing to cut over to (no endpoint parameters): no service then.
      ...(data?.endpointParameters ? { service: this.mcp.service, endpointParameters: data.endpointParameters } : {}),
      taskDefinition: this.mcp.taskDefinition,
      // The readiness task runs as the service does, so the restored database and cache admit it.
      readinessSecurityGroups: this.mcp.service.connections.securityGroups,
      probeFunction: this.mcp.monitoring?.probeFunction,
      alarmTopic: this.mcp.alarmTopic,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    });
    this.mcp.monitoring?.addSegment(this.dr);

    // What an operator needs after `cdk deploy`.
    new CfnOutput(this, 'McpEndpointUrl', {
      description: `MCP endpoint (Streamable HTTP), ${this.mcp.exposure.internetFacing ? 'internet-facing' : 'internal: reachable from the VPC only'}`,
      value: this.mcp.endpointUrl,
    });
    const cognito = this.mcp.auth?.cognito;
    if (cognito) {
      new CfnOutput(this, 'AuthIssuer', {
        description: 'OAuth issuer of the access tokens (Cognito user pool)',
        value: cognito.issuerUrl,
      });
      new CfnOutput(this, 'AuthPeopleClientId', {
        description: "Cognito app client for people (authorization code with PKCE): the MCP client's client id",
        value: cognito.peopleClient.userPoolClientId,
      });
      new CfnOutput(this, 'AuthMachineClientSecretArn', {
        description: 'Secret of the machine-to-machine client (client credentials)',
        value: cognito.machineClientSecret.secretArn,
      });
    }
    if (this.mcp.monitoring) {
      new CfnOutput(this, 'DashboardUrl', {
        description: 'CloudWatch dashboard of the golden signals, backups and recovery',
        value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${this.mcp.monitoring.dashboard.dashboardName}`,
      });
    }
    if (this.mcp.alarmTopic)
      new CfnOutput(this, 'AlarmTopicArn', {
        description: 'SNS topic of every alarm (subscribe your pager)',
        value: this.mcp.alarmTopic.topicArn,
      });
    new CfnOutput(this, 'BackupBucketName', {
      description: 'Backups and their manifests',
      value: this.backup.bucket.bucketName,
    });
    new CfnOutput(this, 'RestoreStateMachineArn', {
      description: 'Disaster-recovery workflow (see docs/runbooks/disaster-recovery.md)',
      value: this.dr.stateMachine.stateMachineArn,
    });
    this.verificationOutputs();
  }

  /** What `mcp-ops verify` reads (with the outputs above) to check the deployed stack on day one. */
  private verificationOutputs(): void {
    const probe = this.mcp.monitoring?.probeFunction;
    if (probe)
      new CfnOutput(this, 'ProbeFunctionName', { description: 'Synthetic MCP probe', value: probe.functionName });
    new CfnOutput(this, 'BackupFunctionName', {
      description: 'Backup Lambda (invoke with {} to back up the current slot)',
      value: this.backup.backupFunction.functionName,
    });
    if (this.mcp.monitoring) {
      new CfnOutput(this, 'DashboardName', {
        description: 'CloudWatch dashboard',
        value: this.mcp.monitoring.dashboard.dashboardName,
      });
    }
    // By resource type, not instanceof: works with another copy of aws-cdk-lib.
    const alarms = this.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .filter(
        (c) =>
          c.cfnResourceType === 'AWS::CloudWatch::Alarm' || c.cfnResourceType === 'AWS::CloudWatch::CompositeAlarm',
      )
      .sort((a, b) => (a.node.path < b.node.path ? -1 : 1));
    new CfnOutput(this, 'AlarmNames', {
      description: 'Every alarm of the stack, comma-separated',
      value: Fn.join(
        ',',
        alarms.map((a) => a.ref),
      ),
    });
  }

  /** Authorization from the configuration: Cognito by default, an issuer when configured, none only on request. */
  private authFrom(config: AppConfig): McpAuth | undefined {
    const sec = config.security;
    if (sec.auth === 'anonymous') {
      Annotations.of(this).addWarningV2(
        'mcp-ops:allowAnonymousMcp',
        `allowAnonymousMcp=true: the MCP endpoint of ${config.serviceName} requires no token; anyone who reaches it can call its tools, including the admin tools. Remove allowAnonymousMcp to require authorization.`,
      );
      return undefined;
    }
    if (sec.auth === 'issuer' && sec.issuer) {
      const i = sec.issuer;
      return McpAuth.issuer({
        issuerUrl: i.issuerUrl,
        jwksUrl: i.jwksUrl,
        audience: i.audience,
        requiredScopes: i.requiredScopes,
        adminScope: i.adminScope,
        tokenUrl: i.tokenUrl,
        probeClientId: i.probeClientId,
        probeClientSecret: i.probeClientSecretArn
          ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ProbeClientSecret', i.probeClientSecretArn)
          : undefined,
      });
    }
    return McpAuth.cognito({
      callbackUrls: sec.cognito.callbackUrls.length > 0 ? sec.cognito.callbackUrls : undefined,
      domainPrefix: sec.cognito.domainPrefix,
    });
  }

  /**
   * The DB instance the service uses. After a recovery in place (context recoveredDatabase…) it is the restored
   * instance, referred to by identifier and endpoint (no lookup): the stack's own instance stays as it is
   * (retained, never deleted by this), until the runbook's "make the recovered instance the managed one".
   */
  private liveDatabaseOf(
    data: McpDataTier,
    recovered: { instanceIdentifier: string; host: string; port: number } | undefined,
  ): rds.IDatabaseInstance {
    if (!recovered) return data.database!;
    return rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'RecoveredDatabase', {
      instanceIdentifier: recovered.instanceIdentifier,
      instanceEndpointAddress: recovered.host,
      port: recovered.port,
      securityGroups: [data.databaseSecurityGroup!],
    });
  }
}
