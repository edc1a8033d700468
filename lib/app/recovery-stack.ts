import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { McpDisasterRecovery } from '../dr/disaster-recovery';
import { McpPilotLight } from '../dr/pilot-light';
import { McpRecoveryRegionData } from '../dr/recovery-region';
import { McpService } from '../service/mcp-service';
import { AppConfig } from './config';

/** Props for {@link McpOpsRecoveryStack}. */
export interface McpOpsRecoveryStackProps extends StackProps {
  /** The parsed app configuration; `recovery.recoveryRegion` must be set. */
  readonly config: AppConfig;
}

/**
 * The pilot light in the recovery Region, built from the production stack's constructs: the replica bucket
 * and this Region's data key ({@link McpRecoveryRegionData}, read by the production stack through SSM), the
 * same `McpService` (VPC, cluster, load balancer, alarms and dashboard, the image asset published to this
 * Region) on standby at zero tasks ({@link McpPilotLight}), and the region-loss workflow with its weekly drill
 * ({@link McpDisasterRecovery} `regionLoss`). Deployed first: the production stack reads its parameters.
 */
export class McpOpsRecoveryStack extends Stack {
  /** Replica bucket and data key. */
  public readonly data: McpRecoveryRegionData;
  /** The standby service. */
  public readonly mcp: McpService;
  /** What restored resources need here, and the standby. */
  public readonly pilotLight: McpPilotLight;
  /** The region-loss workflow. */
  public readonly dr: McpDisasterRecovery;

  constructor(scope: Construct, id: string, props: McpOpsRecoveryStackProps) {
    super(scope, id, props);
    const { config } = props;
    const recovery = config.recovery;
    const recovered = recovery.recoveredIn === 'recovery' ? recovery.recovered : undefined;
    this.data = new McpRecoveryRegionData(this, 'RecoveryData', {
      productionStackName: config.stackName,
      serviceName: config.serviceName,
    });
    // No certificate or domain name here: ACM certificates are regional, and until traffic moves the domain
    // still names production; the probe calls this load balancer's own name.
    this.mcp = new McpService(this, 'Mcp', {
      serviceName: config.serviceName,
      capacity: config.capacity,
      availabilityZones: recovery.recoveryAvailabilityZoneNames.slice(0, config.capacity.availabilityZones ?? 2),
      allowedOrigins: config.allowedOrigins,
      deletionProtection: config.deletionProtection,
      // The standby's tasks run the same tools as production's.
      allowAllOutbound: config.security.allowAllOutbound,
      monitoring: {
        alarmEmails: config.alarmEmails,
        ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
      },
    });
    this.pilotLight = new McpPilotLight(this, 'PilotLight', {
      serviceName: config.serviceName,
      vpc: this.mcp.vpc,
      service: this.mcp.service,
      container: this.mcp.container,
      minimumTaskCount: this.mcp.sizing.minTasks,
      monitoring: this.mcp.monitoring,
      recovered,
      encryptionKey: this.data.key,
      alarmTopic: this.mcp.alarmTopic,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    });
    this.mcp.monitoring?.addSegment(this.pilotLight);
    this.dr = this.regionLossWorkflow(config);
    this.mcp.monitoring?.addSegment(this.dr);

    new CfnOutput(this, 'RecoveryLoadBalancerDns', {
      description: 'Load balancer of the recovery Region (where a region-loss recovery moves traffic)',
      value: this.mcp.loadBalancer.loadBalancerDnsName,
    });
    new CfnOutput(this, 'RestoreStateMachineArn', {
      description: 'Region-loss workflow (see docs/runbooks/disaster-recovery.md)',
      value: this.dr.stateMachine.stateMachineArn,
    });
  }

  /** The workflow: restores here from the replicated backups, activates the standby, moves traffic. */
  private regionLossWorkflow(config: AppConfig): McpDisasterRecovery {
    const p = this.pilotLight;
    const recovery = config.recovery;
    return new McpDisasterRecovery(this, 'DisasterRecovery', {
      serviceName: config.serviceName,
      backupBucket: this.data.bucket,
      vpc: this.mcp.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      databaseSubnetGroup: p.databaseSubnetGroup,
      databaseSecurityGroups: [p.databaseSecurityGroup],
      databaseParameterGroupName: p.databaseParameterGroup.bindToInstance({}).parameterGroupName,
      databaseEncryptionKey: this.data.key,
      cache: {
        ...(recovery.recoveredIn === 'recovery' && recovery.recovered.cache
          ? { replicationGroupId: recovery.recovered.cache.replicationGroupId }
          : {}),
        nodeType: 'cache.m7g.large',
        subnetGroupName: p.cacheSubnetGroup.ref,
        securityGroups: [p.cacheSecurityGroup],
        authTokenSecret: p.cacheAuthSecret,
        kmsKey: this.data.key,
      },
      regionLoss: {
        productionRegion: config.region,
        productionAccount: config.account,
        dataKey: this.data.key,
        masterSecret: p.masterSecret,
        minimumTaskCount: this.mcp.sizing.minTasks,
        loadBalancer: this.mcp.loadBalancer,
        ...(recovery.hostedZoneId && config.domainName
          ? { trafficRecord: { hostedZoneId: recovery.hostedZoneId, recordName: config.domainName } }
          : {}),
      },
      cluster: this.mcp.cluster,
      service: this.mcp.service,
      endpointParameters: p.endpointParameters,
      taskDefinition: this.mcp.taskDefinition,
      readinessSecurityGroups: this.mcp.service.connections.securityGroups,
      probeFunction: this.mcp.monitoring?.probeFunction,
      alarmTopic: this.mcp.alarmTopic,
      ...(config.runbookBaseUrl ? { runbookBaseUrl: config.runbookBaseUrl } : {}),
    });
  }
}
